"""Connections, transactions and errors, shared by every part of the store.

One connection per thread (as lemon24/reader's `LocalConnectionFactory`): each thread opens its
own connection to the same file (WAL, a busy timeout), so a transaction, and the SAVEPOINT of a
nested one, only ever holds that thread's own work. An in-memory database exists only in the
connection that made it, so `:memory:` keeps one connection that every thread shares under a
lock held for each whole read or transaction (tests and one-off commands only).

Every public method reaches the database through `_read()` or `transaction()`, which turn
SQLite's errors into `StoreError` with one line saying what to do.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from trendbot.errors import StoreError
from trendbot.store.migrations import migrations

T = TypeVar("T")
BUSY_MS = 30_000
CHUNK = 500  # ids per IN (...): under SQLite's default limit of bound parameters


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


def marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


def insert_sql(table: str, columns: Iterable[str], *, upsert_on: str | None = None) -> str:
    """INSERT of these columns, one `?` each; with `upsert_on` (the key column), an existing
    row gets the other columns instead. Plain SQL for executemany: sqlite-utils' insert and
    upsert cost a query of the table's schema per call."""
    columns = list(columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    if upsert_on:
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != upsert_on)
        sql += f" ON CONFLICT ({upsert_on}) DO UPDATE SET {updates}"
    return sql


def store_error(error: sqlite3.Error, path: str) -> StoreError:
    """SQLite's error as one line a person can act on."""
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        message = (
            f"the database stayed locked for {BUSY_MS // 1000} s (another trendbot process is"
            " writing to it): wait and retry, or stop the other process"
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
    return StoreError(message, where=path)


@contextmanager
def mapped_errors(path: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as e:
        raise store_error(e, path) from e


class StoreBase:
    """The connection policy; the domain mixins hold the SQL."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._memory = self.path == ":memory:"
        self._local = threading.local()
        self._shared: Database | None = None  # the one connection of an in-memory database
        self._open: list[Database] = []
        self._open_lock = threading.Lock()
        self._serial = threading.RLock() if self._memory else None
        self._savepoints = itertools.count()
        self._closed = False
        if not self._memory:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            with mapped_errors(self.path):
                db = self._database()
                migrations.apply(db)
                db.conn.commit()
        except StoreError:
            self.close()
            raise

    # connections ----------------------------------------------------------------------------

    def _connect(self) -> Database:
        conn = sqlite3.connect(self.path, check_same_thread=False, timeout=BUSY_MS / 1000)
        db = Database(conn, execute_plugins=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        with self._open_lock:
            self._open.append(db)
        return db

    def _database(self) -> Database:
        """This thread's connection, opened on its first use."""
        if self._closed:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        if self._memory:
            if self._shared is None:
                self._shared = self._connect()
            return self._shared
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = self._connect()
        return db

    def close(self) -> None:
        """Close every thread's connection."""
        self._closed = True
        with self._open_lock:
            opened, self._open = self._open, []
        for db in opened:
            db.conn.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # reads and transactions -------------------------------------------------------------------

    @contextmanager
    def _read(self, *, snapshot: bool = False) -> Iterator[sqlite3.Connection]:
        """This thread's connection for reading; with `snapshot`, every read inside sees the
        same state of the database (a read transaction), whatever other threads write."""
        with mapped_errors(self.path), self._serial or nullcontext():
            conn = self._database().conn
            if not snapshot or conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All or nothing: a crash or an exception inside leaves the database as before. The
        write lock is taken at the start (BEGIN IMMEDIATE): two threads that read then write
        wait for each other instead of failing. Inside another transaction of the same thread,
        a SAVEPOINT."""
        with mapped_errors(self.path), self._serial or nullcontext():
            db = self._database()
            conn = db.conn
            if conn.in_transaction:
                name = f"trendbot_{next(self._savepoints)}"
                conn.execute(f"SAVEPOINT {name}")
                try:
                    yield db
                except BaseException:
                    if conn.in_transaction:
                        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                        conn.execute(f"RELEASE SAVEPOINT {name}")
                    raise
                conn.execute(f"RELEASE SAVEPOINT {name}")
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            conn.commit()

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._read() as conn:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor]

    def _tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._read() as conn:
            return conn.execute(sql, params).fetchall()

    def _value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self._read() as conn:
            row = conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # for tests and benches only: product code calls the named methods (tests/test_layers.py)

    @property
    def db(self) -> Database:
        """This thread's sqlite-utils Database."""
        with mapped_errors(self.path):
            return self._database()

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return self._rows(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._value(sql, params)
