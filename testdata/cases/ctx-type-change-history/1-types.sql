SET lock_timeout = '5s';
-- varchar(255) to varchar(500): no rewrite, widening (expand)
ALTER TABLE users ALTER COLUMN email TYPE varchar(500);
-- text to varchar(50): every row checked (rewrite), values may not fit (contract)
ALTER TABLE users ALTER COLUMN name TYPE varchar(50);
-- numeric(10,2) to numeric(12,2): no rewrite
ALTER TABLE orders ALTER COLUMN total TYPE numeric(12,2);
-- bigint to integer: rewrite and narrowing
ALTER TABLE orders ALTER COLUMN user_id TYPE integer;
