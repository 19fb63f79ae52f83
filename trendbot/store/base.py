"""Connections, transactions and errors, shared by every part of the store.

The store runs on an *engine*: SQLite (a file, the default; `trendbot.store.sqlite`) or
PostgreSQL (a `postgresql://` URL; `trendbot.store.postgres`). The domain mixins write one SQL
text, SQLite's; the PostgreSQL engine translates its placeholders and the few words that differ.

One connection per thread (as lemon24/reader's `LocalConnectionFactory`), so a transaction, and
the SAVEPOINT of a nested one, only ever holds that thread's own work. An in-memory SQLite
database exists only in the connection that made it, so `:memory:` keeps one connection that
every thread shares under a lock held for each whole read or transaction (tests only).

Every public method reaches the database through `_read()` or `transaction()`, which turn the
engine's errors into `StoreError` with one line saying what to do.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
from sqlite_utils import Database

from trendbot.errors import LeadLost, StoreError

T = TypeVar("T")
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


class Connection(Protocol):
    """What the mixins use of a connection: SQLite's text in, cursors out."""

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...
    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]: ...


class EngineConnection(Connection, Protocol):
    @property
    def in_transaction(self) -> bool: ...
    @property
    def broken(self) -> bool: ...
    def begin(self) -> None: ...
    def begin_snapshot(self) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...
    def close(self) -> None: ...


class Engine(Protocol):
    name: str
    where: str  # for error messages: a path, or a URL without its password
    shared: bool  # one connection for every thread (an in-memory database)
    errors: tuple[type[BaseException], ...]
    multi_writer: bool  # several processes may write (PostgreSQL), coordinated in the store
    epochs: dict[str, int]  # lead locks taken so far by this process, per name

    def connect(self) -> Any: ...
    def lead(self, name: str) -> bool: ...
    def held(self, name: str) -> bool: ...
    def fence(self, conn: Any, name: str) -> bool: ...
    def close(self) -> None: ...
    def migrate(self, conn: Any) -> None: ...
    def json_true(self, column: str, key: str) -> str: ...
    def vector(self, values: np.ndarray) -> Any: ...  # an embedding as its column takes it
    def compact(self, conn: Any) -> None: ...
    def error(self, error: BaseException) -> StoreError: ...


def is_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def open_engine(target: str) -> Engine:
    """PostgreSQL for a `postgresql://` URL, else SQLite for a path (or `:memory:`)."""
    if is_url(target):
        from trendbot.store.postgres import PostgresEngine

        return PostgresEngine(target)
    from trendbot.store.sqlite import SqliteEngine

    return SqliteEngine(target)


class StoreBase:
    """The connection policy; the domain mixins hold the SQL."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.engine = open_engine(self.path)
        self._local = threading.local()
        self._shared: Any = None  # the one connection of an in-memory database
        self._open: list[EngineConnection] = []
        self._open_lock = threading.Lock()
        self._serial = threading.RLock() if self.engine.shared else None
        self._savepoints = itertools.count()
        self._closed = False
        try:
            with self._mapped_errors():
                self.engine.migrate(self._connection())
        except StoreError:
            self.close()
            raise

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        try:
            yield
        except self.engine.errors as e:
            raise self.engine.error(e) from e

    # connections ----------------------------------------------------------------------------

    def _connection(self) -> Any:
        """This thread's connection, opened on its first use."""
        if self._closed:
            raise StoreError(
                "the database was closed: this trendbot is stopping", where=self.engine.where
            )
        if self.engine.shared:
            if self._shared is None:
                self._shared = self._opened(self.engine.connect())
            return self._shared
        conn = getattr(self._local, "conn", None)
        if conn is not None and conn.broken and not conn.in_transaction:
            conn = None  # the server restarted, or the network dropped it: a new one
        if conn is None:
            conn = self._local.conn = self._opened(self.engine.connect())
        return conn

    def _opened(self, conn: EngineConnection) -> EngineConnection:
        with self._open_lock:
            self._open.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's connection."""
        self._closed = True
        with self._open_lock:
            opened, self._open = self._open, []
        for conn in opened:
            conn.close()
        self.engine.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # reads and transactions -------------------------------------------------------------------

    @contextmanager
    def _read(self, *, snapshot: bool = False) -> Iterator[Any]:
        """This thread's connection for reading; with `snapshot`, every read inside sees the
        same state of the database (a read transaction), whatever other threads write."""
        with self._mapped_errors(), self._serial or nullcontext():
            conn = self._connection()
            if not snapshot or conn.in_transaction:
                yield conn
                return
            conn.begin_snapshot()
            try:
                yield conn
            finally:
                conn.commit()

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """All or nothing: a crash or an exception inside leaves the database as before. The
        write lock is taken at the start: two writers that read then write wait for each other
        instead of failing. Inside another transaction of the same thread, a SAVEPOINT."""
        with self._mapped_errors(), self._serial or nullcontext():
            conn = self._connection()
            if conn.in_transaction:
                name = f"trendbot_{next(self._savepoints)}"
                conn.execute(f"SAVEPOINT {name}")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                        conn.execute(f"RELEASE SAVEPOINT {name}")
                    raise
                conn.execute(f"RELEASE SAVEPOINT {name}")
                return
            try:
                conn.begin()
            except self.engine.errors:
                if not conn.broken:
                    raise
                conn = self._connection()  # the server had dropped it: once more, on a new one
                conn.begin()
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.rollback()
                raise
            conn.commit()

    def _rows(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        def rows(conn: Any) -> list[dict[str, Any]]:
            cursor = conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

        return self._query(rows)

    def _tuples(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self._query(lambda conn: [tuple(r) for r in conn.execute(sql, params).fetchall()])

    def _value(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self._query(lambda conn: conn.execute(sql, params).fetchone())
        return row[0] if row else None

    def _query(self, read: Callable[[Any], T]) -> T:
        """One read; again on a new connection when the server had dropped this one (a
        restart, a failover: the first use of a dead connection is what finds it dead)."""
        try:
            with self._read() as conn:
                return read(conn)
        except StoreError:
            conn = getattr(self._local, "conn", None)
            if conn is None or not conn.broken:
                raise
        with self._read() as conn:
            return read(conn)

    # for tests and benches only: product code calls the named methods (tests/test_layers.py)

    @property
    def db(self) -> Database:
        """This thread's sqlite-utils Database (SQLite only)."""
        with self._mapped_errors():
            conn = self._connection()
        if self.engine.name != "sqlite":
            raise TypeError("store.db is SQLite's sqlite-utils Database: use query() instead")
        return conn.utils

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        return self._rows(sql, params)

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._value(sql, params)

    def _fenced(self, conn: Any, lead: str | None) -> None:
        """In a write transaction of the leading worker: stop it if it no longer leads."""
        if lead is not None and not self.engine.fence(conn, lead):
            raise LeadLost("another worker leads now: this one's write is dropped")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """One statement in a transaction of its own (tests that set up odd rows)."""
        with self.transaction() as conn:
            conn.execute(sql, params)
