-- Statements that use what a deferred statement renames or drops move with it.
ALTER TABLE users RENAME COLUMN name TO display_name;
ALTER TABLE users ADD CONSTRAINT users_display_name_len CHECK (char_length(display_name) < 200) NOT VALID;
COMMENT ON COLUMN users.display_name IS 'shown in the UI';
ALTER TABLE users DROP COLUMN legacy;
ALTER TABLE users ADD COLUMN legacy jsonb;
-- Unrelated expand statements stay.
ALTER TABLE users ADD COLUMN nick text;
COMMENT ON COLUMN users.email IS 'login';
