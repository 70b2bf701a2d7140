SET lock_timeout = '5s';
-- A serial or identity column's sequence (<table>_<column>_seq) is created
-- with its table: renaming or dropping it in the same change touches
-- nothing production has.
CREATE TABLE t9 (id serial PRIMARY KEY);
ALTER SEQUENCE t9_id_seq RENAME TO t9_seq;
DROP SEQUENCE t9_seq CASCADE;
CREATE TABLE t10 (id bigint GENERATED ALWAYS AS IDENTITY, n int);
ALTER TABLE t10 RENAME TO t11;
ALTER SEQUENCE t10_id_seq RENAME TO t11_id_seq;
ALTER TABLE t11 ADD COLUMN ref bigserial;
ALTER SEQUENCE t11_ref_seq RENAME TO t11_refs;
-- The sequence of a production table's serial column is production's.
ALTER SEQUENCE invoices_id_seq RENAME TO invoice_numbers;
