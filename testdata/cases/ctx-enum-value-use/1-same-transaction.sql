SET lock_timeout = '5s';
BEGIN;
ALTER TYPE mood ADD VALUE 'meh';
-- PostgreSQL 12+: unsafe use of new value "meh" of enum type mood.
UPDATE people SET m = 'meh' WHERE id = 1;
-- A text column is not the enum.
UPDATE people SET note = 'meh' WHERE id = 1;
COMMIT;
