"""Release 2 of the Alembic split example: SQLAlchemy Core over users and
their memos. A user's name is full_name, and every user has a plan."""
# The flags of release 1 are no longer read or written.
import os

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("plan", sa.Text, nullable=False),
)

memos = sa.Table(
    "memos",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("user_id", sa.BigInteger, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
)


def engine():
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    return sa.create_engine(url)


def create_user(conn, email, full_name, plan):
    return conn.execute(users.insert().values(email=email, full_name=full_name, plan=plan).returning(users.c.id)).scalar_one()


def get_user(conn, user_id):
    row = conn.execute(sa.select(users.c.email, users.c.full_name, users.c.plan).where(users.c.id == user_id)).one()
    return {"email": row.email, "full_name": row.full_name, "plan": row.plan}


def rename_user(conn, user_id, full_name):
    conn.execute(users.update().where(users.c.id == user_id).values(full_name=full_name))


def add_memo(conn, user_id, body):
    conn.execute(memos.insert().values(user_id=user_id, body=body))


def count_memos(conn, user_id):
    return conn.execute(sa.select(sa.func.count()).select_from(memos).where(memos.c.user_id == user_id)).scalar_one()
