DO $$ BEGIN EXECUTE 'DROP TABLE ' || 'events'; END $$;
