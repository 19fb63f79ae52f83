"""The data that flows between trendbot's stages. Plain dataclasses: no I/O here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Literal

FeedKind = Literal["news", "trending"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def item_id_for(url: str, guid: str, feed: str) -> str:
    """A stable id: the canonical URL when there is one, else the feed's guid within that feed."""
    key = url if url else f"{feed}\n{guid}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def embed_text(title: str, summary: str) -> str:
    """What gets embedded: the title, then the summary when it adds something."""
    if summary and summary[:60].lower() not in title.lower():
        return f"{title}. {summary}"
    return title


def content_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Item:
    """One article (or one trending search) as trendbot keeps it.

    `published` and `seen` are timezone-aware UTC. `source` is the publisher when the feed names
    one (Google News, Google Trends news items), else the feed's own name. For trending items,
    `extra` holds the approximate traffic and the news items the trend lists. `rank` is its
    position when seen in a feed whose order is a ranking (Google News: 1 is the lead story);
    None in a feed ordered by time, where the position says nothing.
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
    rank: int | None = None

    @property
    def id(self) -> str:
        return item_id_for(self.url, self.guid, self.feed)

    @property
    def text(self) -> str:
        return embed_text(self.title, self.summary)


@dataclass(frozen=True)
class FeedInfo:
    """What a parsed feed says about itself."""

    title: str
    link: str
    language: str | None
    items: list[Item]


class PitchState(StrEnum):
    """Where a pitch is: proposed -> posted -> approved | rejected | snoozed | expired. The values
    are what the database stores. EDITED and STORY_SEEN only ever name pitch events (an edit, the
    story's news noted for the card's thread), never a pitch's own state."""

    PROPOSED = "proposed"
    POSTED = "posted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SNOOZED = "snoozed"
    EXPIRED = "expired"
    EDITED = "edited"
    STORY_SEEN = "story_seen"


OPEN_STATES = (PitchState.PROPOSED, PitchState.POSTED)  # waiting for an editor
FINAL_STATES = frozenset({PitchState.APPROVED, PitchState.REJECTED, PitchState.EXPIRED})


@dataclass(frozen=True)
class SourceLink:
    title: str
    url: str
    source: str = ""
    language: str | None = None


@dataclass(frozen=True)
class Pitch:
    """A post idea for one story: what an editor approves or rejects.

    `why_now` is the momentum in words ("12 sources in 90 min, ×4 the usual rate"), `sparkline`
    the story's last 24 hours in Unicode blocks; `safety` is `safe` or `caution` (blocked stories
    are never pitched), or `blocked` when brand safety turned against the story after its card
    (its thread said not to post it), or in the preview of a story it blocks (never saved).
    """

    story_id: int
    story_label: str
    theme: str
    angle: str
    draft: str
    hashtags: tuple[str, ...]
    visual: str
    why_now: str
    score: float
    safety: str
    safety_reason: str
    sources: tuple[SourceLink, ...]
    languages: tuple[str, ...] = ()
    sparkline: str = ""
    theme_evidence: str = ""
    writer: str = "template"  # "template" or "llm"
    writer_note: str = ""  # why the LLM writer was not used, when it was configured
    brand: str = ""  # the brand it is for (its name in feeds.yaml)
    id: int | None = None
    state: PitchState = PitchState.PROPOSED
    created: datetime | None = None
    slack_channel: str | None = None
    slack_ts: str | None = None

    @property
    def blocked(self) -> bool:
        return self.safety == "blocked"


@dataclass(frozen=True)
class ThemeFit:
    theme: str
    relevance: float  # 0..1
    evidence: str


@dataclass(frozen=True)
class Hold:
    """Why the pipeline held a story back instead of pitching it (the `holds` table)."""

    story_id: int
    # one word: muted, blocked, no_theme, weak_fit, elsewhere, draft_failed, or cadence's own
    reason: str
    detail: str  # one sentence a marketer can read
    at: datetime


@dataclass(frozen=True)
class HeldStory:
    """A story that was held back and never pitched, with the latest reason why."""

    story_id: int
    label: str
    score: float  # its latest score; a replay puts its best one while rising instead
    hold: Hold
    theme: str = ""  # `trendbot held`: the theme it fits or nearly fits, read now
    fit: float = 0.0  # its relevance to `theme`


@dataclass(frozen=True)
class StoryView:
    """A story as people see it (CLI tables, Slack answers): figures already explained."""

    id: int
    label: str
    state: str  # new | rising | peaking | fading
    score: float
    why_now: str  # Momentum.explain() in the brand's language
    size: int
    sources: int
    first_seen: datetime
    last_seen: datetime
    growth_drivers: str = ""  # what drives the predicted reach: `publishers in the last hour +0.4`
    keywords: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    sparkline: str = ""
    themes: tuple[ThemeFit, ...] = ()
    safety: str = "safe"  # safe | caution | blocked
    safety_reason: str = ""
    links: tuple[SourceLink, ...] = ()
    trending: bool = False
    traffic: int | None = None
    muted: bool = False
    pitch_id: int | None = None  # its latest pitch, when it was pitched
    held: Hold | None = None  # the latest reason it was held back, when it was
