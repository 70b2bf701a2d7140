SET statement_timeout = '15min';
ALTER TABLE users ADD COLUMN nick2 text;
