-- Release 2 calls the table memos.
-- phasegate split: RENAME TO memos, cut into expand and contract steps.
-- Its contract part waits in db/deferred/release2_contract.sql.
BEGIN;
ALTER TABLE notes RENAME TO memos;
CREATE VIEW notes AS SELECT * FROM memos;
COMMIT;
-- Release 2 no longer reads or writes legacy_flags.
-- phasegate split: DROP COLUMN legacy_flags, cut into expand and contract steps.
-- Its contract part waits in db/deferred/release2_contract.sql.
ALTER TABLE users ALTER COLUMN legacy_flags DROP NOT NULL;
