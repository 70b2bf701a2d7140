-- Written by phasegate split from db/migrations/20240201000000_release2.sql: index users name idx full name.
-- It runs outside a transaction, right after that migration and before the deploy.
-- migrate:up transaction:false
CREATE INDEX CONCURRENTLY users_name_idx_full_name ON users USING btree (full_name);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS users_name_idx_full_name;
