--liquibase formatted sql
--changeset ada:5 runInTransaction:false
ALTER TABLE users ADD COLUMN email text;
