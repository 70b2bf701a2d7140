-- A DO block is one transaction.
DO $$
BEGIN
  ALTER TYPE mood ADD VALUE IF NOT EXISTS 'calm';
  PERFORM 1 FROM people WHERE m = 'calm';
END $$;
