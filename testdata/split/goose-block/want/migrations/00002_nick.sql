-- +goose Up
ALTER TABLE users ADD COLUMN nick text;

-- +goose Down
ALTER TABLE users DROP COLUMN nick;
