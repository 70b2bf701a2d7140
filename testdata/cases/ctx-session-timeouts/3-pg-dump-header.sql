-- pg_dump's header turns the timeouts off.
SET statement_timeout = 0;
SET lock_timeout = 0;
SET client_encoding = 'UTF8';
ALTER TABLE users ADD COLUMN d text;
