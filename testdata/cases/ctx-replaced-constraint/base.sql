CREATE TABLE accounts (code text NOT NULL, name text, CONSTRAINT accounts_code_key UNIQUE (code));
CREATE TABLE devices (serial text, CONSTRAINT devices_serial_key UNIQUE (serial));
CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, account_code text,
	CONSTRAINT orders_status_check CHECK (status IN ('new', 'paid')),
	CONSTRAINT orders_account_fk FOREIGN KEY (account_code) REFERENCES accounts (code));
CREATE TABLE tags (name text NOT NULL, CONSTRAINT tags_name_key UNIQUE (name));
