-- A single statement runs outside a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_bio_idx ON users (bio);
