"""Reads rows through the connection: offline, there is none."""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.add_column("users", sa.Column("domain", sa.Text))
    rows = op.get_bind().execute(sa.text("SELECT id, email FROM users")).fetchall()
    for row in rows:
        op.execute(sa.text("UPDATE users SET domain = :d WHERE id = :id").bindparams(d=row.email.split("@")[-1], id=row.id))
