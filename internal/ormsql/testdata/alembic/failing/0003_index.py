from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade():
    op.create_index("users_domain_idx", "users", ["domain"])
