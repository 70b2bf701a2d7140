-- users.legacy_flags stays nullable: the new release wrote rows without it
ALTER TABLE users DROP COLUMN IF EXISTS plan;
DROP VIEW IF EXISTS notes;
ALTER TABLE memos RENAME TO notes;
DROP TRIGGER IF EXISTS users_full_name_sync ON users;
DROP FUNCTION IF EXISTS users_full_name_sync();
ALTER TABLE users DROP COLUMN IF EXISTS full_name;
