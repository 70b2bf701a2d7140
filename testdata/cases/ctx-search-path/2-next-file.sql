SET lock_timeout = '5s';
-- Each migration file runs in a new session: the search path is the
-- default again, so b1 is public.b1 and users is public.users.
CREATE TABLE b1 (id bigint PRIMARY KEY);
ALTER TABLE public.b1 ADD COLUMN note text NOT NULL;
ALTER TABLE users DROP COLUMN nick;
-- set_config sets the path like SET does.
CREATE SCHEMA billing;
SELECT set_config('search_path', 'billing, app, public', false);
CREATE TABLE tiers (id bigint PRIMARY KEY);
ALTER TABLE billing.tiers ADD COLUMN name text NOT NULL;
ALTER TABLE accounts ADD COLUMN tier text NOT NULL;
ALTER TABLE users ADD COLUMN tier text NOT NULL;
