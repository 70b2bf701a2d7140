-- +goose Up
-- +goose NO TRANSACTION
ALTER TABLE users ADD COLUMN nick text;
-- phasegate:ignore unbatched-backfill 300 rows
UPDATE users SET nick = name;
ALTER TABLE users DROP COLUMN bio;

-- +goose Down
ALTER TABLE users ADD COLUMN bio text;
ALTER TABLE users DROP COLUMN nick;
