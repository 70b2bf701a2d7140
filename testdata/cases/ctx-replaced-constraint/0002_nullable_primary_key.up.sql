-- The same replacement over a nullable column: PRIMARY KEY makes it NOT
-- NULL, which the previous release may violate.
ALTER TABLE devices DROP CONSTRAINT devices_serial_key;
ALTER TABLE devices ADD PRIMARY KEY (serial);
