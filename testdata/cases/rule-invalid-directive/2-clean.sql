-- phasegate:ignore drop-column the column was unused since v1.4
ALTER TABLE users DROP COLUMN status;
