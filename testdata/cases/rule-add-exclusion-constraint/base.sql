CREATE TABLE bookings (id int, during tstzrange);
