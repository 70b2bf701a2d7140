CREATE TABLE "User" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "legacy" TEXT);
