-- +goose Up
-- goose runs the file in a transaction: SET LOCAL holds.
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN k text;

-- +goose Down
ALTER TABLE users DROP COLUMN k;
