BEGIN;
ALTER TABLE users ADD COLUMN nick text;
ALTER TABLE events ADD COLUMN source text;
COMMIT;
