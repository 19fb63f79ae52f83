"""The SQLite store (the truth; indexes and caches are rebuilt from it)."""

from trendbot.store.db import SaveResult, Store, from_iso, insert_sql, iso

__all__ = ["SaveResult", "Store", "from_iso", "insert_sql", "iso"]
