ALTER TABLE users ADD COLUMN prefs json;
