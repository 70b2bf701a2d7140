-- phasegate:deferred
--   after: release
--   from: migrations/20240201000000_release2.postgres.up.sql
DROP VIEW IF EXISTS notes;
-- Release 2 no longer reads or writes legacy_flags.
ALTER TABLE users DROP COLUMN legacy_flags;
