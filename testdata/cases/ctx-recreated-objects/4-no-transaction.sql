-- A plain file runs statement by statement (psql -f): between the drop and
-- the create, the view is missing for the previous release.
DROP VIEW recent_posts;
CREATE VIEW recent_posts AS SELECT id, title FROM posts;
