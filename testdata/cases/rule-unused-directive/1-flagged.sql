-- phasegate:ignore drop-table no table is dropped
ALTER TABLE users ADD COLUMN nick text;
