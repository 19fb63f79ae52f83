"""Feeds: what feeds.yaml lists, with each feed's HTTP cache and health."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from trendbot.store.base import StoreBase, from_iso
from trendbot.store.rows import FeedRow

FEED_FIELDS = frozenset(
    {
        "url",
        "kind",
        "language",
        "title",
        "etag",
        "last_modified",
        "permanent_url",
        "last_fetched",
        "last_success",
        "last_error",
        "consecutive_failures",
        "next_fetch_after",
        "disabled",
        "claimed_by",
        "claimed_until",
    }
)


class FeedsMixin(StoreBase):
    def sync_feeds(self, feeds: Iterable[Any]) -> None:
        """Make the feeds table follow feeds.yaml; keep each feed's cache and health."""
        with self.transaction() as db:
            for feed in feeds:
                row = {"url": feed.url, "kind": feed.kind, "language": feed.language}
                existing = self.feed_row(feed.name)
                if existing is None:
                    db.execute(
                        "INSERT INTO feeds (name, url, kind, language) VALUES (?, ?, ?, ?)",
                        [feed.name, feed.url, feed.kind, feed.language],
                    )
                    continue
                if existing.url != feed.url and existing.permanent_url != feed.url:
                    # The admin pointed the feed elsewhere: forget the old URL's cache and health.
                    row |= {"etag": None, "last_modified": None, "permanent_url": None}
                    row |= {"consecutive_failures": 0, "disabled": 0, "next_fetch_after": None}
                update_feed_row(db, feed.name, row)

    def ensure_feed(self, name: str, *, url: str = "", kind: str = "news") -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO feeds (name, url, kind) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO NOTHING",
                [name, url, kind],
            )

    def feed_row(self, name: str) -> FeedRow | None:
        rows = self._rows("SELECT * FROM feeds WHERE name = ?", [name])
        return _feed_row(rows[0]) if rows else None

    def feed_rows(self) -> list[FeedRow]:
        return [_feed_row(r) for r in self._rows("SELECT * FROM feeds ORDER BY name")]

    def update_feed(self, name: str, **fields: Any) -> None:
        with self.transaction() as db:
            update_feed_row(db, name, fields)


def update_feed_row(db: Any, name: str, fields: dict[str, Any]) -> None:
    """Inside a transaction: set these columns of one feed."""
    if not fields:
        return
    unknown = set(fields) - FEED_FIELDS
    if unknown:
        raise ValueError(f"not a feed column: {sorted(unknown)}")  # a bug, not a user's mistake
    sets = ", ".join(f"{column} = ?" for column in fields)
    db.execute(f"UPDATE feeds SET {sets} WHERE name = ?", [*fields.values(), name])


def _feed_row(row: dict[str, Any]) -> FeedRow:
    times = {
        column: from_iso(row[column]) if row[column] else None
        for column in ("last_fetched", "last_success", "next_fetch_after")
    }
    row = {k: v for k, v in row.items() if k not in ("claimed_by", "claimed_until")}
    return FeedRow(**(row | times | {"disabled": bool(row["disabled"])}))
