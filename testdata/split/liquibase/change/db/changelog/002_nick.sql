--liquibase formatted sql
--changeset ann:2
ALTER TABLE users ADD COLUMN nick text;
ALTER TABLE users DROP COLUMN bio;
--rollback ALTER TABLE users ADD COLUMN bio text;
--rollback ALTER TABLE users DROP COLUMN nick;
