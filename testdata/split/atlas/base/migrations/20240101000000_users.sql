CREATE TABLE users (id bigint PRIMARY KEY, name text, bio text);
