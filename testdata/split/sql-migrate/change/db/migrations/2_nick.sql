-- +migrate Up
ALTER TABLE users ADD COLUMN nick text;
ALTER TABLE users DROP COLUMN bio;

-- +migrate Down
ALTER TABLE users ADD COLUMN bio text;
ALTER TABLE users DROP COLUMN nick;
