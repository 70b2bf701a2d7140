"""The app's data access: plain SQL through psycopg2."""
import os

import psycopg2


def connect():
    return psycopg2.connect(os.environ["DATABASE_URL"])


def add_user(conn, email):
    with conn.cursor() as cur:
        cur.execute("INSERT INTO users (id, email, legacy_flags) VALUES ((SELECT coalesce(max(id), 0) + 1 FROM users), %s, '') RETURNING id", (email,))
        return cur.fetchone()[0]


def user_emails(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT email, legacy_flags FROM users ORDER BY id")
        return [row[0] for row in cur.fetchall()]
