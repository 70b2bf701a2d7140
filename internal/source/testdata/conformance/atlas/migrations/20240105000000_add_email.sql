-- atlas:txmode none

ALTER TABLE users ADD COLUMN email text;
