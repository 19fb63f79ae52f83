"""The store: the truth (indexes and caches are rebuilt from it), and the only owner of SQL."""

from trendbot.store.db import SaveResult, Store, from_iso, insert_sql, iso
from trendbot.store.rows import Lease, PitchLine, StoryActivity, StoryScore, ThreadUpdate

__all__ = [
    "Lease",
    "PitchLine",
    "SaveResult",
    "Store",
    "StoryActivity",
    "StoryScore",
    "ThreadUpdate",
    "from_iso",
    "insert_sql",
    "iso",
]
