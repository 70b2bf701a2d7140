-- phasegate:deferred
--   after: release
--   from: prisma/migrations/20240301000000_drop_legacy/migration.sql
-- AlterTable
ALTER TABLE "User" DROP COLUMN "legacy";
