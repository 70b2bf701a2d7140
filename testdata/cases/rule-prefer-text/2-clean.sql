CREATE TABLE t (code text CHECK (char_length(code) <= 20));
