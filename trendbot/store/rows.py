"""Typed rows the store returns, and the intents it applies.

Older methods still return `dict` rows (stories, items, feeds, pitch events, theme examples,
mutes): the CLI, the Slack app and the benches read those by column name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


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
