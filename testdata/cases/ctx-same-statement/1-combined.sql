SET lock_timeout = '5s';
-- Columns added by the same ALTER TABLE are new: constraints on them check no existing row.
ALTER TABLE users ADD COLUMN org2_id bigint, ADD CONSTRAINT users_org2_fk FOREIGN KEY (org2_id) REFERENCES orgs (id) NOT VALID;
ALTER TABLE users ADD COLUMN code text NOT NULL DEFAULT 'x', ADD CONSTRAINT users_code_len CHECK (char_length(code) < 10);
-- A column the (fully known) table does not have: the statement does nothing.
ALTER TABLE users DROP COLUMN IF EXISTS never_was;
-- Still flagged: the constraint covers an existing column too.
ALTER TABLE users ADD COLUMN code2 text, ADD CONSTRAINT users_code2 CHECK (code2 <> email);
