DROP TABLE notes;
DROP TABLE users;
