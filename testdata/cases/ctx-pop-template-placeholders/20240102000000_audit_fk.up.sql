ALTER TABLE {{ index .Options "Namespace" }}.audit_log ADD CONSTRAINT audit_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
