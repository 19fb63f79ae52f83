"""The layers hold: the store is the only module with SQL, and adapters call the core."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "trendbot"
STORE = PACKAGE / "store"
SQL_CALLS = {"execute", "executemany", "executescript", "query", "scalar"}
SQL_WORDS = re.compile(
    r"\bSELECT\s|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
    r"|\bPRAGMA\b|\bVACUUM\b|\bCREATE\s+(TABLE|INDEX|VIEW)\b"
)
ADAPTERS = ("cli.py", "slack/app.py", "scheduler.py")


def outside_store() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORE not in p.parents)


def docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes: prose may name SQL."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def sql_uses(path: Path, *, root: Path = PACKAGE.parent) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    prose = docstrings(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in SQL_CALLS:
                found.append(f"{where}: .{name}(...)")
            # sqlite-utils' db.table("name"); matplotlib's ax.table(cellText=...) takes no name
            if name == "table" and node.args and isinstance(node.args[0], ast.Constant):
                found.append(f"{where}: .table({node.args[0].value!r})")
        elif isinstance(node, ast.Attribute) and node.attr in {"db", "conn", "lock"}:
            owner = node.value
            owner_name = (
                owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            )
            if owner_name == "store":
                found.append(f"{where}: store.{node.attr}")
        elif (
            isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose
        ):
            if SQL_WORDS.search(node.value):
                found.append(f"{where}: {node.value.strip()[:60]!r}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if any(n.split(".")[0] in {"sqlite3", "sqlite_utils"} for n in names):
                found.append(f"{where}: imports {', '.join(names)}")
    return found


@pytest.mark.parametrize(
    "module",
    [name for name in (p.relative_to(PACKAGE).as_posix() for p in outside_store())],
)
def test_no_module_outside_the_store_runs_sql(module: str) -> None:
    assert sql_uses(PACKAGE / module) == []


def test_the_check_finds_sql(tmp_path: Path) -> None:
    """The check above sees each kind of SQL it looks for, and not matplotlib's table."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import sqlite3\n"
        "def f(store, db, ax):\n"
        "    store.query('SELECT 1')\n"
        "    db.conn.executemany('DELETE FROM pending WHERE item_id = ?', [])\n"
        "    db.table('stories').update(1, {})\n"
        "    ax.table(cellText=[])\n"
        "    with store.lock:\n"
        "        x = f'UPDATE stories SET closed = 1 WHERE id = {1}'\n",
        encoding="utf-8",
    )
    found = sorted(use.split(": ", 1)[1] for use in sql_uses(sample, root=tmp_path))
    assert found == sorted(
        [
            "imports sqlite3",
            ".query(...)",
            "'SELECT 1'",
            ".executemany(...)",
            ".table('stories')",
            "'DELETE FROM pending WHERE item_id = ?'",
            "store.lock",
            "'UPDATE stories SET closed = 1 WHERE id ='",
        ]
    )


def store_uses(path: Path) -> list[str]:
    """Imports of the store, and reaching for one (`bot.store`, `pipeline.store`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "trendbot.store" or node.module.startswith("trendbot.store."):
                found.append(f"line {node.lineno}: from {node.module} import ...")
            if node.module == "trendbot" and any(a.name == "store" for a in node.names):
                found.append(f"line {node.lineno}: from trendbot import store")
        elif isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {a.name}" for a in node.names if "store" in a.name
            ]
        elif isinstance(node, ast.Attribute) and node.attr == "store":
            found.append(f"line {node.lineno}: .store")
    return found


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapters_call_the_core_not_the_store(adapter: str) -> None:
    assert store_uses(PACKAGE / adapter) == []


def test_the_adapter_check_finds_the_store(tmp_path: Path) -> None:
    sample = tmp_path / "adapter.py"
    sample.write_text(
        "from trendbot.store import Store\nimport trendbot.store\n"
        "def f(bot):\n    return bot.store.pitches(), bot.pitches()\n",
        encoding="utf-8",
    )
    assert store_uses(sample) == [
        "line 1: from trendbot.store import ...",
        "line 2: import trendbot.store",
        "line 4: .store",
    ]
