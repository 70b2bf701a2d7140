SET lock_timeout = '5s';
DROP SEQUENCE invoice_numbers;
