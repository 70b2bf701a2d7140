ALTER TABLE users ADD COLUMN team_id bigint REFERENCES orgs (id);
