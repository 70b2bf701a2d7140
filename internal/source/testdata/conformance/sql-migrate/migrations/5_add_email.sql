-- +migrate Up notransaction
ALTER TABLE users ADD COLUMN email text;

-- +migrate Down
ALTER TABLE users DROP COLUMN email;
