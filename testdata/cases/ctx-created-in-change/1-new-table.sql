-- A table created by the change has no rows and no readers yet: nothing here is a hazard.
CREATE TABLE invoices (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));
CREATE INDEX invoices_user_idx ON invoices (user_id);
ALTER TABLE invoices ADD COLUMN total numeric(10,2) NOT NULL;
ALTER TABLE invoices ALTER COLUMN total TYPE numeric(8,2);
ALTER TABLE invoices ADD CONSTRAINT total_positive CHECK (total > 0);
ALTER TABLE invoices DROP COLUMN total;
