"""A minimal Alembic environment: offline rendering only."""
import os

from alembic import context

url = os.environ.get("DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"})
with context.begin_transaction():
    context.run_migrations()
