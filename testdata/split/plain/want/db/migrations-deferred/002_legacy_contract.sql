-- phasegate:deferred
--   after: release
--   from: db/migrations/002_legacy.sql
BEGIN;
ALTER TABLE users DROP COLUMN legacy;
COMMIT;
