-- users.legacy_flags stays nullable: the new release wrote rows without it
DROP VIEW IF EXISTS notes;
ALTER TABLE memos RENAME TO notes;
