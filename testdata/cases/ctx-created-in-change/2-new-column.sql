-- A column added by the change (in an earlier file) is not read by the previous release.
ALTER TABLE users ADD COLUMN org_id bigint;
ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY (org_id) REFERENCES users (id) NOT VALID;
ALTER TABLE users DROP COLUMN org_id;
DROP TABLE invoices;
