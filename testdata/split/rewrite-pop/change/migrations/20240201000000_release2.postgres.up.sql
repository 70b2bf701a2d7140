-- Release 2 calls the table memos.
ALTER TABLE notes RENAME TO memos;
-- Release 2 no longer reads or writes legacy_flags.
ALTER TABLE users DROP COLUMN legacy_flags;
