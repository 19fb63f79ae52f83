"""SQLite, the embedded default: one file, WAL, a busy timeout, BEGIN IMMEDIATE for writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database

from trendbot.errors import StoreError
from trendbot.store.migrations import sqlite_migrations

BUSY_MS = 30_000


class SqliteConnection:
    """One sqlite3 connection; the SQL of the store is SQLite's own, so it passes as written."""

    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_MS / 1000)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        self.utils = Database(self.conn, execute_plugins=False)  # tests' and benches' helper

    broken = False  # a file does not drop its connections

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        return self.conn.execute(sql, params)

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        yield from self.conn.execute(sql, params)  # sqlite3 reads rows as they are asked for

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def begin(self) -> None:
        # The write lock at the start: two threads that read then write wait for each other
        # instead of failing on the upgrade from a read lock.
        self.conn.execute("BEGIN IMMEDIATE")

    def begin_snapshot(self) -> None:
        self.conn.execute("BEGIN")

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        self.conn.close()


class SqliteEngine:
    errors: tuple[type[BaseException], ...] = (sqlite3.Error,)
    name = "sqlite"

    def __init__(self, path: str) -> None:
        self.where = path
        self.shared = path == ":memory:"  # exists only in the connection that made it
        if not self.shared:
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    def connect(self) -> SqliteConnection:
        return SqliteConnection(self.where)

    def migrate(self, conn: SqliteConnection) -> None:
        sqlite_migrations.apply(conn.utils)
        conn.commit()

    multi_writer = False  # one `trendbot run` per file: the run lease sees to it
    epochs: dict[str, int] = {}  # noqa: RUF012 (never written: one process leads for good)

    def lead(self, name: str) -> bool:
        return True

    def fence(self, conn: SqliteConnection, name: str) -> bool:
        return True  # the one process of this file leads

    def held(self, name: str) -> bool:
        return False  # one process per file: another's lock died with it

    def close(self) -> None:
        pass

    def json_true(self, column: str, key: str) -> str:
        return f"json_extract({column}, '$.{key}') = 1"

    def vector(self, values: np.ndarray) -> bytes:
        return np.asarray(values, dtype=np.float32).tobytes()

    def compact(self, conn: SqliteConnection) -> None:
        conn.execute("PRAGMA optimize")
        conn.execute("VACUUM")

    def error(self, error: BaseException) -> StoreError:
        """SQLite's error as one line a person can act on."""
        text = str(error).lower()
        if "locked" in text or "busy" in text:
            message = (
                f"the database stayed locked for {BUSY_MS // 1000} s (another trendbot process"
                " is writing to it): wait and retry, or stop the other process"
            )
        elif "full" in text:
            message = "the disk is full: free some space, or move the database elsewhere with --db"
        elif "not a database" in text or "malformed" in text or "encrypted" in text:
            message = (
                "not a trendbot database (not SQLite, or damaged): check --db, or restore a backup"
            )
        elif "closed" in text:
            message = "the database was closed: this trendbot is stopping"
        elif "readonly" in text or "read-only" in text or "unable to open" in text:
            message = "cannot write the database: check the folder exists and is writable"
        else:
            message = "the database refused an operation"
        return StoreError(message, where=self.where)
