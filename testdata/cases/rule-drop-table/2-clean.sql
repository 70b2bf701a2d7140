CREATE TABLE tmp (id int);
DROP TABLE tmp;
