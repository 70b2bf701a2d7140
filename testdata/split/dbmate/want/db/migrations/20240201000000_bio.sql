-- migrate:up
-- phasegate split: RENAME COLUMN bio TO about, cut into expand and contract steps.
-- Its contract part waits in db/migrations/deferred/20240201000000_bio_contract.sql.
-- Right after this migration, outside a transaction: db/migrations/20240201000001_bio_backfill_about.sql.
ALTER TABLE users ADD COLUMN about text;
CREATE FUNCTION users_about_sync() RETURNS trigger LANGUAGE plpgsql AS $phasegate$
BEGIN
  -- Written by phasegate split: keeps bio and about equal while both
  -- releases run, the previous one writing bio, the new one about.
  IF TG_OP = 'INSERT' THEN
    IF NEW.bio::text IS DISTINCT FROM NEW.about::text THEN
      IF NEW.about::text IS NOT DISTINCT FROM (CAST(NULL AS text))::text THEN
        NEW.about := NEW.bio;
      ELSE
        NEW.bio := NEW.about;
      END IF;
    END IF;
  ELSIF NEW.bio::text IS DISTINCT FROM OLD.bio::text THEN
    NEW.about := NEW.bio;
  ELSIF NEW.about::text IS DISTINCT FROM OLD.about::text THEN
    NEW.bio := NEW.about;
  ELSIF NEW.bio::text IS DISTINCT FROM NEW.about::text THEN
    -- A row written before this trigger, not backfilled yet, updated
    -- in another column: bio holds its value (about is NULL, or the
    -- default), and a NOT NULL's CHECK on about would refuse the update.
    NEW.about := NEW.bio;
  END IF;
  RETURN NEW;
END
$phasegate$;
CREATE TRIGGER users_about_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_about_sync();
ALTER TABLE users ADD COLUMN avatar text;

-- migrate:down
ALTER TABLE users DROP COLUMN avatar;
DROP TRIGGER IF EXISTS users_about_sync ON users;
DROP FUNCTION IF EXISTS users_about_sync();
ALTER TABLE users DROP COLUMN IF EXISTS about;
