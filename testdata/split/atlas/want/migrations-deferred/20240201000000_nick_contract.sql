-- phasegate:deferred
--   after: release
--   from: migrations/20240201000000_nick.sql
ALTER TABLE users DROP COLUMN bio;
