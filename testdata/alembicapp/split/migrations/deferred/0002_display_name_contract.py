# phasegate:deferred
#   after: release
#   from: migrations/versions/0002_display_name.py
"""display_name contract

Revision ID: 2fc4188846b6
Revises: 0002
"""
from alembic import op

revision = "2fc4188846b6"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.get_context().autocommit_block():
        op.execute(r"""ALTER TABLE users DROP COLUMN legacy_flags""")


def downgrade():
    op.execute(r"""ALTER TABLE users ADD COLUMN legacy_flags TEXT""")
