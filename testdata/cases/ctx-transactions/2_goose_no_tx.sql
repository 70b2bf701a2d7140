-- +goose Up
-- +goose NO TRANSACTION
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_user_idx ON orders (user_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_total_idx ON orders (total);

-- +goose Down
DROP INDEX orders_user_idx;
