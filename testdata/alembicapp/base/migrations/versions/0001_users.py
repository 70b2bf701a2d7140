"""users

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("legacy_flags", sa.Text),
    )
    op.create_index("users_email_key", "users", ["email"], unique=True)


def downgrade():
    op.drop_table("users")
