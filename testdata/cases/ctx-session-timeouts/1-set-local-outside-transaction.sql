-- SET LOCAL outside a transaction block only warns: no lock_timeout.
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN a text;
