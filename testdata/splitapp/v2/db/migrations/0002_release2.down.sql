ALTER TABLE users ADD COLUMN legacy_flags integer NOT NULL DEFAULT 0;
ALTER TABLE users DROP COLUMN plan;
ALTER TABLE memos RENAME TO notes;
ALTER TABLE users RENAME COLUMN full_name TO name;
