CREATE TABLE t (at timestamptz);
