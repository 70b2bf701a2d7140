-- phasegate:deferred
--   after: release
--   from: db/migrations/20240201000000_bio.sql
-- migrate:up transaction:false
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_about_backfilled, ADD CONSTRAINT users_about_backfilled CHECK (about::text IS NOT DISTINCT FROM bio::text) NOT VALID;
COMMIT;
ALTER TABLE users VALIDATE CONSTRAINT users_about_backfilled;
COMMIT;
DROP TRIGGER IF EXISTS users_about_sync ON users;
DROP FUNCTION IF EXISTS users_about_sync();
ALTER TABLE users DROP COLUMN IF EXISTS bio;

-- migrate:down
ALTER TABLE users ADD COLUMN IF NOT EXISTS bio text;
UPDATE users SET bio = about;
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
