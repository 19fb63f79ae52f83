"""Per-feed health: when to fetch a feed next, after how many failures, and when to give up.

Pure: the previous state, what happened and `now` in, the new state out. A feed that fails is
retried later and later (the poll interval doubled at each failure, capped), a site that says
"Retry-After" is left alone that long, and a feed that answers 410 Gone is disabled.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from trendbot.errors import FeedError, FetchError

MAX_BACKOFF = timedelta(hours=6)
MAX_RETRY_AFTER = timedelta(days=1)  # a Retry-After of a year is a server bug, not a wish

Outcome = Literal["ok", "not_modified"] | FeedError


@dataclass(frozen=True)
class FeedHealth:
    consecutive_failures: int = 0
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None  # one line, for `trendbot feeds` and the admin
    last_status: int | None = None  # HTTP status of the last failure, when there was one
    next_fetch_after: datetime | None = None
    disabled: bool = False


def backoff(interval: timedelta, failures: int, cap: timedelta = MAX_BACKOFF) -> timedelta:
    """The wait after `failures` consecutive failures: interval x 2^failures, at most `cap`
    (or the interval itself, when a feed is polled less often than that)."""
    if failures <= 0:
        return interval
    return min(interval * 2 ** min(failures, 20), max(cap, interval))


def record(
    state: FeedHealth,
    outcome: Outcome,
    *,
    now: datetime,
    interval: timedelta,
    max_backoff: timedelta = MAX_BACKOFF,
) -> FeedHealth:
    """The feed's health after one fetch-and-parse attempt that ended in `outcome`."""
    if isinstance(outcome, str):  # "ok" or "not_modified": the feed works
        return replace(
            state,
            consecutive_failures=0,
            last_attempt=now,
            last_success=now,
            last_error=None,
            last_status=None,
            next_fetch_after=now + interval,
        )
    failures = state.consecutive_failures + 1
    wait = backoff(interval, failures, max_backoff)
    status = outcome.status if isinstance(outcome, FetchError) else None
    retry_after = outcome.retry_after if isinstance(outcome, FetchError) else None
    if retry_after is not None:
        wait = max(wait, min(timedelta(seconds=retry_after), MAX_RETRY_AFTER))
    lines = str(outcome).splitlines()
    return replace(
        state,
        consecutive_failures=failures,
        last_attempt=now,
        last_error=lines[0] if lines else type(outcome).__name__,
        last_status=status,
        next_fetch_after=now + wait,
        disabled=state.disabled or status == 410,
    )


def due(state: FeedHealth, now: datetime) -> bool:
    """Whether the feed should be fetched at `now`."""
    if state.disabled:
        return False
    return state.next_fetch_after is None or now >= state.next_fetch_after


def enable(state: FeedHealth) -> FeedHealth:
    """A disabled feed, put back into rotation (after the admin fixed its URL): fetch it now."""
    return replace(state, disabled=False, consecutive_failures=0, next_fetch_after=None)
