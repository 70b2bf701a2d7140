-- phasegate:ignore drop-column
ALTER TABLE users DROP COLUMN name;
