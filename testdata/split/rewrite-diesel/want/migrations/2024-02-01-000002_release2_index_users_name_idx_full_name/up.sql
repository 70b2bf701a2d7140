-- Written by phasegate split from migrations/2024-02-01-000000_release2/up.sql: index users name idx full name.
-- It runs outside a transaction, right after that migration and before the deploy.
CREATE INDEX CONCURRENTLY users_name_idx_full_name ON users USING btree (full_name);
