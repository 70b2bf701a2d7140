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
    op.alter_column("users", "name", new_column_name="full_name")
    op.rename_table("notes", "memos")
    # Release 2 writes every user's plan.
    op.add_column("users", sa.Column("plan", sa.Text, nullable=False))
    # Release 2 no longer reads or writes legacy_flags.
    op.drop_column("users", "legacy_flags")


def downgrade():
    op.add_column("users", sa.Column("legacy_flags", sa.Integer, nullable=False, server_default="0"))
    op.drop_column("users", "plan")
    op.rename_table("memos", "notes")
    op.alter_column("users", "full_name", new_column_name="name")
