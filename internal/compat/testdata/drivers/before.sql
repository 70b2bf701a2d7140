-- The previous release's schema.
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE users (id serial PRIMARY KEY, email varchar(255) NOT NULL, nick text, age int, legacy_flags int, mood mood);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TABLE orders (id serial PRIMARY KEY, user_id int);
CREATE FUNCTION touch_user(id int) RETURNS int LANGUAGE sql AS 'SELECT id';
