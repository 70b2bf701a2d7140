"""The psycopg2 fixtures of ../README.md: the previous release's queries
(../queries.sql) against the migrated schema, their errors reported the way
Python test suites do (STYLE=raise: the traceback, STYLE=repr: repr() in an
assertion message, STYLE=json: a JSON log line)."""

import json
import os
import sys
import unittest

import psycopg2

QUERIES = open(os.path.join(os.path.dirname(__file__), "..", "queries.sql")).read().strip().split("\n")


class PreviousRelease(unittest.TestCase):
    def setUp(self):
        self.conn = psycopg2.connect(os.environ["DATABASE_URL"])
        self.conn.autocommit = True

    def tearDown(self):
        self.conn.close()


def make(i, q):
    def test(self):
        style = os.environ.get("STYLE", "raise")
        with self.conn.cursor() as cur:
            if style == "raise":
                cur.execute(q)
                return
            err = None
            try:
                cur.execute(q)
            except psycopg2.Error as e:
                err = e
        # Outside the except block, so the traceback shows only this form.
        if err is not None and style == "json":
            print(json.dumps({"level": "error", "event": "query failed", "error": str(err), "pgcode": err.pgcode}), file=sys.stderr)
            self.fail("query failed")
        if err is not None:
            self.fail(repr(err))
    return test


for i, q in enumerate(QUERIES):
    setattr(PreviousRelease, "test_query%d" % (i + 1), make(i, q))

if __name__ == "__main__":
    unittest.main()
