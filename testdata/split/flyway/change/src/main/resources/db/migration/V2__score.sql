ALTER TABLE users ADD COLUMN score bigint;
UPDATE users SET score = old_score WHERE id IN (SELECT id FROM users WHERE score IS NULL LIMIT 1000);
ALTER TABLE users DROP COLUMN old_score;
