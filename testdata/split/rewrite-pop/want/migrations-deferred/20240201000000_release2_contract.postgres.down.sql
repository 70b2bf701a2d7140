ALTER TABLE users ADD COLUMN legacy_flags integer NOT NULL DEFAULT 0;
CREATE VIEW notes AS SELECT * FROM memos;
