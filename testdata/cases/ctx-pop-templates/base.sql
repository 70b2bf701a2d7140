CREATE SCHEMA auth;
CREATE TABLE auth.users (id bigint PRIMARY KEY, email text NOT NULL, legacy_flags int, nick text);
CREATE TABLE auth.sessions (id bigint PRIMARY KEY, user_id bigint);
