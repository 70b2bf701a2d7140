CREATE TABLE draft (id int);
ALTER TABLE draft RENAME TO final;
