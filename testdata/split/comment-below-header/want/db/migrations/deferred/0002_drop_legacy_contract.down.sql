ALTER TABLE users ADD COLUMN legacy_flags int;
