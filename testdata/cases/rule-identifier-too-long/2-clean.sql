CREATE INDEX CONCURRENTLY users_email_name_idx ON users (email, name);
