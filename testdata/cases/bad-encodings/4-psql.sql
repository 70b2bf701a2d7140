\set ON_ERROR_STOP on
SET lock_timeout = '5s';
\echo dropping
ALTER TABLE orders DROP COLUMN total;
