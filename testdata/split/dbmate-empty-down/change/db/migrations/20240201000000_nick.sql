-- migrate:up
ALTER TABLE users ADD COLUMN nick text;
ALTER TABLE users DROP COLUMN bio;

-- migrate:down
ALTER TABLE users DROP COLUMN nick;
