-- Statements that use what a deferred statement renames or drops move with it.
-- phasegate split: RENAME COLUMN name TO display_name, cut into expand and contract steps.
-- Its contract part waits in db/migrations/deferred/0002_rename_contract.up.sql.
-- Right after this migration, outside a transaction: db/migrations/0003_rename_backfill_display_name.up.sql.
ALTER TABLE users ADD COLUMN display_name text;
CREATE FUNCTION users_display_name_sync() RETURNS trigger LANGUAGE plpgsql AS $phasegate$
BEGIN
  -- Written by phasegate split: keeps name and display_name equal while both
  -- releases run, the previous one writing name, the new one display_name.
  IF TG_OP = 'INSERT' THEN
    IF NEW.name::text IS DISTINCT FROM NEW.display_name::text THEN
      IF NEW.display_name::text IS NOT DISTINCT FROM (CAST(NULL AS text))::text THEN
        NEW.display_name := NEW.name;
      ELSE
        NEW.name := NEW.display_name;
      END IF;
    END IF;
  ELSIF NEW.name::text IS DISTINCT FROM OLD.name::text THEN
    NEW.display_name := NEW.name;
  ELSIF NEW.display_name::text IS DISTINCT FROM OLD.display_name::text THEN
    NEW.name := NEW.display_name;
  ELSIF NEW.name::text IS DISTINCT FROM NEW.display_name::text THEN
    -- A row written before this trigger, not backfilled yet, updated
    -- in another column: name holds its value (display_name is NULL, or the
    -- default), and a NOT NULL's CHECK on display_name would refuse the update.
    NEW.display_name := NEW.name;
  END IF;
  RETURN NEW;
END
$phasegate$;
CREATE TRIGGER users_display_name_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_display_name_sync();
COMMENT ON COLUMN users.display_name IS 'shown in the UI';
-- Unrelated expand statements stay.
ALTER TABLE users ADD COLUMN nick text;
COMMENT ON COLUMN users.email IS 'login';
