SET lock_timeout = '5s';
-- PostgreSQL takes SHARE UPDATE EXCLUSIVE for a comment; phasegate predicts no lock
COMMENT ON TABLE users IS 'people who sign in';
-- measured as predicted: no finding
ALTER TABLE users ADD COLUMN nick text;
