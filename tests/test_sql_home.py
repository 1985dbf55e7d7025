"""All SQL lives in rag/catalog/: every statement is a typed method of a table family there.

Read from the source: a call of ``execute``/``query``/``exec_driver_sql``/``executescript`` given SQL text, or any
string that reads as a SQL statement, anywhere in rag/ outside the catalog package, fails. (Qdrant's
``shard.query(request)`` takes no text and passes.)
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAG = ROOT / "rag"
HOME = RAG / "catalog"
RUNNERS = {"execute", "query", "executemany", "exec_driver_sql", "executescript"}
STATEMENT = re.compile(r"^\s*(SELECT\b.+\bFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|UNIQUE)"
                       r"|ALTER\s+TABLE|DROP\s+(TABLE|INDEX)|PRAGMA\s|WITH\s+\w+\s+AS\s*\()", re.S)


def _text(node: ast.AST) -> str | None:
    """The literal text of a str constant or f-string (its constant parts), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _text(node.left), _text(node.right)
        return (left or "") + (right or "") if left is not None or right is not None else None
    return None


def sql_sites(path: Path) -> list[str]:
    """Where ``path`` runs or writes SQL: ``line: what``."""
    tree = ast.parse(path.read_text(), str(path))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr)}
    found = []
    given = set()  # SQL text handed to a runner: reported once, as the call
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in RUNNERS \
                and node.args and _text(node.args[0]) is not None:
            found.append((node.lineno, f".{node.func.attr}(<SQL text>)"))
            given.update(id(n) for n in ast.walk(node.args[0]))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and id(node) not in docstrings and id(node) not in given:
            text = _text(node)
            if text and STATEMENT.match(text):
                found.append((node.lineno, repr(text.strip()[:60])))
    return [f"{line}: {what}" for line, what in sorted(found)]


def test_no_sql_outside_the_catalog_package():
    offenders = [f"{p.relative_to(ROOT)}:{site}" for p in sorted(RAG.rglob("*.py"))
                 if HOME not in p.parents for site in sql_sites(p)]
    assert not offenders, "SQL outside rag/catalog/ (make it a typed method of a table family there):\n" + "\n".join(offenders)


def test_the_checker_sees_sql_given_directly_built_and_kept_in_a_name(tmp_path):
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text('def a(c, t):\n    c.execute("DELETE FROM jobs WHERE id = ?", (1,))\n'
                      'def b(c, t):\n    return c.query(f"SELECT x FROM {t}")\n'
                      'SQL = "UPDATE jobs SET status = ?"\n'
                      'def d(shard, request):\n    """SELECT a FROM b: a docstring may say it."""\n    return shard.query(request)\n')
    sites = sql_sites(sneaky)
    assert [s.split(":")[0] for s in sites] == ["2", "4", "5"], sites
