SET lock_timeout = '5s';

-- Release 2 calls it full_name.
-- phasegate split: RENAME COLUMN name TO full_name, cut into expand and contract steps.
-- Its contract part waits in migrations-deferred/20240201000000_release2_contract.sql.
-- Right after this migration, outside a transaction: migrations/20240201000001_release2_online.sql.
ALTER TABLE users ADD COLUMN full_name text DEFAULT '';
ALTER TABLE users ADD CONSTRAINT users_full_name_not_null CHECK (full_name IS NOT NULL) NOT VALID;
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
-- phasegate split: RENAME TO memos, cut into expand and contract steps.
-- Its contract part waits in migrations-deferred/20240201000000_release2_contract.sql.
ALTER TABLE notes RENAME TO memos;
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
-- Release 2 writes plan and nickname on every insert.
-- phasegate split: ADD COLUMN plan ... NOT NULL, cut into expand and contract steps.
-- Its contract part waits in migrations-deferred/20240201000000_release2_contract.sql.
ALTER TABLE users ADD COLUMN plan text;
-- phasegate split: ALTER COLUMN nickname SET NOT NULL waits for the next release in migrations-deferred/20240201000000_release2_contract.sql,
-- as steps that hold no lock through a scan.
-- phasegate split: ADD CONSTRAINT users_org_fkey waits for the next release in migrations-deferred/20240201000000_release2_contract.sql,
-- as steps that hold no lock through a scan.
-- Release 2 no longer reads or writes legacy_flags.
-- phasegate split: DROP COLUMN legacy_flags, cut into expand and contract steps.
-- Its contract part waits in migrations-deferred/20240201000000_release2_contract.sql.
ALTER TABLE users ALTER COLUMN legacy_flags DROP NOT NULL;
