-- phasegate:deferred
--   after: release
--   from: db/migrations/0002_profile.up.sql
SET lock_timeout = '5s';

-- The new release no longer reads these.
ALTER TABLE users DROP COLUMN legacy_flags; -- phasegate:ignore missing-lock-timeout set above
ALTER TABLE users DROP COLUMN name;
