-- phasegate:deferred
--   after: release
--   from: db/deploy/release2.sql
DROP VIEW IF EXISTS notes;
-- Release 2 no longer reads or writes legacy_flags.
ALTER TABLE users DROP COLUMN legacy_flags;
