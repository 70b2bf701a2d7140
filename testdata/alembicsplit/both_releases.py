"""Both releases at once on the expanded schema, as production runs them
during the deploy: each writes with its own code, and the other reads the
row back under its own names.

Usage: DATABASE_URL=... python3 both_releases.py RELEASE1_DIR RELEASE2_DIR
It prints "ok" when every row either release writes (inserts, updates) is seen
with the same value under both names, and the rows release 1 wrote before the
expand are backfilled.
"""
import importlib.util
import os
import sys


def load(name, root):
    spec = importlib.util.spec_from_file_location(name, os.path.join(root, "app", "store.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


r1 = load("release1", sys.argv[1])
r2 = load("release2", sys.argv[2])
failures = []


def expect(what, got, want):
    if got != want:
        failures.append("%s: got %r, want %r" % (what, got, want))


engine = r1.engine()
with engine.begin() as conn:
    # Written by release 1 before the expand: the backfill copied them.
    for user_id, name in conn.exec_driver_sql("SELECT id, name FROM users ORDER BY id").fetchall():
        expect("user %d written before the expand, read by release 2" % user_id, r2.get_user(conn, user_id)["full_name"], name)

    ada = r1.create_user(conn, "ada@example.com", "Ada", 3)
    expect("inserted by release 1, read by release 2", r2.get_user(conn, ada)["full_name"], "Ada")
    r2.rename_user(conn, ada, "Ada L.")
    expect("updated by release 2, read by release 1", r1.get_user(conn, ada)["name"], "Ada L.")

    bob = r2.create_user(conn, "bob@example.com", "Bob", "pro")
    expect("inserted by release 2, read by release 1", r1.get_user(conn, bob)["name"], "Bob")
    r1.rename_user(conn, bob, "Robert")
    expect("updated by release 1, read by release 2", r2.get_user(conn, bob)["full_name"], "Robert")

    # notes is a view of memos now: release 1 writes through it.
    r1.add_note(conn, bob, "through the view")
    r2.add_memo(conn, bob, "to the table")
    expect("notes counted by release 1", r1.count_notes(conn, bob), 2)
    expect("memos counted by release 2", r2.count_memos(conn, bob), 2)

if failures:
    print("\n".join(failures))
    sys.exit(1)
print("ok")
