-- phasegate:deferred
--   after: release
--   from: src/main/resources/db/migration/V2__score.sql
ALTER TABLE users DROP COLUMN old_score;
