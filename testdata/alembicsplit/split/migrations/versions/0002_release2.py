"""release 2: full_name, memos, plan; legacy_flags goes

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    # Release 2 calls the user's name full_name, and notes memos.
    # phasegate split rewrote: op.alter_column("users", "name", new_column_name="full_name")
    # RENAME COLUMN name TO full_name, cut into expand and contract steps.
    # Its contract part waits in migrations/deferred/0002_release2_contract.py.
    # Then, at the end of upgrade(), outside a transaction: backfill full name, index users name idx full name.
    op.execute("ALTER TABLE users ADD COLUMN full_name text")
    op.execute("ALTER TABLE users ADD CONSTRAINT users_full_name_not_null CHECK (full_name IS NOT NULL) NOT VALID")
    op.execute("""CREATE FUNCTION users_full_name_sync() RETURNS trigger LANGUAGE plpgsql AS $phasegate$
BEGIN
  -- Written by phasegate split: keeps name and full_name equal while both
  -- releases run, the previous one writing name, the new one full_name.
  IF TG_OP = 'INSERT' THEN
    IF NEW.name::text IS DISTINCT FROM NEW.full_name::text THEN
      IF NEW.full_name::text IS NOT DISTINCT FROM (CAST(NULL AS text))::text THEN
        NEW.full_name := NEW.name;
      ELSE
        NEW.name := NEW.full_name;
      END IF;
    END IF;
  ELSIF NEW.name::text IS DISTINCT FROM OLD.name::text THEN
    NEW.full_name := NEW.name;
  ELSIF NEW.full_name::text IS DISTINCT FROM OLD.full_name::text THEN
    NEW.name := NEW.full_name;
  ELSIF NEW.name::text IS DISTINCT FROM NEW.full_name::text THEN
    -- A row written before this trigger, not backfilled yet, updated
    -- in another column: name holds its value (full_name is NULL, or the
    -- default), and a NOT NULL's CHECK on full_name would refuse the update.
    NEW.full_name := NEW.name;
  END IF;
  RETURN NEW;
END
$phasegate$""")
    op.execute("CREATE TRIGGER users_full_name_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_full_name_sync()")
    # phasegate split rewrote: op.rename_table("notes", "memos")
    # RENAME TO memos, cut into expand and contract steps.
    # Its contract part waits in migrations/deferred/0002_release2_contract.py.
    op.execute("ALTER TABLE notes RENAME TO memos")
    op.execute("CREATE VIEW notes WITH (security_invoker = true) AS SELECT * FROM memos")
    op.execute("""-- phasegate:phase expand gives the view of the old name the grants the table has
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
$phasegate$""")
    # Release 2 writes every user's plan.
    # phasegate split rewrote: op.add_column("users", sa.Column("plan", sa.Text, nullable=False))
    # ADD COLUMN plan ... NOT NULL, cut into expand and contract steps.
    # Its contract part waits in migrations/deferred/0002_release2_contract.py.
    op.execute("ALTER TABLE users ADD COLUMN plan text")
    # Release 2 no longer reads or writes legacy_flags.
    # phasegate split rewrote: op.drop_column("users", "legacy_flags")
    # DROP COLUMN legacy_flags, cut into expand and contract steps.
    # Its contract part waits in migrations/deferred/0002_release2_contract.py.
    op.execute("ALTER TABLE users ALTER COLUMN legacy_flags DROP NOT NULL")
    # phasegate split: backfill full name, index users name idx full name, outside a transaction: they commit what ran
    # before them, and must run before the deploy.
    with op.get_context().autocommit_block():
        op.execute("""DO $phasegate$
DECLARE
  last_page bigint := pg_relation_size('users') / current_setting('block_size')::bigint;
  first_page bigint := 0;
BEGIN
  -- Written by phasegate split: a batched backfill, 1,000 pages per
  -- transaction; it must run outside a transaction block.
  WHILE first_page <= last_page LOOP
    -- The table's own triggers (an updated_at) must not fire for a copy:
    -- session_replication_role = replica skips them, for this batch, where
    -- the role may set it (a superuser).
    BEGIN
      PERFORM set_config('session_replication_role', 'replica', true);
    EXCEPTION WHEN insufficient_privilege THEN
      NULL;
    END;
    UPDATE users SET full_name = name
      WHERE ctid >= format('(%s,0)', first_page)::tid AND ctid < format('(%s,0)', first_page + 1000)::tid
        AND full_name::text IS DISTINCT FROM name::text;
    COMMIT;
    first_page := first_page + 1000;
  END LOOP;
END
$phasegate$""")
        op.execute("CREATE INDEX CONCURRENTLY users_name_idx_full_name ON users USING btree (full_name)")


def downgrade():
    # phasegate split rewrote: op.add_column("users", sa.Column("legacy_flags", sa.Integer, nullable=False, server_default="0"))
    # ALTER TABLE users ADD COLUMN legacy_flags INTEGER DEFAULT '0' NOT NULL reverts what waits in migrations/deferred/0002_release2_contract.py: it has not run.
    # The revert of what upgrade() runs now for DROP COLUMN legacy_flags:
    # users.legacy_flags stays nullable: the new release wrote rows without it
    # phasegate split rewrote: op.drop_column("users", "plan")
    # The revert of what upgrade() runs now for ADD COLUMN plan ... NOT NULL:
    op.execute("ALTER TABLE users DROP COLUMN IF EXISTS plan")
    # phasegate split rewrote: op.rename_table("memos", "notes")
    # The revert of what upgrade() runs now for RENAME TO memos:
    op.execute("DROP VIEW IF EXISTS notes")
    op.execute("ALTER TABLE memos RENAME TO notes")
    # phasegate split rewrote: op.alter_column("users", "full_name", new_column_name="name")
    # The revert of what upgrade() runs now for RENAME COLUMN name TO full_name:
    op.execute("DROP TRIGGER IF EXISTS users_full_name_sync ON users")
    op.execute("DROP FUNCTION IF EXISTS users_full_name_sync()")
    op.execute("ALTER TABLE users DROP COLUMN IF EXISTS full_name")
