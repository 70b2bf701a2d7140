-- The history never had these: PostgreSQL skips both, without a lock.
DROP INDEX IF EXISTS users_legacy_idx;
ALTER TABLE users DROP COLUMN IF EXISTS legacy_flags;
-- This one exists: a drop without CONCURRENTLY.
DROP INDEX IF EXISTS users_email_idx;
