-- +goose Up
-- goose: one transaction. Each object is dropped and created again.
-- A composite type that gains an attribute: nothing the previous release
-- uses goes missing.
DROP TYPE point2;
CREATE TYPE point2 AS (x int, y int, z int);
-- The same with CASCADE drops the columns of the type, and a domain created
-- again with the same check does too.
DROP TYPE address CASCADE;
CREATE TYPE address AS (street text, zip text, city text);
DROP DOMAIN email CASCADE;
CREATE DOMAIN email AS text CHECK (VALUE LIKE '%@%');
-- A view that keeps its columns and gains one, and one that loses one:
DROP VIEW public_posts;
CREATE VIEW public_posts AS SELECT id, title, body, created_at FROM posts WHERE body IS NOT NULL;
DROP VIEW post_titles;
CREATE VIEW post_titles AS SELECT id FROM posts;
-- A sequence created again starts from scratch:
DROP SEQUENCE invoice_seq;
CREATE SEQUENCE invoice_seq;

-- +goose Down
SELECT 1;
