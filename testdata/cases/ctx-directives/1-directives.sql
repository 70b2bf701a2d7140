SET lock_timeout = '5s';
-- phasegate:phase expand nothing has read users.bio since v2.3, checked in the query log
ALTER TABLE users DROP COLUMN bio;
-- phasegate:ignore create-index-non-concurrently orders has 40 rows in production
CREATE INDEX orders_user_idx ON orders (user_id);
ALTER TABLE users ADD COLUMN nick text; -- phasegate:ignore drop-column nothing to ignore here
-- phasegate:phase contract we want it deferred
UPDATE users SET nick = name WHERE nick IS NULL AND id IN (SELECT id FROM users WHERE nick IS NULL LIMIT 1000);
