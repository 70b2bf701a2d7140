ALTER TABLE users ADD COLUMN handle text;
DROP TABLE IF EXISTS sessions_old;
ALTER TABLE users DROP COLUMN legacy;
