-- migrate:up
ALTER TABLE users RENAME COLUMN bio TO about;
ALTER TABLE users ADD COLUMN avatar text;

-- migrate:down
ALTER TABLE users DROP COLUMN avatar;
ALTER TABLE users RENAME COLUMN about TO bio;
