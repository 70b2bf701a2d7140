--liquibase formatted sql
--changeset ann:1
CREATE TABLE users (id bigint PRIMARY KEY, name text, bio text);
--rollback DROP TABLE users;
