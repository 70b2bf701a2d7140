-- migrate:up
CREATE TABLE users (id bigint PRIMARY KEY, name text, bio text);
-- migrate:down
DROP TABLE users;
