ALTER TABLE users ADD COLUMN legacy_flags integer NOT NULL DEFAULT 0;
ALTER TABLE memos RENAME TO notes;
