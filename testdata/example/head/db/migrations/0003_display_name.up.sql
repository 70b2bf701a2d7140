SET lock_timeout = '5s';

-- The new release shows a display name: an expand step, safe before the deploy.
ALTER TABLE users ADD COLUMN display_name text;
CREATE INDEX users_display_name_idx ON users (display_name);

-- The new release no longer reads legacy_flags, but the previous one still does:
-- dropping it now breaks every instance still running the previous release.
ALTER TABLE users DROP COLUMN legacy_flags;
