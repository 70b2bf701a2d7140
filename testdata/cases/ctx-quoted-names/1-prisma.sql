-- Fixes quote names as PostgreSQL needs them (Prisma's mixed case, keywords), so they run as written.
SET lock_timeout = '5s';
CREATE INDEX "UserProfile_displayName_idx" ON "UserProfile" ("displayName");
ALTER TABLE "UserProfile" ALTER COLUMN "order" SET NOT NULL;
ALTER TABLE "UserProfile" RENAME COLUMN "displayName" TO "name";
