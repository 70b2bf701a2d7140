-- Release 2 calls the table memos.
-- phasegate split: RENAME TO memos, cut into expand and contract steps.
-- Its contract part waits in migrations-deferred/20240201000000_release2_contract.postgres.up.sql.
ALTER TABLE notes RENAME TO memos;
CREATE VIEW notes WITH (security_invoker = true) AS SELECT * FROM memos;
-- phasegate:phase expand gives the view of the old name the grants the table has
DO $phasegate$
DECLARE
  g record;
BEGIN
  FOR g IN SELECT grantee, privilege_type FROM information_schema.role_table_grants
           WHERE table_schema = 'public' AND table_name = 'memos' AND grantee <> current_user LOOP
    EXECUTE format('GRANT %s ON notes TO %s', g.privilege_type,
                   CASE WHEN g.grantee = 'PUBLIC' THEN 'PUBLIC' ELSE quote_ident(g.grantee) END);
  END LOOP;
END
$phasegate$;
-- Release 2 no longer reads or writes legacy_flags.
-- phasegate split: DROP COLUMN legacy_flags, cut into expand and contract steps.
-- Its contract part waits in migrations-deferred/20240201000000_release2_contract.postgres.up.sql.
ALTER TABLE users ALTER COLUMN legacy_flags DROP NOT NULL;
