DO $$ BEGIN
  EXECUTE 'CREATE TABLE ' || 'accounts (id bigint, handle varchar(40))';
END $$;
