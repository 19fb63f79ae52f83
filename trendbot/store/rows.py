"""Typed rows the store returns, and the intents it applies.

Times are parsed, JSON columns decoded and vectors read as float32 arrays by the store, once:
no reader handles the database's text. Rows read with `SELECT *` are built from their columns by
name, so a column a migration adds is added to its row here. `Store.query` (tests and benches
only) still gives dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from trendbot.types import PitchState


def as_vector(value: Any) -> np.ndarray:
    """A stored vector as float32: BLOB/BYTEA bytes, or pgvector's `Vector`."""
    if isinstance(value, bytes | bytearray | memoryview):
        return np.frombuffer(value, dtype=np.float32)
    return np.asarray(value.to_numpy(), dtype=np.float32)


@dataclass(frozen=True)
class FeedRow:
    """A feed as the store knows it: what feeds.yaml says, its HTTP cache and its health."""

    name: str
    url: str
    kind: str
    language: str | None
    title: str | None
    etag: str | None
    last_modified: str | None  # the server's own text, sent back as is
    permanent_url: str | None
    last_fetched: datetime | None
    last_success: datetime | None
    last_error: str | None
    consecutive_failures: int
    next_fetch_after: datetime | None
    disabled: bool
    items_total: int


@dataclass(frozen=True)
class StoredItem:
    """An item as stored, under its stored id (`Item` is an item as a feed gives it). Its
    `extra` is left out: none of these readers needs it, and a trending item's is long."""

    id: str
    feed: str
    kind: str
    guid: str | None
    url: str | None
    title: str
    summary: str
    source: str | None
    author: str | None
    language: str | None
    published: datetime
    first_seen: datetime
    content_hash: str  # of the text embedded


@dataclass(frozen=True)
class ItemToEmbed:
    """A queued item waiting for its vector."""

    id: str
    title: str
    summary: str
    content_hash: str
    first_seen: datetime


@dataclass(frozen=True)
class ItemToCluster:
    """A queued item with its vector, waiting to join a story: what the tracker reads."""

    id: str
    title: str
    source: str | None
    feed: str
    kind: str
    language: str | None
    first_seen: datetime
    traffic: int | None  # a trending item's approximate searches; None for news
    vector: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class EmbeddedTitle:
    """A recent item with a vector: the stream the theme matcher adapts to."""

    id: str
    title: str


@dataclass(frozen=True)
class StoryRow:
    """A story as the scoring and brand-fit stages and the readers see it (the clusterer's own
    state is `Store.open_stories`)."""

    id: int
    model: str
    label: str
    keywords: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    size: int  # items
    sources: int
    languages: tuple[str, ...]
    trending: bool
    traffic: int | None
    merged_into: int | None
    state: str  # new | rising | peaking | fading
    state_since: datetime | None
    score: float
    why: dict[str, Any]  # what the scoring said (`StoryScore.why`); {} before the first scoring
    scored_at: datetime | None
    vector_sum: np.ndarray = field(repr=False, compare=False)  # float32: the items' vectors summed


@dataclass(frozen=True)
class ThemeExample:
    """What an editor taught a brand's matcher: an approval (+1) or a rejection (-1)."""

    id: int
    theme: str  # "*": not our topic, whatever the theme
    polarity: int
    text: str
    story_id: int | None
    pitch_id: int | None
    reason: str | None
    user: str | None
    created: datetime
    brand: str


@dataclass(frozen=True)
class Mute:
    """Words, or a story id, that no pitch may be about."""

    id: int
    kind: str  # words | story
    value: str
    user: str | None
    created: datetime


@dataclass(frozen=True)
class PitchEvent:
    """One step of a pitch's life: who moved it to `state`, when, where and why."""

    id: int
    pitch_id: int
    state: PitchState
    at: datetime
    user: str | None
    channel: str | None
    message_ts: str | None
    reason: str | None


@dataclass(frozen=True)
class Lease:
    """Who holds a database's run lease, and until when."""

    name: str
    holder: str
    pid: int | None
    host: str | None
    acquired: datetime
    expires: datetime


@dataclass(frozen=True)
class ThreadUpdate:
    """News for a pitch's card thread, waiting to be posted."""

    id: int
    pitch_id: int
    text: str


@dataclass(frozen=True)
class StoryScore:
    """What the scoring stage decided about one story: the store writes it as is."""

    id: int
    state: str
    state_since: datetime | None
    score: float
    why: dict[str, Any]
    scored_at: datetime


@dataclass(frozen=True)
class PitchLine:
    """A pitch as the report lists it, with its latest decision when it has one."""

    id: int
    story_id: int
    created: str
    label: str
    theme: str
    score: float
    safety: str
    state: str
    draft: str
    decided_by: str | None = None
    decided_at: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class StoryActivity:
    """The biggest stories of a period (of the model that clustered most of it)."""

    model: str | None
    count: int  # stories with at least one new item in the period
    top: list[int]  # the biggest, biggest first
    labels: dict[int, str]
    seen: list[tuple[int, datetime]]  # (story id, first seen) of each of their items
