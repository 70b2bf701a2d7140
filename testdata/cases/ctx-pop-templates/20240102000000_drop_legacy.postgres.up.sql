-- Positions point into the template as written: the index below is at the
-- column where its text starts, inside the if action (line 4, column 23).
ALTER TABLE {{ .Options.Namespace }}.users DROP COLUMN legacy_flags;
{{ if .IsPostgreSQL }}CREATE INDEX users_nick_idx ON {{ .Options.Namespace }}.users (nick);{{ end }}
