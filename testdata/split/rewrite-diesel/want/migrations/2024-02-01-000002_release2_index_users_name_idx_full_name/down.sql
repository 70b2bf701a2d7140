DROP INDEX CONCURRENTLY IF EXISTS users_name_idx_full_name;
