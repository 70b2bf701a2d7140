from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.alter_column("users", "name", new_column_name="full_name")
    op.add_column("users", sa.Column("plan", sa.Text))


def downgrade():
    op.drop_column("users", "plan")
    op.alter_column(
        "users",
        "full_name",
        new_column_name="name",
    )
