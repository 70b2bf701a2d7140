SET lock_timeout = '5s';
-- "$user" names the role's own schema, which phasegate does not know: new
-- tables go to the next schema of the path, public.
SET search_path = "$user", public;
CREATE TABLE audit_log (id bigint PRIMARY KEY, at timestamptz);
ALTER TABLE public.audit_log ADD COLUMN actor text NOT NULL;
ALTER TABLE users DROP COLUMN legacy;
CREATE SCHEMA app;
SET search_path = app, public;
CREATE TABLE accounts (id bigint PRIMARY KEY);
-- users is found in public, the second schema of the path; accounts in app.
ALTER TABLE users ADD COLUMN plan text NOT NULL;
ALTER TABLE app.accounts ADD COLUMN plan text NOT NULL;
SET search_path = app;
