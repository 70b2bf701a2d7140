# phasegate:deferred
#   after: release
#   from: migrations/versions/0002_release2.py
"""release2 contract

Revision ID: 512c8100ac01
Revises: 0002
"""
from alembic import op

revision = "512c8100ac01"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute(r"""SET lock_timeout = '5s'""")
        op.execute(r"""ALTER TABLE users DROP CONSTRAINT IF EXISTS users_full_name_backfilled, ADD CONSTRAINT users_full_name_backfilled CHECK (full_name::text IS NOT DISTINCT FROM name::text) NOT VALID""")
        op.execute(r"""ALTER TABLE users VALIDATE CONSTRAINT users_full_name_backfilled""")
        op.execute(r"""ALTER TABLE users VALIDATE CONSTRAINT users_full_name_not_null""")
        op.execute(r"""DROP TRIGGER IF EXISTS users_full_name_sync ON users""")
        op.execute(r"""DROP FUNCTION IF EXISTS users_full_name_sync()""")
        op.execute(r"""ALTER TABLE users ALTER COLUMN full_name SET NOT NULL""")
        op.execute(r"""ALTER TABLE users DROP CONSTRAINT IF EXISTS users_full_name_not_null""")
        op.execute(r"""ALTER TABLE users DROP COLUMN IF EXISTS name""")
        op.execute(r"""ALTER INDEX IF EXISTS users_name_idx_full_name RENAME TO users_name_idx""")
        op.execute(r"""DROP VIEW IF EXISTS notes""")
        op.execute(r"""ALTER TABLE users DROP CONSTRAINT IF EXISTS users_plan_not_null, ADD CONSTRAINT users_plan_not_null CHECK (plan IS NOT NULL) NOT VALID""")
        op.execute(r"""ALTER TABLE users VALIDATE CONSTRAINT users_plan_not_null""")
        op.execute(r"""ALTER TABLE users ALTER COLUMN plan SET NOT NULL""")
        op.execute(r"""ALTER TABLE users DROP CONSTRAINT users_plan_not_null""")
        op.execute(r"""ALTER TABLE users DROP COLUMN legacy_flags""")


def downgrade():
    op.execute(r"""ALTER TABLE users ADD COLUMN legacy_flags INTEGER DEFAULT '0' NOT NULL""")
    op.execute(r"""ALTER TABLE users ALTER COLUMN plan DROP NOT NULL""")
    op.execute(r"""CREATE VIEW notes WITH (security_invoker = true) AS SELECT * FROM memos""")
    op.execute(r"""ALTER INDEX IF EXISTS users_name_idx RENAME TO users_name_idx_full_name""")
    op.execute(r"""ALTER TABLE users ADD COLUMN IF NOT EXISTS name text""")
    op.execute(r"""UPDATE users SET name = full_name""")
    op.execute(r"""CREATE INDEX users_name_idx ON users USING btree (name)""")
    op.execute(r"""CREATE FUNCTION users_full_name_sync() RETURNS trigger LANGUAGE plpgsql AS $phasegate$
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
    op.execute(r"""CREATE TRIGGER users_full_name_sync BEFORE INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION users_full_name_sync()""")
    op.execute(r"""ALTER TABLE users ALTER COLUMN name SET NOT NULL""")
    op.execute(r"""ALTER TABLE users ALTER COLUMN full_name DROP NOT NULL""")
    op.execute(r"""ALTER TABLE users ADD CONSTRAINT users_full_name_not_null CHECK (full_name IS NOT NULL) NOT VALID""")
