--liquibase formatted sql
-- phasegate:deferred
--   after: release
--   from: db/changelog/002_nick.sql
--changeset ann:2-contract
ALTER TABLE users DROP COLUMN bio;
