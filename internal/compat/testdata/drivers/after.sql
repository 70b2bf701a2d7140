-- The change's migrations: each breaks one of the previous release's
-- queries (queries.sql).
ALTER TABLE users DROP COLUMN legacy_flags;
ALTER TABLE orders RENAME TO purchases;
DROP FUNCTION touch_user(int);
ALTER TYPE mood RENAME TO mood_old;
CREATE TYPE mood AS ENUM ('ok', 'happy');
ALTER TABLE users ALTER COLUMN mood TYPE mood USING mood::text::mood;
DROP TYPE mood_old;
DROP INDEX users_email_key;
ALTER TABLE users ALTER COLUMN nick SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_age_check CHECK (age >= 0);
ALTER TABLE users ALTER COLUMN email TYPE varchar(20);
