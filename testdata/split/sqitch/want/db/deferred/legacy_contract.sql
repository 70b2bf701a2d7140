-- phasegate:deferred
--   after: release
--   from: db/deploy/legacy.sql
BEGIN;
ALTER TABLE users DROP COLUMN legacy;
COMMIT;
