"""The store: the truth (indexes and caches are rebuilt from it), and the only owner of SQL."""

from trendbot.store.db import SaveResult, Store, from_iso, insert_sql, iso
from trendbot.store.rows import (
    EmbeddedTitle,
    FeedRow,
    ItemToCluster,
    ItemToEmbed,
    Lease,
    Mute,
    PitchEvent,
    PitchLine,
    StoredItem,
    StoryActivity,
    StoryRow,
    StoryScore,
    ThemeExample,
    ThreadUpdate,
)

__all__ = [
    "EmbeddedTitle",
    "FeedRow",
    "ItemToCluster",
    "ItemToEmbed",
    "Lease",
    "Mute",
    "PitchEvent",
    "PitchLine",
    "SaveResult",
    "Store",
    "StoredItem",
    "StoryActivity",
    "StoryRow",
    "StoryScore",
    "ThemeExample",
    "ThreadUpdate",
    "from_iso",
    "insert_sql",
    "iso",
]
