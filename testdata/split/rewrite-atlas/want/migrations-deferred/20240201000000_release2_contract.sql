-- phasegate:deferred
--   after: release
--   from: migrations/20240201000000_release2.sql
-- atlas:txmode none

SET lock_timeout = '5s';
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_full_name_backfilled, ADD CONSTRAINT users_full_name_backfilled CHECK (full_name::text IS NOT DISTINCT FROM name::text) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_full_name_backfilled;
ALTER TABLE users VALIDATE CONSTRAINT users_full_name_not_null;
DROP TRIGGER IF EXISTS users_full_name_sync ON users;
DROP FUNCTION IF EXISTS users_full_name_sync();
ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_full_name_not_null;
ALTER TABLE users DROP COLUMN IF EXISTS name;
ALTER INDEX IF EXISTS users_name_idx_full_name RENAME TO users_name_idx;
DROP VIEW IF EXISTS notes;
-- Before this runs, fill users.plan in the rows that hold NULL (written before the new code deployed), in batches; the scan below fails on any, and the migration must then run again.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_plan_not_null, ADD CONSTRAINT users_plan_not_null CHECK (plan IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_plan_not_null;
ALTER TABLE users ALTER COLUMN plan SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_plan_not_null;
-- Before this runs, fill users.nickname in the rows that hold NULL (written before the new code deployed), in batches; the scan below fails on any, and the migration must then run again.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_nickname_not_null, ADD CONSTRAINT users_nickname_not_null CHECK (nickname IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_nickname_not_null;
ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_nickname_not_null;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_org_fkey, ADD CONSTRAINT users_org_fkey FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_org_fkey;
-- Release 2 no longer reads or writes legacy_flags.
ALTER TABLE users DROP COLUMN legacy_flags;
