-- PostgreSQL refuses this one; without CONCURRENTLY it locks every partition.
CREATE INDEX CONCURRENTLY events_at_idx ON events (at);
