SET lock_timeout = '5s';

-- Release 2 calls the user's name full_name, and notes memos.
ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE notes RENAME TO memos;
-- Release 2 writes every user's plan.
ALTER TABLE users ADD COLUMN plan text NOT NULL;
-- Release 2 no longer reads or writes legacy_flags.
ALTER TABLE users DROP COLUMN legacy_flags;
