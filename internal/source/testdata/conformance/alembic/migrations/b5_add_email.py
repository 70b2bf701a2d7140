"""add email"""
from alembic import op

revision = "b5"
down_revision = "a1"


def upgrade():
    op.execute("ALTER TABLE users ADD COLUMN email text")


def downgrade():
    op.execute("ALTER TABLE users DROP COLUMN email")
