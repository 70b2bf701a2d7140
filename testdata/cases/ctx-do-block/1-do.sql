SET lock_timeout = '5s';
-- A DO block is read with PL/pgSQL's parser: its statements are judged like any other.
DO $$
DECLARE r record;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'tier') THEN
    CREATE TYPE tier AS ENUM ('free', 'pro');
  END IF;
  ALTER TABLE users ADD COLUMN tier tier;
  FOR r IN SELECT id FROM users LOOP
    UPDATE users SET tier = 'free' WHERE id = r.id;
  END LOOP;
  ALTER TABLE users DROP COLUMN legacy;
END $$;
-- Only SQL computed at run time stays unknown.
DO $$ BEGIN EXECUTE format('ALTER TABLE %I DROP COLUMN name', 'users'); END $$;
-- A guarded CREATE of an existing table or type leaves it as it was: the
-- statements after it still judge production objects.
DO $$ BEGIN
  CREATE TABLE users (id bigint PRIMARY KEY, email text);
EXCEPTION WHEN duplicate_table THEN NULL;
END $$;
ALTER TABLE users RENAME COLUMN name TO full_name;
