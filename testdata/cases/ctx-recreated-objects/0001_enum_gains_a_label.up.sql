-- golang-migrate: one implicit transaction. The enum is renamed away,
-- created again with one more label, the column converted back to its
-- name, the old type dropped: the previous release sees the same name with
-- every label it writes. Only the rewrite is a hazard.
ALTER TYPE visibility RENAME TO visibility_old;
CREATE TYPE visibility AS ENUM ('public', 'private', 'unlisted');
ALTER TABLE posts ALTER COLUMN visibility DROP DEFAULT;
ALTER TABLE posts ALTER COLUMN visibility TYPE visibility USING visibility::text::visibility;
ALTER TABLE posts ALTER COLUMN visibility SET DEFAULT 'public';
DROP TYPE visibility_old;
