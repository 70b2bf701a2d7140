ALTER TABLE users ADD COLUMN nick2 text;
ALTER TABLE events ADD COLUMN source2 text;
