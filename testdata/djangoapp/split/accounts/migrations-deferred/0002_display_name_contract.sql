-- phasegate:deferred
--   after: release
--   from: accounts/migrations/0002_display_name.py
SET lock_timeout = '5s';
ALTER TABLE "accounts_user" DROP COLUMN "legacy_flags" CASCADE;
