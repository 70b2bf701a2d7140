-- phasegate:deferred
--   after: release
--   from: migrations/versions/0002_display_name.py
ALTER TABLE users DROP COLUMN legacy_flags;
