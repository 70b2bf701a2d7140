-- The recipe: the parent's index ON ONLY (catalog only), then each partition's concurrently.
CREATE INDEX events_id_idx ON ONLY events (id);
