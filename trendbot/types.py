"""The data that flows between trendbot's stages. Plain dataclasses: no I/O here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

FeedKind = Literal["news", "trending"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def item_id_for(url: str, guid: str, feed: str) -> str:
    """A stable id: the canonical URL when there is one, else the feed's guid within that feed."""
    key = url if url else f"{feed}\n{guid}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Item:
    """One article (or one trending search) as trendbot keeps it.

    `published` and `seen` are timezone-aware UTC. `source` is the publisher when the feed names
    one (Google News, Google Trends news items), else the feed's own name. For trending items,
    `extra` holds the approximate traffic and the news items the trend lists.
    """

    feed: str
    guid: str
    url: str
    title: str
    summary: str
    published: datetime
    seen: datetime
    kind: FeedKind = "news"
    language: str | None = None
    author: str | None = None
    source: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return item_id_for(self.url, self.guid, self.feed)

    @property
    def text(self) -> str:
        """What gets embedded: the title, then the summary when it adds something."""
        if self.summary and self.summary[:60].lower() not in self.title.lower():
            return f"{self.title}. {self.summary}"
        return self.title


@dataclass(frozen=True)
class FeedInfo:
    """What a parsed feed says about itself."""

    title: str
    link: str
    language: str | None
    items: list[Item]
