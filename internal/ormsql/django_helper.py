"""phasegate's Django renderer: migrates an empty database through every
migration of the project, one at a time, and records the SQL Django runs for
each operation (what "manage.py sqlmigrate" prints, taken just before the
migration is applied, so Django's introspection sees the schema it expects),
with the line of the operation in the migration file.

Usage: python3 django_helper.py OUTPUT.json   (in the directory of manage.py;
DJANGO_SETTINGS_MODULE and PHASEGATE_RENDER_DATABASE_URL in the environment,
and PHASEGATE_DEFERRED_MIGRATIONS, a JSON list of the deferred migration
files to render after all the others)
It writes a JSON list of {"app", "name", "file", "atomic", "statements":
[{"sql", "line"}]}; an operation Django cannot write as SQL (RunPython) is a
statement whose "sql" is empty, with "python": its description.

Rendering APPLIES the migrations, RunPython included, so it must only ever
touch the empty database phasegate created. The project's settings are
loaded, then, before Django is set up and before any connection is opened,
DATABASES["default"] is replaced by PHASEGATE_RENDER_DATABASE_URL (whatever
the settings say: many hardcode their DATABASES), every other alias is
replaced by a backend that refuses to connect (a router or a RunPython that
uses another database stops the render with an error instead of writing to
that database), and the connection is checked to reach the database the URL
names before anything runs.
"""
import ast
import inspect
import json
import os
import sys
import types
from urllib.parse import parse_qs, unquote, urlparse


# The comment lines Django's Migration.apply writes into collect_sql's
# output, around each operation:
#   3.2 (and 1.9 to 4.0): "--", [RUNS_PYTHON_OLD,] "-- <describe>", "--"
#   4.1 and later:        "--", "-- <describe>", "--", [RUNS_PYTHON_NEW | NO_OP]
RUNS_PYTHON_OLD = "-- MIGRATION NOW PERFORMS OPERATION THAT CANNOT BE WRITTEN AS SQL:"
RUNS_PYTHON_NEW = "-- THIS OPERATION CANNOT BE WRITTEN AS SQL"
NO_OP = "-- (no-op)"

REFUSED_ENGINE = "phasegate_refused_database"


def fail(msg):
    sys.stderr.write("phasegate: " + msg + "\n")
    sys.exit(2)


def target_database(url):
    """DATABASES["default"] for phasegate's database URL."""
    u = urlparse(url)
    if u.scheme not in ("postgres", "postgresql") or not u.path.strip("/"):
        fail("PHASEGATE_RENDER_DATABASE_URL is not a postgres:// URL with a database name")
    options = {}
    sslmode = parse_qs(u.query).get("sslmode")
    if sslmode:
        options["sslmode"] = sslmode[-1]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(u.path.lstrip("/")),
        "USER": unquote(u.username or ""),
        "PASSWORD": unquote(u.password or ""),
        "HOST": u.hostname or "",
        "PORT": str(u.port or ""),
        # Not the project's OPTIONS: they may require TLS, set a
        # search_path or a service file meant for its own server.
        "OPTIONS": options,
    }


def engine_for(project_engine):
    """The project's engine when it is a PostgreSQL one (PostGIS, or a
    wrapper of django.db.backends.postgresql: its migrations may need it),
    else Django's PostgreSQL backend. The connection is checked anyway."""
    if isinstance(project_engine, str) and "postg" in project_engine.lower():
        return project_engine
    return "django.db.backends.postgresql"


def install_refused_backend():
    """A database backend for the aliases other than "default": any use of
    it raises, so nothing reaches the databases the settings name."""
    from django.db.backends.dummy import base as dummy

    def refuse(self, *args, **kwargs):
        raise RuntimeError(
            "phasegate: the migrations used the database alias %r (a database router, or "
            "code in a migration); phasegate renders Django migrations on its own empty "
            "database only, as the \"default\" alias, and refuses to touch the other "
            "databases of settings.DATABASES" % self.alias
        )

    class DatabaseWrapper(dummy.DatabaseWrapper):
        _cursor = refuse
        ensure_connection = refuse
        _commit = refuse
        _savepoint_commit = refuse
        _set_autocommit = refuse

    package = types.ModuleType(REFUSED_ENGINE)
    package.__path__ = []
    base = types.ModuleType(REFUSED_ENGINE + ".base")
    base.DatabaseWrapper = DatabaseWrapper
    package.base = base
    sys.modules[REFUSED_ENGINE] = package
    sys.modules[REFUSED_ENGINE + ".base"] = base


def configure_database():
    """Point the project's settings at phasegate's database (see the module
    doc); returns what "default" must reach."""
    url = os.environ.get("PHASEGATE_RENDER_DATABASE_URL", "")
    if not url:
        fail("PHASEGATE_RENDER_DATABASE_URL is not set: refusing to migrate whatever database the project's settings name")
    want = target_database(url)
    from django.conf import settings

    try:
        project = settings.DATABASES  # imports the settings module
    except Exception as e:
        fail("cannot load the Django settings (DJANGO_SETTINGS_MODULE=%s): %s: %s"
             % (os.environ.get("DJANGO_SETTINGS_MODULE", ""), type(e).__name__, e))
    default = dict(want)
    default["ENGINE"] = engine_for((project or {}).get("default", {}).get("ENGINE"))
    databases = {"default": default}
    for alias in project or {}:
        if alias != "default":
            databases[alias] = {"ENGINE": REFUSED_ENGINE}
    install_refused_backend()
    settings.DATABASES = databases
    return want


def verify_connection(want):
    """Refuse to go on unless "default" reaches phasegate's database."""
    from django.db import connections

    got = connections["default"].settings_dict  # no connection yet
    if any(got.get(k) != want[k] for k in ("NAME", "USER", "HOST", "PORT")):
        fail("the Django connection \"default\" was configured before phasegate could point it at its own "
             "database (%s@%s:%s/%s): refusing to run the migrations"
             % (got.get("USER"), got.get("HOST"), got.get("PORT"), got.get("NAME")))
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT current_database(), current_user, inet_server_port()")
        database, user, port = cursor.fetchone()
    if database != want["NAME"] or user != want["USER"]:
        fail("the Django connection reached database %r as %r (server port %s), not phasegate's %r as %r: "
             "refusing to run the migrations" % (database, user, port, want["NAME"], want["USER"]))


def operation_lines(path):
    """The line of each element of the migration's operations list."""
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError):
        return []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
                if any(getattr(t, "id", None) == "operations" for t in targets) and isinstance(stmt.value, (ast.List, ast.Tuple)):
                    return [e.lineno for e in stmt.value.elts]
    return []


def split_operations(collected):
    """Cut collect_sql's output (a list of statements and comment lines) at
    the comment header Django writes before each operation, in the forms of
    Django 3.2 and of 4.1 and later (see RUNS_PYTHON_OLD/NEW)."""
    ops, i, n = [], 0, len(collected)
    while i < n:
        line = collected[i]
        if line == "--":
            # 3.2: "--", RUNS_PYTHON_OLD, "-- <describe>", "--"
            if i + 3 < n and collected[i + 1] == RUNS_PYTHON_OLD and collected[i + 3] == "--":
                ops.append({"describe": collected[i + 2][3:], "sql": [], "python": True})
                i += 4
                continue
            # "--", "-- <describe>", "--", and in 4.1+ maybe RUNS_PYTHON_NEW
            if i + 2 < n and collected[i + 2] == "--" and collected[i + 1].startswith("-- "):
                op = {"describe": collected[i + 1][3:], "sql": [], "python": False}
                ops.append(op)
                i += 3
                if i < n and collected[i] == RUNS_PYTHON_NEW:
                    op["python"] = True
                    i += 1
                continue
        if line == RUNS_PYTHON_OLD and i + 2 < n:
            # 3.2's marker without the "--" before it (not written so by
            # any release, kept for safety).
            ops.append({"describe": collected[i + 1][3:], "sql": [], "python": True})
            i += 3
            continue
        if line in (NO_OP, RUNS_PYTHON_NEW, "--") or not line.strip():
            i += 1
            continue
        if ops:
            ops[-1]["sql"].append(line)
        i += 1
    return ops


def python_description(operation, describe):
    code = getattr(operation, "code", None)
    name = getattr(code, "__qualname__", None) or getattr(code, "__name__", None)
    if name and name not in describe:
        return "%s: %s" % (describe, name)
    return describe


def add_deferred(paths):
    """Make Django's migration loader see the deferred migrations (files of
    phasegate's deferred directory, which Django never imports): each is
    loaded from its file and joins the app of its first dependency, under
    its file name. Returns their keys."""
    import importlib.util

    from django.db.migrations.loader import MigrationLoader

    keys = set()
    loaded = []
    for n, path in enumerate(paths):
        spec = importlib.util.spec_from_file_location("phasegate_deferred_%d" % n, path)
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as e:
            fail("the deferred migration %s cannot be imported: %s: %s" % (path, type(e).__name__, e))
        sys.modules[spec.name] = module
        migration = getattr(module, "Migration", None)
        deps = list(getattr(migration, "dependencies", None) or [])
        if migration is None or not deps:
            fail("the deferred migration %s has no Migration class with dependencies: phasegate takes its app "
                 "from its first dependency" % path)
        name = os.path.splitext(os.path.basename(path))[0]
        loaded.append((deps[0][0], name, migration))
        keys.add((deps[0][0], name))

    load_disk = MigrationLoader.load_disk

    def load_disk_deferred(self):
        load_disk(self)
        for app, name, migration in loaded:
            self.disk_migrations[app, name] = migration(name, app)

    MigrationLoader.load_disk = load_disk_deferred
    return keys


def main():
    output = sys.argv[1]
    sys.path.insert(0, os.getcwd())
    want = configure_database()
    import django

    django.setup()
    verify_connection(want)
    deferred = add_deferred(json.loads(os.environ.get("PHASEGATE_DEFERRED_MIGRATIONS") or "[]"))
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    # The deferred migrations run after every active one (nothing active
    # depends on them), as they do in production one release later.
    plan = [p for p in plan if (p[0].app_label, p[0].name) not in deferred] + \
        [p for p in plan if (p[0].app_label, p[0].name) in deferred]
    records = []
    for migration, _ in plan:
        key = (migration.app_label, migration.name)
        path = os.path.abspath(inspect.getsourcefile(sys.modules[type(migration).__module__]))
        lines = operation_lines(path)
        collected = executor.loader.collect_sql([(migration, False)])
        ops = split_operations(collected)
        operations = list(migration.operations)
        statements = []
        for n, op in enumerate(ops):
            line = lines[n] if n < len(lines) else 0
            operation = operations[n] if len(ops) == len(operations) else None
            python = op["python"] or (operation is not None and not getattr(operation, "reduces_to_sql", True))
            if python:
                statements.append({"sql": "", "python": python_description(operation, op["describe"]), "line": line})
            for sql in op["sql"]:
                statements.append({"sql": sql, "line": line})
        records.append({"app": key[0], "name": key[1], "file": path, "atomic": bool(migration.atomic), "statements": statements})
        state = executor.loader.project_state(key, at_end=False)
        executor.apply_migration(state, migration)

    with open(output, "w") as f:
        json.dump(records, f)


if __name__ == "__main__":
    main()
