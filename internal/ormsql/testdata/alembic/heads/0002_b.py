from alembic import op
import sqlalchemy as sa

revision = "0002b"
down_revision = "0001"


def upgrade():
    op.add_column("users", sa.Column("b", sa.Text))
