SET lock_timeout = '5s';

-- Display names for the new release.
ALTER TABLE users ADD COLUMN display_name text;

-- The new release no longer reads these.
ALTER TABLE users DROP COLUMN legacy_flags; -- phasegate:ignore missing-lock-timeout set above
ALTER TABLE users DROP COLUMN name;
