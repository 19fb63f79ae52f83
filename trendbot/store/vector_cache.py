"""The machine's vector cache: vectors by (model, sha1 of the text) in one SQLite file shared by
every database, run and replay on this machine (`$TRENDBOT_CACHE`, else `~/.cache/trendbot/`).
Its own file, not the store's: several databases share it, and losing it only costs time.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from trendbot.logs import get_logger

log = get_logger("trendbot.embed")

CACHE_FILE = "vectors.sqlite"
CACHE_VERSION = 1
KEEP_DAYS = 60  # a vector unused this long goes (an active setup reads its stream every day)
_LOOKUP = 500  # keys per SELECT: under SQLite's default limit of bound parameters


def cache_dir() -> Path | None:
    """`$TRENDBOT_CACHE` (`off` for none), else the user's cache folder."""
    setting = os.environ.get("TRENDBOT_CACHE", "").strip()
    if setting.lower() in ("off", "none", "0"):
        return None
    if setting:
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "trendbot"


def _today() -> int:
    return int(time.time() // 86400)


class VectorCache:
    """Vectors by (model, sha1 of the text) in one SQLite file shared by every database, run and
    replay on this machine, so a text is encoded once. Several processes may use it at once (WAL,
    short transactions, a busy timeout); a cache that cannot be opened or written is skipped with
    a warning, never an error: it only saves time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=10, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        if self._db.execute("PRAGMA user_version").fetchone()[0] != CACHE_VERSION:
            with self._db:  # it is a cache: an older layout is dropped, not migrated
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("DROP TABLE IF EXISTS vectors")
                self._db.execute(
                    "CREATE TABLE vectors (model TEXT NOT NULL, key TEXT NOT NULL,"
                    " vector BLOB NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (model, key))"
                    " WITHOUT ROWID"
                )
                self._db.execute("CREATE INDEX vectors_used ON vectors (used)")
                self._db.execute(f"PRAGMA user_version = {CACHE_VERSION}")
        self.prune()

    @classmethod
    def default(cls) -> VectorCache | None:
        """The machine's cache, or None when it is off or cannot be opened (said in the log)."""
        folder = cache_dir()
        if folder is None:
            return None
        try:
            return cls(folder / CACHE_FILE)
        except (OSError, sqlite3.Error) as e:
            log.warning("embed.cache_unavailable", path=str(folder), error=str(e))
            return None

    def get(self, model: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        today = _today()
        with self._lock:
            for start in range(0, len(keys), _LOOKUP):
                chunk = list(keys[start : start + _LOOKUP])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, vector, used FROM vectors WHERE model = ? AND key IN ({marks})",
                    [model, *chunk],
                ).fetchall()
                stale = [key for key, _, used in rows if used < today]
                for key, blob, _ in rows:
                    found[key] = np.frombuffer(blob, dtype=np.float32)
                if stale:  # once a day per vector at most: reads stay reads
                    self._write(
                        "UPDATE vectors SET used = ? WHERE model = ? AND key = ?",
                        [(today, model, key) for key in stale],
                    )
        return found

    def put(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        today = _today()
        rows = [
            (model, key, np.asarray(v, dtype=np.float32).tobytes(), today)
            for key, v in vectors.items()
        ]
        with self._lock:
            self._write("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)

    def dim(self, model: str) -> int | None:
        """The dimension of `model`'s vectors when any is cached."""
        with self._lock:
            row = self._db.execute(
                "SELECT length(vector) / 4 FROM vectors WHERE model = ? LIMIT 1", [model]
            ).fetchone()
        return int(row[0]) if row else None

    def prune(self, *, keep_days: int = KEEP_DAYS) -> int:
        """Forget the vectors unused for `keep_days`; how many went."""
        with self._lock:
            cursor = self._write("DELETE FROM vectors WHERE used < ?", [(_today() - keep_days,)])
        return cursor

    def _write(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """One short transaction; a locked or read-only cache is skipped (it only saves time)."""
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                return self._db.executemany(sql, rows).rowcount
        except sqlite3.Error as e:
            log.warning("embed.cache_write_failed", path=str(self.path), error=str(e))
            return 0

    def close(self) -> None:
        with self._lock:
            self._db.close()
