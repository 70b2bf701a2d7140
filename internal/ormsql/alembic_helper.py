"""phasegate's Alembic renderer: runs "alembic upgrade FROM:TO --sql" (offline
mode: nothing connects to a database) and records, for every SQL text Alembic
writes, the revision file and line that produced it; "downgrade" in place of
"upgrade" renders downgrade() the same way.

Usage: python3 alembic_helper.py CONFIG upgrade|downgrade RANGE OUTPUT.json
It writes a JSON list of {"revision", "file", "line", "sql"} to OUTPUT.json.

A revision whose upgrade() raises (one that needs a connection, such as
op.get_bind().execute(...).fetchall(), cannot run offline) does not stop the
render: its record is {"revision", "file", "line" (of the failing line in the
revision file), "error"}, after whatever SQL it wrote before failing, and
Alembic goes on with the next revision. Failures outside the revisions
(alembic.ini, env.py, the revision graph) stop the render.

Statements of op.batch_alter_table are placed on their batch_op.* call (they
are written when the "with" block ends); those Alembic writes when it
recreates the table (SQLite's "move and copy") stay on the "with" line.
"""
import functools
import json
import os
import sys
import traceback

from alembic.config import main
from alembic.ddl.impl import DefaultImpl

config, command, rng, output = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
records = []
original = DefaultImpl.static_output

# The revision whose upgrade() runs: (revision id, its file, its real path).
current = None
# The origin of the batch_op.* call whose SQL is being written.
batch_origin = None

_real_paths = {}


def real(path):
    r = _real_paths.get(path)
    if r is None:
        r = _real_paths[path] = os.path.realpath(os.path.abspath(path))
    return r


def origin(frame):
    """(revision, file, line) of the innermost frame, from frame outwards,
    that runs in the revision being upgraded."""
    if current is not None:
        revision, path, real_path = current
        f = frame
        while f is not None:
            if real(f.f_code.co_filename) == real_path:
                return revision, path, f.f_lineno
            f = f.f_back
        return revision, path, 0
    # No revision is known to run (an Alembic whose steps the hook below
    # does not recognise): the innermost frame of a revision module.
    f = frame
    while f is not None:
        g = f.f_globals
        if "revision" in g and "down_revision" in g and f.f_code.co_filename.endswith(".py"):
            return str(g["revision"]), os.path.abspath(f.f_code.co_filename), f.f_lineno
        f = f.f_back
    return None, None, 0


def static_output(self, text):
    if batch_origin is not None:
        revision, path, line = batch_origin
    else:
        revision, path, line = origin(sys._getframe(1))
    records.append({"revision": revision, "file": path, "line": line, "sql": text})
    return original(self, text)


DefaultImpl.static_output = static_output


def describe(e):
    text = "%s: %s" % (type(e).__name__, e)
    text = " ".join(text.split())
    return text if len(text) <= 500 else text[:497] + "..."


def guarded(script, upgrade):
    """upgrade() (or downgrade()) of one revision, which records its
    exception and returns instead of raising."""
    path = os.path.abspath(script.path)

    @functools.wraps(upgrade)
    def run(*args, **kw):
        global current, batch_origin
        current = (str(script.revision), path, real(path))
        try:
            return upgrade(*args, **kw)
        except Exception as e:
            line = 0
            for fs in traceback.extract_tb(e.__traceback__):
                if real(fs.filename) == current[2]:
                    line = fs.lineno
            records.append({"revision": current[0], "file": path, "line": line, "error": describe(e)})
            sys.stderr.write("phasegate: revision %s (%s:%d) cannot be rendered offline: %s\n" % (current[0], path, line, describe(e)))
        finally:
            current, batch_origin = None, None

    return run


try:
    from alembic.runtime.migration import RevisionStep

    _step_init = RevisionStep.__init__

    def _init(self, revision_map, revision, is_upgrade, *args, **kw):
        _step_init(self, revision_map, revision, is_upgrade, *args, **kw)
        fn = getattr(self, "migration_fn", None)
        if is_upgrade == (command == "upgrade") and callable(fn) and getattr(revision, "path", None):
            self.migration_fn = guarded(revision, fn)

    RevisionStep.__init__ = _init
except (ImportError, AttributeError):
    pass


class TracedBatch(list):
    """BatchOperationsImpl.batch, which remembers where each batch_op.* call
    was made, and while flush() goes through the entries, says whose SQL is
    being written."""

    def __init__(self, *args):
        list.__init__(self, *args)
        self.origins = [None] * len(self)

    def append(self, item):
        self.origins.append(origin(sys._getframe(1)))
        list.append(self, item)

    def __iter__(self):
        global batch_origin
        try:
            for i, item in enumerate(list.__iter__(self)):
                o = self.origins[i] if i < len(self.origins) else None
                batch_origin = o if o is not None and o[0] is not None and o[2] else None
                yield item
        finally:
            batch_origin = None


try:
    from alembic.operations.batch import BatchOperationsImpl

    _batch_init = BatchOperationsImpl.__init__

    def _batch_init_traced(self, *args, **kw):
        _batch_init(self, *args, **kw)
        if type(getattr(self, "batch", None)) is list and not self.batch:
            self.batch = TracedBatch()

    BatchOperationsImpl.__init__ = _batch_init_traced
except (ImportError, AttributeError):
    pass

# Deferred revisions (phasegate's deferred directory, which Alembic itself
# never reads) are rendered too when PHASEGATE_VERSION_LOCATIONS names their
# directories (os.pathsep-separated): they join the project's version
# locations, so the revision graph holds them after the revisions they
# follow.
extra_locations = [p for p in os.environ.get("PHASEGATE_VERSION_LOCATIONS", "").split(os.pathsep) if p]
if extra_locations:
    from alembic.script import ScriptDirectory

    _script_init = ScriptDirectory.__init__

    def _script_init_extra(self, dir, *args, **kw):
        locations = kw.get("version_locations")
        if not locations:
            locations = [os.path.join(dir, "versions")]
        kw["version_locations"] = list(locations) + extra_locations
        _script_init(self, dir, *args, **kw)

    ScriptDirectory.__init__ = _script_init_extra

sys.stdout = sys.stderr  # the rendered script is not needed on stdout
try:
    main(argv=["-c", config, command, rng, "--sql"], prog="alembic")
finally:
    with open(output, "w") as f:
        json.dump(records, f)
