ALTER TABLE events ALTER COLUMN kind TYPE bigint;
