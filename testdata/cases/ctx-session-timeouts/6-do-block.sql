-- A DO block is a transaction of its own: its SET LOCAL holds for the
-- statements after it in the block, and ends with the block.
DO $$ BEGIN SET LOCAL lock_timeout = '1s'; ALTER TABLE users ADD COLUMN i text; END $$;
ALTER TABLE users ADD COLUMN j text;
