-- +migrate Up
CREATE TABLE users (id bigint PRIMARY KEY, name text, bio text);

-- +migrate Down
DROP TABLE users;
