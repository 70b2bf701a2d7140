CREATE TYPE visibility AS ENUM ('public', 'private');
CREATE TYPE status AS ENUM ('draft', 'live', 'archived');
CREATE TYPE address AS (street text, zip text);
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE posts (id bigint PRIMARY KEY, title text NOT NULL, body text,
	visibility visibility NOT NULL DEFAULT 'public', status status NOT NULL DEFAULT 'draft', created_at timestamptz);
CREATE TABLE people (id bigint PRIMARY KEY, email email, home address);
CREATE VIEW public_posts AS SELECT id, title, body FROM posts WHERE body IS NOT NULL;
CREATE VIEW post_titles AS SELECT id, title FROM posts;
CREATE SEQUENCE invoice_seq;
CREATE TYPE point2 AS (x int, y int);
CREATE VIEW recent_posts AS SELECT id, title FROM posts;
