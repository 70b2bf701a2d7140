-- Flyway: one transaction. The enum created again without 'archived': the
-- previous release still writes it.
ALTER TYPE status RENAME TO status_old;
CREATE TYPE status AS ENUM ('draft', 'live');
ALTER TABLE posts ALTER COLUMN status DROP DEFAULT;
ALTER TABLE posts ALTER COLUMN status TYPE status USING status::text::status;
ALTER TABLE posts ALTER COLUMN status SET DEFAULT 'draft';
DROP TYPE status_old;
