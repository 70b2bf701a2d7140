-- phasegate:deferred
--   after: release
--   from: db/migrations/20240201000000_bio.sql
-- migrate:up
ALTER TABLE users RENAME COLUMN bio TO about;

-- migrate:down
ALTER TABLE users RENAME COLUMN about TO bio;
