-- +migrate Up
ALTER TABLE users ADD COLUMN nick text;

-- +migrate Down
ALTER TABLE users DROP COLUMN nick;
