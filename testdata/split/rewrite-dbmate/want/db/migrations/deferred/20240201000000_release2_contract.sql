-- phasegate:deferred
--   after: release
--   from: db/migrations/20240201000000_release2.sql
-- migrate:up transaction:false
SET lock_timeout = '5s';
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_full_name_backfilled, ADD CONSTRAINT users_full_name_backfilled CHECK (full_name::text IS NOT DISTINCT FROM name::text) NOT VALID;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_full_name_backfilled;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_full_name_not_null;
COMMIT;
DROP TRIGGER IF EXISTS users_full_name_sync ON users;
DROP FUNCTION IF EXISTS users_full_name_sync();
ALTER TABLE users ALTER COLUMN full_name SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_full_name_not_null;
ALTER TABLE users DROP COLUMN IF EXISTS name;
ALTER INDEX IF EXISTS users_name_idx_full_name RENAME TO users_name_idx;
DROP VIEW IF EXISTS notes;
-- Before this runs, fill users.plan in the rows that hold NULL (written before the new code deployed), in batches; the scan below fails on any, and the migration must then run again.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_plan_not_null, ADD CONSTRAINT users_plan_not_null CHECK (plan IS NOT NULL) NOT VALID;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_plan_not_null;
ALTER TABLE users ALTER COLUMN plan SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_plan_not_null;
-- Before this runs, fill users.nickname in the rows that hold NULL (written before the new code deployed), in batches; the scan below fails on any, and the migration must then run again.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_nickname_not_null, ADD CONSTRAINT users_nickname_not_null CHECK (nickname IS NOT NULL) NOT VALID;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_nickname_not_null;
ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_nickname_not_null;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_org_fkey, ADD CONSTRAINT users_org_fkey FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_org_fkey;
-- Release 2 no longer reads or writes legacy_flags.
ALTER TABLE users DROP COLUMN legacy_flags;

-- migrate:down
ALTER TABLE users ADD COLUMN legacy_flags integer NOT NULL DEFAULT 0;
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_org_fkey;
ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;
ALTER TABLE users ALTER COLUMN plan DROP NOT NULL;
CREATE VIEW notes WITH (security_invoker = true) AS SELECT * FROM memos;
-- phasegate:phase expand gives the view of the old name the grants the table has
DO $phasegate$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT grantee, privilege_type FROM information_schema.role_table_grants
           WHERE table_schema = 'public' AND table_name = 'memos' AND grantee <> current_user LOOP
    EXECUTE format('GRANT %s ON notes TO %s', g.privilege_type,
                   CASE WHEN g.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(g.grantee) END);
  END LOOP;
END
$phasegate$;
ALTER INDEX IF EXISTS users_name_idx RENAME TO users_name_idx_full_name;
ALTER TABLE users ADD COLUMN IF NOT EXISTS name text DEFAULT '';
UPDATE users SET name = full_name;
CREATE INDEX users_name_idx ON users USING btree (name);
CREATE FUNCTION users_full_name_sync() RETURNS trigger LANGUAGE plpgsql AS $phasegate$
BEGIN
  -- Written by phasegate split: keeps name and full_name equal while both
  -- releases run, the previous one writing name, the new one full_name.
  IF TG_OP = 'INSERT' THEN
    IF NEW.name::text IS DISTINCT FROM NEW.full_name::text THEN
      IF NEW.full_name::text IS NOT DISTINCT FROM (CAST('' AS text))::text THEN
        NEW.full_name := NEW.name;
      ELSE
        NEW.name := NEW.full_name;
      END IF;
    END IF;
  ELSIF NEW.name::text IS DISTINCT FROM OLD.name::text THEN
    NEW.full_name := NEW.name;
  ELSIF NEW.full_name::text IS DISTINCT FROM OLD.full_name::text THEN
    NEW.name := NEW.full_name;
  ELSIF NEW.name::text IS DISTINCT FROM NEW.full_name::text THEN
    -- A row written before this trigger, not backfilled yet, updated
    -- in another column: name holds its value (full_name is NULL, or the
    -- default), and a NOT NULL's CHECK on full_name would refuse the update.
    NEW.full_name := NEW.name;
  END IF;
  RETURN NEW;
END
$phasegate$;
CREATE TRIGGER users_full_name_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_full_name_sync();
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_full_name_not_null CHECK (full_name IS NOT NULL) NOT VALID;
