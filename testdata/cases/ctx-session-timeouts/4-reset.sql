SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN e text;
RESET lock_timeout;
ALTER TABLE users ADD COLUMN f text;
