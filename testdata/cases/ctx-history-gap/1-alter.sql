SET lock_timeout = '5s';
-- The history created accounts in a DO block, so the column's type is unknown:
-- phasegate says so and assumes the worst.
ALTER TABLE accounts ALTER COLUMN handle TYPE varchar(80);
