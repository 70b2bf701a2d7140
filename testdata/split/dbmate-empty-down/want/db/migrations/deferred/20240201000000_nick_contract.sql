-- phasegate:deferred
--   after: release
--   from: db/migrations/20240201000000_nick.sql
-- migrate:up
ALTER TABLE users DROP COLUMN bio;

-- migrate:down
