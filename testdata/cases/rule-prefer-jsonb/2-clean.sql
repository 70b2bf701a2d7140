ALTER TABLE users ADD COLUMN prefs jsonb;
