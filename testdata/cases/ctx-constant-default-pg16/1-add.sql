SET lock_timeout = '5s';
-- A constant default is stored once since PostgreSQL 11; before, it rewrites the table.
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
