"""Cadence: a few good pitches a day, not a flood. Pure: takes `now`, returns decisions.

Each cycle the pipeline hands over the stories that could be pitched; `plan` decides, for each,
`pitch`, `update` (a story already pitched that keeps rising: a reply in its thread), `wait` or
`drop`, with a machine word and a sentence for the marketer's "why not?":

    ready            pitch now: its queue window closed and it ranks within today's budget
    update           already pitched and still rising: post an update in its thread
    queued           waits `queue_minutes` so a stronger story arriving meanwhile can win
    outranked        stronger stories still in the queue hold the remaining slots
    quiet_hours      waits for the end of quiet hours (while it stays fresh, even if the
                     night's quiet makes it fade)
    daily_limit      max_per_day pitches made today (brand time zone)
    monthly_limit    max_per_month pitches made this month (brand time zone)
    low_score        momentum under min_score
    fading           the story is losing steam
    stale            waited too long to still be news
    already_pitched  pitched before and no longer rising
    blocked          brand-unsafe (safety should have kept it out; never pitched)

Stories rank by score × theme relevance. Days and months are counted in `settings.timezone`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from trendbot.settings import CadenceSettings

Action = Literal["pitch", "update", "wait", "drop"]

STILL_RISING = ("rising", "peaking")
# How long a story may wait beyond its queue window and a full quiet period. Past that it has
# been outranked for hours or sat through a night: the moment to join the conversation is gone.
FRESH_MARGIN = timedelta(hours=2)


@dataclass(frozen=True)
class Candidate:
    story_id: int
    score: float  # momentum score
    relevance: float  # best theme relevance, 0..1
    state: str  # new | rising | peaking | fading
    first_queued: datetime  # when the story first became a candidate
    already_pitched: bool = False
    safety: str = "safe"  # safe | caution (blocked stories should never get here)
    # Waited through quiet hours: the night's quiet, not the story, lowered its momentum, so
    # it is no less a candidate for that in the morning (while it stays fresh).
    overnight: bool = False

    @property
    def priority(self) -> float:
        return self.score * self.relevance


@dataclass(frozen=True)
class Decision:
    story_id: int
    action: Action
    reason: str  # one machine word (see the module docstring)
    detail: str  # one sentence a marketer can read


def plan(
    candidates: Sequence[Candidate],
    *,
    now: datetime,
    settings: CadenceSettings,
    pitched_times: Sequence[datetime],
) -> list[Decision]:
    """One decision per candidate: pitches (best first), updates, waits, then drops.

    `pitched_times` are the creation times of earlier pitches (any story), for the budgets;
    updates in an existing thread do not count against them. `update` is returned each time an
    already-pitched story is still rising: the caller posts one only when there is news (a new
    state, many more sources). Deterministic given the inputs.
    """
    if now.tzinfo is None:
        raise ValueError("cadence.plan needs a timezone-aware `now`")
    zone = ZoneInfo(settings.timezone)
    local_now = now.astimezone(zone)
    window = settings.quiet_window
    quiet_end = _quiet_end(local_now, window) if window else None
    queue = timedelta(minutes=settings.queue_minutes)
    max_wait = queue + _span(window) + FRESH_MARGIN

    decided: dict[int, Decision] = {}
    eligible: list[Candidate] = []
    for c in candidates:
        early = _screen(c, settings)
        if early is not None:
            decided[c.story_id] = early
        elif c.already_pitched:
            if quiet_end is not None:
                decided[c.story_id] = _wait_quiet(c, quiet_end, settings)
            else:
                detail = f"Still {c.state} (score {c.score:.1f}): an update goes in its thread."
                decided[c.story_id] = Decision(c.story_id, "update", "update", detail)
        elif now - min(c.first_queued, now) > max_wait:
            hours = (now - c.first_queued) / timedelta(hours=1)
            detail = f"Waited {hours:.0f} h since it rose: too old to pitch now."
            decided[c.story_id] = Decision(c.story_id, "drop", "stale", detail)
        else:
            eligible.append(c)

    ranked = sorted(eligible, key=_rank)
    if quiet_end is not None:
        # Nothing goes out now; keep a story waiting only if it will still be fresh when quiet
        # hours end and that morning has a budget left.
        left = _budget(quiet_end, pitched_times, settings, zone)
        spent = _spent(left, settings, f"{quiet_end:%A}")
        for c in ranked:
            if quiet_end - c.first_queued > max_wait:
                detail = f"Quiet hours until {quiet_end:%H:%M}: it would be too old by then."
                decided[c.story_id] = Decision(c.story_id, "drop", "stale", detail)
            elif spent is not None:
                decided[c.story_id] = Decision(c.story_id, "drop", *spent)
            else:
                decided[c.story_id] = _wait_quiet(c, quiet_end, settings)
    else:
        day_left, month_left = _budget(local_now, pitched_times, settings, zone)
        top = ranked[: max(0, min(day_left, month_left))]
        top_ids = {c.story_id for c in top}
        held = [c for c in top if c.first_queued + queue > now]
        gone = len(top) - len(held)
        after = _spent((day_left - gone, month_left - gone), settings, "Today")
        for c in ranked:
            closes = c.first_queued + queue
            if closes > now and (c.story_id in top_ids or held):
                detail = (
                    f"In the queue until {closes.astimezone(zone):%H:%M} ({settings.timezone}) "
                    "so a stronger story arriving meanwhile can win."
                )
                decided[c.story_id] = Decision(c.story_id, "wait", "queued", detail)
            elif c.story_id in top_ids:
                detail = f"Best of the queue: score {c.score:.1f} × relevance {c.relevance:.2f}."
                if c.safety == "caution":
                    detail += " Caution: shown with a warning, never posted anywhere automatically."
                decided[c.story_id] = Decision(c.story_id, "pitch", "ready", detail)
            elif held:
                ids = ", ".join(f"#{w.story_id}" for w in held)
                detail = f"Stronger stories still in the queue ({ids}) hold the remaining slots."
                decided[c.story_id] = Decision(c.story_id, "wait", "outranked", detail)
            else:
                # Outside the top with nothing held: the budget is spent, or is by this round.
                assert after is not None
                decided[c.story_id] = Decision(c.story_id, "drop", *after)

    rank = {c.story_id: n for n, c in enumerate(sorted(candidates, key=_rank))}
    return sorted(decided.values(), key=lambda d: (_ACTIONS[d.action], rank[d.story_id]))


_ACTIONS = {"pitch": 0, "update": 1, "wait": 2, "drop": 3}


def _rank(c: Candidate) -> tuple[float, int, datetime, int]:
    # Best first; on a tie a safe story beats a caution one, then the one queued earlier wins.
    return (-c.priority, c.safety != "safe", c.first_queued, c.story_id)


def _screen(c: Candidate, settings: CadenceSettings) -> Decision | None:
    """The reasons a story is out whatever the clock says."""
    if c.safety == "blocked":
        detail = "Brand-unsafe: never pitched."
        return Decision(c.story_id, "drop", "blocked", detail)
    if c.already_pitched and c.state not in STILL_RISING:
        detail = f"Already pitched; now {c.state}, so no update."
        return Decision(c.story_id, "drop", "already_pitched", detail)
    if c.overnight and not c.already_pitched:
        return None
    if c.score < settings.min_score:
        detail = f"Momentum {c.score:.1f} is under the minimum of {settings.min_score:g}."
        return Decision(c.story_id, "drop", "low_score", detail)
    if c.state == "fading":
        detail = f"The story is fading (score {c.score:.1f}): the moment has passed."
        return Decision(c.story_id, "drop", "fading", detail)
    return None


def _wait_quiet(c: Candidate, quiet_end: datetime, settings: CadenceSettings) -> Decision:
    what = "the update" if c.already_pitched else "the pitch"
    detail = (
        f"Quiet hours ({settings.quiet_hours}, {settings.timezone}): {what} waits until "
        f"{quiet_end:%H:%M}."
    )
    return Decision(c.story_id, "wait", "quiet_hours", detail)


def _in_window(t: time, window: tuple[time, time]) -> bool:
    start, end = window
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end  # the window crosses midnight


def _quiet_end(local_now: datetime, window: tuple[time, time]) -> datetime | None:
    """When the quiet hours around `local_now` end, or None when it is not quiet now."""
    if not _in_window(local_now.time().replace(tzinfo=None), window):
        return None
    end = window[1]
    day = local_now.date()
    candidate = datetime.combine(day, end, tzinfo=local_now.tzinfo)
    if candidate <= local_now:
        candidate = datetime.combine(day + timedelta(days=1), end, tzinfo=local_now.tzinfo)
    return candidate


def _span(window: tuple[time, time] | None) -> timedelta:
    if window is None or window[0] == window[1]:
        return timedelta(0)
    day = date(2000, 1, 1)
    start, end = datetime.combine(day, window[0]), datetime.combine(day, window[1])
    return (end - start) % timedelta(days=1)


def _counts(local: datetime, pitched_times: Sequence[datetime], zone: ZoneInfo) -> tuple[int, int]:
    """Pitches made on `local`'s day and in its month, in the brand's time zone."""
    day = month = 0
    for t in pitched_times:
        lt = t.astimezone(zone)
        if (lt.year, lt.month) == (local.year, local.month):
            month += 1
            day += lt.day == local.day
    return day, month


def _budget(
    local: datetime, pitched_times: Sequence[datetime], settings: CadenceSettings, zone: ZoneInfo
) -> tuple[int, int]:
    """Pitches still allowed on `local`'s day and in its month."""
    day, month = _counts(local, pitched_times, zone)
    return settings.max_per_day - day, settings.max_per_month - month


def _spent(left: tuple[int, int], settings: CadenceSettings, when: str) -> tuple[str, str] | None:
    """(reason, detail) when the day's or the month's budget is spent, else None."""
    day_left, month_left = left
    if month_left <= 0:
        detail = f"This month's pitches are all made (max_per_month {settings.max_per_month})."
        return "monthly_limit", detail
    if day_left <= 0:
        detail = f"{when}'s pitches are all made (max_per_day {settings.max_per_day})."
        return "daily_limit", detail
    return None
