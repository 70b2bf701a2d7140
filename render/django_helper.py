"""phasegate's Django renderer: migrates an empty database through every
migration of the project, one at a time, and records the SQL Django runs for
each operation (what "manage.py sqlmigrate" prints, taken just before the
migration is applied, so Django's introspection sees the schema it expects),
with the line of the operation in the migration file.

Usage: python3 django_helper.py OUTPUT.json   (in the directory of manage.py;
DJANGO_SETTINGS_MODULE and DATABASE_URL in the environment)
It writes a JSON list of {"app", "name", "file", "atomic", "statements":
[{"sql", "line"}]}; an operation Django cannot write as SQL (RunPython) is a
statement whose "sql" is empty, with "python": its description.
"""
import ast
import inspect
import json
import os
import sys

sys.path.insert(0, os.getcwd())
import django  # noqa: E402

django.setup()
from django.db import connection  # noqa: E402
from django.db.migrations.executor import MigrationExecutor  # noqa: E402

output = sys.argv[1]


def operation_lines(path):
    """The line of each element of the migration's operations list."""
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError):
        return []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
                if any(getattr(t, "id", None) == "operations" for t in targets) and isinstance(stmt.value, (ast.List, ast.Tuple)):
                    return [e.lineno for e in stmt.value.elts]
    return []


def split_operations(collected):
    """Cut collect_sql's output at the comment header Django writes before
    each operation ("--", "-- <description>", "--")."""
    ops, i = [], 0
    while i < len(collected):
        line = collected[i]
        if line == "--" and i + 2 < len(collected) and collected[i + 2] == "--":
            ops.append({"describe": collected[i + 1][3:], "sql": [], "python": False})
            i += 3
            continue
        if line == "-- MIGRATION NOW PERFORMS OPERATION THAT CANNOT BE WRITTEN AS SQL:":
            # Django writes this before the description of a RunPython.
            if i + 2 < len(collected):
                ops.append({"describe": collected[i + 1][3:], "sql": [], "python": True})
                i += 3
                continue
        if ops:
            ops[-1]["sql"].append(line)
        i += 1
    return ops


executor = MigrationExecutor(connection)
plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
records = []
for migration, _ in plan:
    key = (migration.app_label, migration.name)
    path = os.path.abspath(inspect.getsourcefile(sys.modules[type(migration).__module__]))
    lines = operation_lines(path)
    collected = executor.loader.collect_sql([(migration, False)])
    statements = []
    for n, op in enumerate(split_operations(collected)):
        line = lines[n] if n < len(lines) else 0
        if op["python"]:
            statements.append({"sql": "", "python": op["describe"], "line": line})
        for sql in op["sql"]:
            statements.append({"sql": sql, "line": line})
    records.append({"app": key[0], "name": key[1], "file": path, "atomic": bool(migration.atomic), "statements": statements})
    state = executor.loader.project_state(key, at_end=False)
    executor.apply_migration(state, migration)

with open(output, "w") as f:
    json.dump(records, f)
