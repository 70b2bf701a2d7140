SET lock_timeout = '5s';

-- BOM and CRLF: positions still count from the visible text
ALTER TABLE users DROP COLUMN bio;
