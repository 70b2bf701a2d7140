-- +goose Up
-- goose runs this file in a transaction: CONCURRENTLY fails.
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_name_idx ON users (name);

-- +goose Down
DROP INDEX users_name_idx;
