CREATE TABLE t (code varchar(20), flag char(1));
