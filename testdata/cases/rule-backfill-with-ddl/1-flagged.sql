BEGIN;
ALTER TABLE users ADD COLUMN tier text;
UPDATE users SET tier = 'free';
COMMIT;
