CREATE TABLE {{ index .Options "Namespace" }}.things (id bigint);
-- .Schema is no field of pop's template data: pop fails to render this
-- file, and so does phasegate, at the action.
ALTER TABLE {{ .Schema }}.things ADD COLUMN name text;
