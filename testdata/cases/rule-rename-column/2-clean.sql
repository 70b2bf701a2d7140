ALTER TABLE users ADD COLUMN nick text;
ALTER TABLE users RENAME COLUMN nick TO handle;
