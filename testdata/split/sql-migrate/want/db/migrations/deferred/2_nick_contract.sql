-- phasegate:deferred
--   after: release
--   from: db/migrations/2_nick.sql
-- +migrate Up
ALTER TABLE users DROP COLUMN bio;

-- +migrate Down
ALTER TABLE users ADD COLUMN bio text;
