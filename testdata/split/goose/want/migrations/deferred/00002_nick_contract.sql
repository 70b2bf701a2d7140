-- phasegate:deferred
--   after: release
--   from: migrations/00002_nick.sql
-- +goose Up
-- +goose NO TRANSACTION
ALTER TABLE users DROP COLUMN bio;

-- +goose Down
ALTER TABLE users ADD COLUMN bio text;
