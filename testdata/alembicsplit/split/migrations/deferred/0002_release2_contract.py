# phasegate:deferred
#   after: release
#   from: migrations/versions/0002_release2.py
"""release2 contract

Revision ID: dce4bee876e2
Revises: 0002
"""
from alembic import op

revision = "dce4bee876e2"
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
    raise NotImplementedError("a deferred contract is not undone: restore what it removed in a new revision")
