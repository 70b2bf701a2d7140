-- golang-migrate runs the file as one implicit transaction: the unique key
-- becomes the primary key over the same NOT NULL column, and rejects
-- nothing new. Neither statement is a contract.
ALTER TABLE accounts DROP CONSTRAINT accounts_code_key;
ALTER TABLE accounts ADD CONSTRAINT accounts_pkey PRIMARY KEY (code);
