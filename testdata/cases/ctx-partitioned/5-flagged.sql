CREATE INDEX events_at_idx2 ON events (at);
