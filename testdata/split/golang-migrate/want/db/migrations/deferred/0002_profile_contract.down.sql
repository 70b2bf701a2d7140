ALTER TABLE users ADD COLUMN name text;
ALTER TABLE users ADD COLUMN legacy_flags int;
