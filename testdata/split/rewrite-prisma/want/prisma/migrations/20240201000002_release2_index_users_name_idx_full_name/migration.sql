-- Written by phasegate split from prisma/migrations/20240201000000_release2/migration.sql: index users name idx full name.
-- It runs outside a transaction, right after that migration and before the deploy.
CREATE INDEX CONCURRENTLY users_name_idx_full_name ON users USING btree (full_name);
