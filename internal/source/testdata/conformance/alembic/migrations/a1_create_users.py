"""create users"""
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.execute("CREATE TABLE users (id bigint PRIMARY KEY)")


def downgrade():
    op.execute("DROP TABLE users")
