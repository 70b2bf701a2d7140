-- phasegate:deferred
--   after: release
--   from: migrations/2024-02-01-000000_legacy/up.sql
DROP TABLE IF EXISTS sessions_old;
ALTER TABLE users DROP COLUMN legacy;
