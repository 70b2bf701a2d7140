ALTER TABLE users ADD COLUMN legacy text;
ALTER TABLE users DROP COLUMN handle;
