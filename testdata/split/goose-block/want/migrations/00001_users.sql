-- +goose Up
CREATE TABLE users (id bigint PRIMARY KEY, name text, bio text);
-- +goose Down
DROP TABLE users;
