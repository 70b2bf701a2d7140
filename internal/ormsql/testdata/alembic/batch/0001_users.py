from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.BigInteger, primary_key=True), sa.Column("email", sa.Text, nullable=False))
    with op.batch_alter_table("users") as batch_op:
        batch_op.add_column(sa.Column("name", sa.Text))
        batch_op.alter_column("email", nullable=True)
        batch_op.create_index("users_name_idx", ["name"])
    op.drop_column("users", "name")
