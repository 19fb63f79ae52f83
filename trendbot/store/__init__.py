"""The SQLite store (the truth; indexes and caches are rebuilt from it)."""

from trendbot.store.db import SaveResult, Store, from_iso, iso

__all__ = ["SaveResult", "Store", "from_iso", "iso"]
