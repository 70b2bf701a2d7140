"""phasegate's reader of a Django migration's operations list.

Usage: python3 django_operations.py MIGRATION.py OUTPUT.json

Parses the migration with Python's own ast module (nothing is imported or
run) and writes where each element of the operations list of its Migration
class is written: {"operations": [{"line", "col", "end_line", "end_col"}]},
lines 1-based, columns 0-based UTF-8 byte offsets, the end exclusive, as
ast gives them. When the list is not written out as a literal in the class
body, {"error": why}. phasegate split rewrites those spans.
"""

import ast
import json
import sys


def operations(tree):
    found = None
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        for stmt in node.body:
            targets = getattr(stmt, "targets", None) or [getattr(stmt, "target", None)]
            if any(getattr(t, "id", None) == "operations" for t in targets):
                if found is not None:
                    return None, "line %d: a second operations list (line %d has one)" % (stmt.lineno, found.lineno)
                found = stmt
    if found is None:
        return None, "no operations list in a class of the migration"
    if not isinstance(found.value, (ast.List, ast.Tuple)):
        return None, "line %d: operations is not written out as a list" % found.lineno
    return found.value.elts, None


def main():
    path, output = sys.argv[1], sys.argv[2]
    try:
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError) as e:
        result = {"error": str(e)}
    else:
        elts, why = operations(tree)
        if why:
            result = {"error": why}
        else:
            result = {"operations": [{"line": e.lineno, "col": e.col_offset, "end_line": e.end_lineno, "end_col": e.end_col_offset}
                                     for e in elts]}
    with open(output, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
