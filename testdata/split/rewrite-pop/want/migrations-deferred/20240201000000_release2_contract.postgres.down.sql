ALTER TABLE users ADD COLUMN legacy_flags integer NOT NULL DEFAULT 0;
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
