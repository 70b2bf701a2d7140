"""Release 1 of the Alembic split example: SQLAlchemy Core over users and
their notes. A user's name is name; legacy_flags is required."""
import os

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("legacy_flags", sa.Integer, nullable=False),
)

notes = sa.Table(
    "notes",
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


def create_user(conn, email, name, flags):
    return conn.execute(users.insert().values(email=email, name=name, legacy_flags=flags).returning(users.c.id)).scalar_one()


def get_user(conn, user_id):
    row = conn.execute(sa.select(users.c.email, users.c.name, users.c.legacy_flags).where(users.c.id == user_id)).one()
    return {"email": row.email, "name": row.name, "flags": row.legacy_flags}


def rename_user(conn, user_id, name):
    conn.execute(users.update().where(users.c.id == user_id).values(name=name))


def add_note(conn, user_id, body):
    conn.execute(notes.insert().values(user_id=user_id, body=body))


def count_notes(conn, user_id):
    return conn.execute(sa.select(sa.func.count()).select_from(notes).where(notes.c.user_id == user_id)).scalar_one()
