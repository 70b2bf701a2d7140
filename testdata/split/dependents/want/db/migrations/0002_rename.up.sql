-- Unrelated expand statements stay.
ALTER TABLE users ADD COLUMN nick text;
COMMENT ON COLUMN users.email IS 'login';
