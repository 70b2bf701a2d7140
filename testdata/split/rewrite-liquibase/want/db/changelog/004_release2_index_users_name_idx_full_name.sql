--liquibase formatted sql
-- Written by phasegate split from db/changelog/002_release2.sql: index users name idx full name.
-- It runs outside a transaction, right after that migration and before the deploy.
--changeset ann:2-index_users_name_idx_full_name runInTransaction:false
CREATE INDEX CONCURRENTLY users_name_idx_full_name ON users USING btree (full_name);
