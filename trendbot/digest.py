"""When a brand's digest is due, and what goes in it. Pure: the store and Slack are elsewhere.

A digest covers one *period*: from the previous scheduled time to this one. The period's key
(brand and scheduled time) is what makes it go out once, whatever restarts or retries happen;
a process that was down at the scheduled time posts the latest period late, never the older
ones it missed (an old digest is noise).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from trendbot.settings import WEEKDAYS, BrandSettings, DigestSettings

LOOKBACK_DAYS = 8  # a weekly digest's previous period is at most 7 days back


def due_at(now: datetime, digest: DigestSettings, timezone: str) -> datetime | None:
    """The latest scheduled time at or before `now` (UTC), or None within a week."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    for back in range(LOOKBACK_DAYS):
        day = local.date() - timedelta(days=back)
        if WEEKDAYS[day.weekday()] not in digest.days:
            continue
        # fold=0 and zoneinfo pick the first of a repeated hour; a skipped hour moves on by it
        at = datetime.combine(day, digest.clock, zone)
        if at <= local:
            return at.astimezone(UTC)
    return None


def next_at(now: datetime, digest: DigestSettings, timezone: str) -> datetime:
    """The first scheduled time after `now` (UTC)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    for ahead in range(LOOKBACK_DAYS + 1):
        day = local.date() + timedelta(days=ahead)
        at = datetime.combine(day, digest.clock, zone)
        if WEEKDAYS[day.weekday()] in digest.days and at > local:
            return at.astimezone(UTC)
    raise AssertionError("a digest has at least one day a week")  # settings make sure


@dataclass(frozen=True)
class Period:
    brand: str
    start: datetime  # the previous scheduled time (exclusive)
    end: datetime  # this scheduled time

    @property
    def key(self) -> str:
        return f"digest:{self.brand}:{self.end.isoformat(timespec='minutes')}"


def current_period(now: datetime, brand: BrandSettings) -> Period | None:
    """The period whose digest should be out by `now`, or None when the brand has no digest."""
    if brand.digest is None or brand.cadence.mode == "realtime":
        return None
    end = due_at(now, brand.digest, brand.cadence.timezone)
    if end is None:
        return None
    start = due_at(end - timedelta(seconds=1), brand.digest, brand.cadence.timezone)
    return Period(brand.name, start or end - timedelta(days=7), end)


@dataclass(frozen=True)
class Entry:
    story_id: int
    label: str
    theme: str
    relevance: float
    why_now: str
    pitch_id: int | None = None  # the story was pitched already
    caution: str | None = None  # safety's caution reason, shown so editors read the sources
    brand: str = ""  # whose themes it fits: a "Draft a pitch" button drafts for that brand


@dataclass(frozen=True)
class Digest:
    period: Period
    entries: tuple[Entry, ...]
    language: str


MAX_ENTRIES = 10  # one message people read; the rest waits in /trend top


def compose(period: Period, entries: Sequence[Entry], *, language: str) -> Digest:
    """The best `MAX_ENTRIES` entries, one per story, grouped by theme in the brand's order of
    relevance: what a marketer skims over coffee."""
    best: dict[int, Entry] = {}
    for entry in entries:
        if entry.story_id not in best or entry.relevance > best[entry.story_id].relevance:
            best[entry.story_id] = entry
    top = sorted(best.values(), key=lambda e: -e.relevance)[:MAX_ENTRIES]
    order = {theme: n for n, theme in enumerate(dict.fromkeys(e.theme for e in top))}
    top.sort(key=lambda e: (order[e.theme], -e.relevance))
    return Digest(period, tuple(top), language)
