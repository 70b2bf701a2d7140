--liquibase formatted sql
--changeset ada:1
CREATE TABLE users (id bigint PRIMARY KEY);
