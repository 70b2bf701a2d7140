-- migrate:up
ALTER TABLE users ADD COLUMN avatar text;

-- migrate:down
ALTER TABLE users DROP COLUMN avatar;
