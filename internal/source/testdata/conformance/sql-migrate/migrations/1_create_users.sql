-- +migrate Up
CREATE TABLE users (id bigint PRIMARY KEY);

-- +migrate Down
DROP TABLE users;
