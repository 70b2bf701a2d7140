-- phasegate:deferred
--   after: release
--   from: db/migrations/0002_rename.up.sql
ALTER TABLE accounts RENAME TO customers;
CREATE VIEW accounts AS SELECT * FROM customers;
