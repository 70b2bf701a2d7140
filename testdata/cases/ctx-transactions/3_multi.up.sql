-- golang-migrate sends the file as one query: PostgreSQL runs it as one implicit transaction.
SET lock_timeout = '5s';
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_idx ON users (email);
