ALTER TABLE users ADD CONSTRAINT email_lower CHECK (email = lower(email)) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT email_lower;
