-- note: no release reads legacy_flags since v2.
ALTER TABLE users DROP COLUMN legacy_flags;
