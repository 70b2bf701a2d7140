CREATE TABLE orgs (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (
	id bigint PRIMARY KEY,
	email varchar(255) NOT NULL,
	name text,
	status text DEFAULT 'active',
	created_at timestamptz NOT NULL DEFAULT now(),
	org_id bigint
);
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE events (id bigint, kind int, payload json);
CREATE MATERIALIZED VIEW user_stats AS SELECT count(*) AS n FROM users;
CREATE VIEW active_users AS SELECT * FROM users WHERE status = 'active';
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch();
CREATE SEQUENCE invoice_seq;
