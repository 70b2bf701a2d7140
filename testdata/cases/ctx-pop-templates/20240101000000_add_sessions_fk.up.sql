-- pop renders this file with Go's text/template before running it:
-- phasegate reads it the same way, with migrations.template_options.
ALTER TABLE {{ index .Options "Namespace" }}.sessions ADD COLUMN created_at timestamptz;
ALTER TABLE {{ index .Options "Namespace" }}.sessions ADD CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES {{ index .Options "Namespace" }}.users (id);
