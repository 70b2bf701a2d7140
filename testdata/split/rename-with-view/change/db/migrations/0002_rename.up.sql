ALTER TABLE accounts ADD COLUMN plan text;
ALTER TABLE accounts RENAME TO customers;
CREATE VIEW accounts AS SELECT * FROM customers;
