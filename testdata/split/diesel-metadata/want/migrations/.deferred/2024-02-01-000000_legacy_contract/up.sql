-- phasegate:deferred
--   after: release
--   from: migrations/2024-02-01-000000_legacy/up.sql
ALTER TABLE users DROP COLUMN legacy;
