CREATE TABLE users (id bigint PRIMARY KEY, name text, old_score int);
