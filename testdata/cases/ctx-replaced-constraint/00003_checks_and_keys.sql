-- +goose Up
-- goose runs the Up section in one transaction.
-- A longer list of allowed values rejects nothing new:
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('new', 'paid', 'refunded'));
-- The same foreign key again, made NOT VALID while it is replaced:
ALTER TABLE orders DROP CONSTRAINT orders_account_fk;
ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_code) REFERENCES accounts (code) NOT VALID;

-- +goose Down
SELECT 1;
