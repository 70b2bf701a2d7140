-- +goose Up
SET lock_timeout = '5s';

-- Release 2 calls it full_name.
ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE notes RENAME TO memos;
-- Release 2 writes plan and nickname on every insert.
ALTER TABLE users ADD COLUMN plan text NOT NULL;
ALTER TABLE users ALTER COLUMN nickname SET NOT NULL;
ALTER TABLE users ADD CONSTRAINT users_org_fkey FOREIGN KEY (org_id) REFERENCES orgs (id);
-- Release 2 no longer reads or writes legacy_flags.
ALTER TABLE users DROP COLUMN legacy_flags;

-- +goose Down
ALTER TABLE users ADD COLUMN legacy_flags integer NOT NULL DEFAULT 0;
ALTER TABLE users DROP CONSTRAINT users_org_fkey;
ALTER TABLE users ALTER COLUMN nickname DROP NOT NULL;
ALTER TABLE users DROP COLUMN plan;
ALTER TABLE memos RENAME TO notes;
ALTER TABLE users RENAME COLUMN full_name TO name;
