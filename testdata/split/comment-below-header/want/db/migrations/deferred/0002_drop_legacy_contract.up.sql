-- phasegate:deferred
--   after: release
--   from: db/migrations/0002_drop_legacy.up.sql

-- note: no release reads legacy_flags since v2.
ALTER TABLE users DROP COLUMN legacy_flags;
