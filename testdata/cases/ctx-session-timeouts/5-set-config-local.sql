SELECT set_config('lock_timeout', '5s', true);
ALTER TABLE users ADD COLUMN g text;
BEGIN;
SELECT set_config('lock_timeout', '5s', true);
ALTER TABLE users ADD COLUMN h text;
COMMIT;
