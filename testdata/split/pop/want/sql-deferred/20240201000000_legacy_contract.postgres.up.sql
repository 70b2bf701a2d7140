-- phasegate:deferred
--   after: release
--   from: sql/20240201000000_legacy.postgres.up.sql
ALTER TABLE users DROP COLUMN legacy;
