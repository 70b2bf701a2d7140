CREATE TABLE "UserProfile" ("id" integer NOT NULL, "displayName" text, "order" int);
