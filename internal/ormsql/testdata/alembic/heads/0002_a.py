from alembic import op
import sqlalchemy as sa

revision = "0002a"
down_revision = "0001"


def upgrade():
    op.add_column("users", sa.Column("a", sa.Text))
