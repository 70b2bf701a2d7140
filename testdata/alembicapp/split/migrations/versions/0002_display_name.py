"""display name (the legacy flags go in a deferred migration)

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.add_column("users", sa.Column("display_name", sa.Text))


def downgrade():
    op.drop_column("users", "display_name")
