-- +goose Up
-- +goose StatementBegin
ALTER TABLE users ADD COLUMN email text;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE users DROP COLUMN email;
