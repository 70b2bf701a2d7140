BEGIN;
SET LOCAL lock_timeout = '2s';
ALTER TABLE users ADD COLUMN b text;
COMMIT;
-- The SET LOCAL ended with the transaction.
ALTER TABLE users ADD COLUMN c text;
