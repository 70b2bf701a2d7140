-- A plain file runs statement by statement (psql -f): between the two, the
-- previous release sees no check at all, and the new one then narrows it.
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('new', 'paid', 'refunded', 'void'));
