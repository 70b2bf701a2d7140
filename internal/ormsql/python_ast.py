"""phasegate's reader of Python source: Python's own ast module says where
the top-level statements of a module are, so that phasegate edits a
migration file (an Alembic revision's down_revision, the calls of its
upgrade()) at exact places, never by matching text.

Usage: python3 python_ast.py SOURCE.py OUTPUT.json
It writes a JSON object to OUTPUT.json:
  "docstring": the module docstring's span, or null
  "assigns":   [{"name", "value": span, "text": str or null}] for each
               top-level "name = value" (or "name: type = value"); text is
               the value when it is a string constant
  "functions": [{"name", "line", "body": [statement]}] for each top-level
               def; each statement of its body is {span, "op_call",
               "block"}, where op_call says it is a call op.NAME(...) on its
               own, and block that it holds statements (with, if, for...);
               "executes" are the strings op.execute is called with
               anywhere in it, in the order they are written
  "classes":   [{"name", "line", "assigns": [assign]}] for each top-level
               class, with the assignments of its body as above
Each assign also has "elements": the spans of the elements of a list or
tuple literal value, or null for any other value.
or {"error": {"line", "col", "msg"}} when the source is not valid Python.
A span is {"line", "col", "end_line", "end_col"}: lines from 1, columns
in bytes of the UTF-8 line from 0, as ast gives them.
"""
import ast
import json
import sys

source_path, output = sys.argv[1], sys.argv[2]


def span(node):
    return {"line": node.lineno, "col": node.col_offset, "end_line": node.end_lineno, "end_col": node.end_col_offset}


def op_call(stmt):
    return (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Attribute)
            and isinstance(stmt.value.func.value, ast.Name) and stmt.value.func.value.id == "op")


def executes(fn):
    calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
             and n.func.attr == "execute" and isinstance(n.func.value, ast.Name) and n.func.value.id == "op"
             and n.args and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    return [n.args[0].value for n in calls]


def block(stmt):
    return hasattr(stmt, "body") or hasattr(stmt, "cases")


def assigns(body):
    out = []
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
        elements = [span(e) for e in value.elts] if isinstance(value, (ast.List, ast.Tuple)) else None
        for t in targets:
            if isinstance(t, ast.Name):
                out.append({"name": t.id, "value": span(value), "text": text, "elements": elements})
    return out


def read(tree):
    body = tree.body
    out = {"docstring": None, "assigns": assigns(body), "functions": [], "classes": []}
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        out["docstring"] = span(body[0].value)
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out["functions"].append({"name": stmt.name, "line": stmt.lineno,
                                     "body": [dict(span(s), op_call=op_call(s), block=block(s)) for s in stmt.body],
                                     "executes": executes(stmt)})
        elif isinstance(stmt, ast.ClassDef):
            out["classes"].append({"name": stmt.name, "line": stmt.lineno, "assigns": assigns(stmt.body)})
    return out


with open(source_path, "rb") as f:
    src = f.read()
try:
    result = read(ast.parse(src, filename=source_path))
except SyntaxError as e:
    result = {"error": {"line": e.lineno or 0, "col": e.offset or 0, "msg": e.msg}}
with open(output, "w") as f:
    json.dump(result, f)
