-- phasegate:deferred
--   after: release
--   from: db/migrations/0002_rename.up.sql
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_display_name_backfilled, ADD CONSTRAINT users_display_name_backfilled CHECK (display_name::text IS NOT DISTINCT FROM name::text) NOT VALID;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_display_name_backfilled;
COMMIT;
DROP TRIGGER IF EXISTS users_display_name_sync ON users;
DROP FUNCTION IF EXISTS users_display_name_sync();
ALTER TABLE users DROP COLUMN IF EXISTS name;
ALTER TABLE users ADD CONSTRAINT users_display_name_len CHECK (char_length(display_name) < 200) NOT VALID;
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE users ADD COLUMN legacy jsonb;
