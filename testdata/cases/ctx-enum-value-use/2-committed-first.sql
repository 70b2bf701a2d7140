BEGIN;
ALTER TYPE mood ADD VALUE 'great';
COMMIT;
UPDATE people SET m = 'great' WHERE id = 1;
