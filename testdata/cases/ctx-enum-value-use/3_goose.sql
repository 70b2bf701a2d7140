-- +goose Up
-- goose runs the file in one transaction.
ALTER TYPE mood ADD VALUE 'fine';
INSERT INTO people (id, m) VALUES (2, 'fine');

-- +goose Down
DELETE FROM people WHERE id = 2;
