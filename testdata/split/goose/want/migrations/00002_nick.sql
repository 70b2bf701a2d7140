-- +goose Up
-- +goose NO TRANSACTION
ALTER TABLE users ADD COLUMN nick text;
-- phasegate:ignore unbatched-backfill 300 rows
UPDATE users SET nick = name;

-- +goose Down
ALTER TABLE users DROP COLUMN nick;
