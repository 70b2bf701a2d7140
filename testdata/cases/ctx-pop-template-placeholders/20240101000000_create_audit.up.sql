-- No migrations.template_options: the option is rendered as a placeholder
-- (pop_option_namespace), with a note; the schema it names is new.
CREATE SCHEMA IF NOT EXISTS {{ index .Options "Namespace" }};
CREATE TABLE {{ index .Options "Namespace" }}.audit_log (id bigint PRIMARY KEY, user_id bigint, at timestamptz);
CREATE INDEX audit_log_user_idx ON {{ index .Options "Namespace" }}.audit_log (user_id);
