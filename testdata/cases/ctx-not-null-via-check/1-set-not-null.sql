SET lock_timeout = '5s';
-- The validated CHECK proves the column has no NULL, so PostgreSQL 12+ skips the scan.
-- The previous release could still write NULL were it not for that constraint, so this stays contract.
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_not_null;
