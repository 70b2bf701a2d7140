-- phasegate:deferred
--   after: release
--   from: migrations/00002_nick.sql
-- +goose Up
-- +goose StatementBegin
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio') THEN
    ALTER TABLE users DROP COLUMN bio;
  END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE users ADD COLUMN bio text;
