"""The SQLite store: one file, WAL, the schema from migrations, every multi-row write atomic.

`Store` is the only owner of SQL in trendbot, split by domain; a PostgreSQL store would offer
the same methods. Connections: see `trendbot.store.base`.
"""

from __future__ import annotations

from trendbot.store.base import from_iso, insert_sql, iso
from trendbot.store.decisions import DecisionsMixin
from trendbot.store.feeds import FeedsMixin
from trendbot.store.items import ItemsMixin, SaveResult
from trendbot.store.pitches import PitchesMixin
from trendbot.store.runs import RunsMixin
from trendbot.store.stories import StoriesMixin

__all__ = ["SaveResult", "Store", "from_iso", "insert_sql", "iso"]


class Store(FeedsMixin, ItemsMixin, StoriesMixin, PitchesMixin, DecisionsMixin, RunsMixin):
    """Feeds, items, stories, pitches, editors' decisions and the run lease of one database."""

    def __enter__(self) -> Store:
        return self
