CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);
-- added after release: production never runs it
CREATE INDEX users_email_idx ON users (email);
