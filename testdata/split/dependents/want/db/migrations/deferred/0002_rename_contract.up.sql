-- phasegate:deferred
--   after: release
--   from: db/migrations/0002_rename.up.sql
-- Statements that use what a deferred statement renames or drops move with it.
ALTER TABLE users RENAME COLUMN name TO display_name;
ALTER TABLE users ADD CONSTRAINT users_display_name_len CHECK (char_length(display_name) < 200) NOT VALID;
COMMENT ON COLUMN users.display_name IS 'shown in the UI';
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE users ADD COLUMN legacy jsonb;
