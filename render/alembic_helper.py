"""phasegate's Alembic renderer: runs "alembic upgrade FROM:TO --sql" (offline
mode: nothing connects to a database) and records, for every SQL text Alembic
writes, the revision file and line that produced it.

Usage: python3 alembic_helper.py CONFIG RANGE OUTPUT.json
It writes a JSON list of {"revision", "file", "line", "sql"} to OUTPUT.json.
"""
import json
import os
import sys

from alembic.config import main
from alembic.ddl.impl import DefaultImpl

config, rng, output = sys.argv[1], sys.argv[2], sys.argv[3]
records = []
original = DefaultImpl.static_output


def origin():
    """The innermost frame that runs in a revision module."""
    frame = sys._getframe(2)
    while frame is not None:
        g = frame.f_globals
        if "revision" in g and "down_revision" in g and frame.f_code.co_filename.endswith(".py"):
            return str(g["revision"]), os.path.abspath(frame.f_code.co_filename), frame.f_lineno
        frame = frame.f_back
    return None, None, 0


def static_output(self, text):
    revision, path, line = origin()
    records.append({"revision": revision, "file": path, "line": line, "sql": text})
    return original(self, text)


DefaultImpl.static_output = static_output
sys.stdout = sys.stderr  # the rendered script is not needed on stdout
try:
    main(argv=["-c", config, "upgrade", rng, "--sql"], prog="alembic")
finally:
    with open(output, "w") as f:
        json.dump(records, f)
