-- A partition gets its parent's indexes under generated names: an index
-- phasegate does not know may exist in this schema now.
CREATE TABLE events (id bigint, at date) PARTITION BY RANGE (at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
DROP INDEX IF EXISTS events_2024_id_idx;
