-- Flyway runs the file in one transaction. A DEFERRABLE replacement
-- cannot be ON CONFLICT's arbiter: the drop stays a contract, and says why.
ALTER TABLE tags DROP CONSTRAINT tags_name_key;
ALTER TABLE tags ADD CONSTRAINT tags_name_uq UNIQUE (name) DEFERRABLE INITIALLY DEFERRED;
