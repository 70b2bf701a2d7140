SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN note text;
ALTER TABLE users ADD COLUMN age int int;
