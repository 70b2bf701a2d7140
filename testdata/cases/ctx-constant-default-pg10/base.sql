CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255) NOT NULL, name text, bio text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric(10,2));
