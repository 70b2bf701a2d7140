SET lock_timeout = '5s';
ALTER TABLE orgs ADD COLUMN name text;
