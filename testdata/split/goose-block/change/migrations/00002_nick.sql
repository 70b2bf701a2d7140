-- +goose Up
-- +goose StatementBegin
DO $$ BEGIN
  IF EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'bio') THEN
    ALTER TABLE users DROP COLUMN bio;
  END IF;
END $$;
-- +goose StatementEnd
ALTER TABLE users ADD COLUMN nick text;

-- +goose Down
ALTER TABLE users DROP COLUMN nick;
ALTER TABLE users ADD COLUMN bio text;
