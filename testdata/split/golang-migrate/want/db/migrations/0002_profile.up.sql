SET lock_timeout = '5s';

-- Display names for the new release.
ALTER TABLE users ADD COLUMN display_name text;
