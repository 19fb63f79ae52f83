"""Momentum: which stories are rising now. Pure: takes a story's events, the stream's baseline
and `now`, returns figures and a state; no I/O, no clock.

A story is *rising* when several distinct publishers cover it at well above the usual rate, now.
"Now" is a window long enough for the stream to fill it (90 min on a busy stream, up to 8 h on
a thin one), and the usual rate is the higher of the story's own earlier rate and what a typical
live story of the same stream gets (`StreamBaseline`), so the score means the same on a stream
of ten items an hour and on one of a thousand. One publisher repeating itself is not a trend:
each source counts at most `source_cap` items per window, the score grows with the number of
distinct sources, and `rising` needs `min_sources` of them (or a trending-feed presence).

States: a story is `new` until it rises or goes a whole window without an item (`fading`);
`rising` turns `peaking` when its velocity stops growing, and either turns `fading` when the
score drops below `rise_exit`, lower than `rise_enter` (hysteresis); a state other than `new`
lasts at least `min_dwell_minutes`, so a story that wobbles around a threshold does not flap.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from trendbot import growth as growth_model
from trendbot.growth import Growth, GrowthModel
from trendbot.types import FeedKind
from trendbot.words import Messages

NEW, RISING, PEAKING, FADING = "new", "rising", "peaking", "fading"
STATES = (NEW, RISING, PEAKING, FADING)
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened to a story.

    An item is a new article or trending search joining the story. A `repeat` is a later
    sighting of an item already counted (the headline is still listed in top stories, the search
    still in the trending feed): it is not a new item and adds nothing to velocity or sources,
    but it is evidence the story is still on the front page, so it keeps `freshness` up and, for
    trending feeds, refreshes presence and traffic.
    """

    t: float  # epoch seconds
    source: str  # publisher (or the feed's name when the feed names none)
    feed: str = ""
    kind: FeedKind = "news"
    traffic: int | None = None  # approximate searches, trending feeds only
    repeat: bool = False
    rank: int | None = None  # the item's best position so far in a ranked feed (1 = the top)


@dataclass(frozen=True)
class TrendParams:
    # Defaults chosen with bench/eval_trends.py on Google News US top stories (Jul-Dec 2025,
    # ~6,400 stories by StoryTracker + MiniLM): a thin stream (~7 new items an hour) where a
    # story that becomes big (5+ publishers, ~880 of them) takes a median 18 h to get there.
    # - Window. A fixed 90 min holds ~10 items of such a stream: only ~80 stories ever rose, a
    #   median 3 days after their first item. Stretching it until the stream fills it with 60
    #   items (8 h there; 90 min on any stream of 40+ items an hour) flags ~660 stories, 84% of
    #   which become big (17% of the never-risen ones with 2+ publishers do), and 46% of big
    #   stories before their 5th publisher; 40 items (5.5 h) is as precise but 33% early.
    # - rise_enter 5 (3-4 publishers in the window at 2-3x a typical story's rate). 4 flags
    #   ~1,090 stories, only 67% become big (70% caught early); 6 flags ~455, 90% big, 32%
    #   early. A wrong pitch costs a brand team more than a late one: precision first.
    # - rise_exit 2.5 and a 60-min dwell: without them (exit = enter, no dwell) a risen story
    #   comes back to rising within 3 h of fading 0.53 times on average, against 0.06.
    # - min_sources 2 changes nothing at rise_enter 5 (the score needs 3+ sources there) but
    #   keeps a single-publisher burst out whatever rise_enter is set to.
    window_minutes: float = 90.0  # the shortest "recent" window (velocity, distinct sources)
    window_items: int = 60  # ...stretched until the whole stream puts this many items in it
    max_window_hours: float = 8.0  # ...but never longer than this
    lookback_hours: float = 48.0  # the story's own earlier rate is measured over this span
    source_cap: int = 2  # items one source can contribute per window
    half_life_hours: float = 3.0  # freshness halves every so often after the last event
    min_sources: int = 2  # distinct publishers in the window needed to enter `rising`
    rise_enter: float = 5.0  # score to enter `rising` (from new, fading, or back from peaking)
    rise_exit: float = 2.5  # score under which rising/peaking become `fading`
    peak_trend: float = 0.0  # rising -> peaking when the relative acceleration drops to this
    rerise_trend: float = 0.34  # peaking -> rising again when velocity grows 2x window on window
    min_dwell_minutes: float = 60.0  # a state (other than new) lasts at least this long
    accel_weight: float = 0.5  # how much a growing (or shrinking) velocity moves the score
    trending_weight: float = 2.0  # score added by presence in a trending-topic feed
    trending_hours: float = 4.0  # a trending event this recent counts as presence
    # With a growth model: the fewest distinct publishers a story needs before a prediction
    # alone makes it rise. On the Google News stream 61 % of stories with 3 publishers reach 5
    # and 80 % of those with 4 do: allowing 3 made the flags 0.78 precise (76 % of big stories
    # flagged strictly before their 5th publisher), 4 keeps them 0.855 precise (72 % early;
    # held-out Nov-Dec 2025, bench/eval_trends.py).
    predict_min_sources: int = 4


@dataclass(frozen=True)
class Momentum:
    score: float  # comparable across stories and streams; 5 and up is rising (by default)
    state: str  # "new" | "rising" | "peaking" | "fading"
    velocity: float  # items per hour in the recent window (each source capped)
    rate_ratio: float  # velocity / max(the story's own earlier rate, the stream's baseline)
    acceleration: float  # items/hour per hour: recent window minus the one before, over window
    sources_recent: int  # distinct publishers in the recent window
    sources_total: int
    trending: bool  # present in a trending-topic feed within `trending_hours`
    traffic: int | None  # the highest recent trending traffic, when the feed gives one
    freshness: float  # 1.0 right after the last event, halving every `half_life_hours`
    items_recent: int = 0
    window_minutes: float = 90.0
    growth: Growth | None = None  # the predicted reach, when a growth model scored the story
    risen: bool = False  # it is rising now or has been (the store keeps it with the state)

    def explain(self, lang: str = "en") -> str:
        """One line for a card: `12 sources in 90 min, ×4 the usual rate, in Google Trends ~50k`,
        then the predicted reach when there is one: `expected to reach ~40 sources in 6 h (20 so
        far, ±30 %)`."""
        msg = Messages(lang)
        window = _duration(self.window_minutes, msg)
        if self.sources_recent == 1:
            parts = [msg("trend.one_source", window=window)]
        else:
            parts = [msg("trend.sources", count=self.sources_recent, window=window)]
        if self.rate_ratio >= 1.05:
            parts.append(msg("trend.faster", ratio=_number(self.rate_ratio, msg)))
        elif self.items_recent:
            parts.append(msg("trend.slower"))
        if self.trending and self.traffic:
            parts.append(msg("trend.google_traffic", traffic=_traffic(self.traffic, msg)))
        elif self.trending:
            parts.append(msg("trend.google"))
        if self.growth is not None:
            parts.append(self.growth.explain(lang))
        return ", ".join(parts)


def momentum(
    events: Sequence[Event],
    now: float,
    *,
    baseline_per_hour: float,
    window_minutes: float | None = None,
    previous_state: str | None = None,
    state_since: float | None = None,
    params: TrendParams = TrendParams(),
    growth: Growth | None = None,
    risen: bool = False,
) -> Momentum:
    """The momentum of one story at `now`.

    `baseline_per_hour` and `window_minutes` describe the stream: the usual rate of one live
    story, and how long "recent" is. Take both from `StreamBaseline.at(now)`; without a
    `window_minutes`, `params.window_minutes` is used. `previous_state` and `state_since` (when
    that state was entered) come from the store; the caller records `now` as the new
    `state_since` whenever the returned state differs. Events after `now` are ignored; order
    does not matter, and events older than `params.lookback_hours` may be left out.

    With a `growth` prediction (`score_stories` makes one), a story first enters `rising` when
    it is predicted big (`p_big >= p_enter`) and has news in the recent window, not at a hand-set
    score; the score then never falls below `rise_enter` scaled by `p_big / p_enter` (times
    freshness), so a story predicted big ranks with the risen ones and fades when quiet. Once
    it has risen (`risen`, from the previous Momentum), rising again takes a new surge, as
    without a prediction: a big story is predicted big at each of its later items, which is no
    news (re-rising on the prediction alone flapped 3 times per story on the Google News stream).
    """
    p = params
    minutes = window_minutes or p.window_minutes
    window = minutes * 60.0
    window_h = window / HOUR
    recent_start, prev_start = now - window, now - 2 * window
    lookback_start = now - p.lookback_hours * HOUR
    trending_start = now - p.trending_hours * HOUR

    recent: Counter[str] = Counter()
    previous: Counter[str] = Counter()
    earlier: Counter[str] = Counter()
    sources: set[str] = set()
    first = math.inf
    last = -math.inf
    trending = False
    traffic: int | None = None
    for e in events:
        t = e.t
        if t > now:
            continue
        last = max(last, t)
        if e.kind == "trending" and t >= trending_start:
            trending = True
            if e.traffic is not None and (traffic is None or e.traffic > traffic):
                traffic = e.traffic
        if e.repeat:
            continue
        first = min(first, t)
        sources.add(e.source)
        if t > recent_start:
            recent[e.source] += 1
        elif t > prev_start:
            previous[e.source] += 1
        elif t > lookback_start:
            earlier[e.source] += 1

    if last == -math.inf:  # nothing yet (or only future events)
        state = FADING if previous_state in (RISING, PEAKING, FADING) else NEW
        return Momentum(0.0, state, 0.0, 0.0, 0.0, 0, 0, False, None, 0.0, 0, minutes)

    cap = p.source_cap
    items_recent = sum(min(n, cap) for n in recent.values())
    velocity = items_recent / window_h
    velocity_prev = sum(min(n, cap) for n in previous.values()) / window_h
    acceleration = (velocity - velocity_prev) / window_h
    trend = (velocity - velocity_prev) / (velocity + velocity_prev) if velocity else -1.0

    # The story's own usual rate, measured before the previous window so that a surge that has
    # just happened is not already "usual" (the story peaks before it fades), and over at least
    # one window so that a story born minutes ago does not get a huge rate from one early item.
    span = prev_start - max(first, lookback_start)
    if span > 0:
        windows = max(1.0, span / window)
        earlier_n = sum(min(n, cap * windows) for n in earlier.values())
        own_rate = earlier_n / (windows * window_h)
    else:
        own_rate = 0.0
    usual = max(own_rate, baseline_per_hour, 1e-9)
    rate_ratio = velocity / usual

    freshness = 0.5 ** ((now - last) / (p.half_life_hours * HOUR))
    heat = math.log2(1 + rate_ratio) * math.log2(1 + len(recent))
    heat *= 1 + p.accel_weight * trend
    if trending:
        # 1k searches -> x1.15, 50k -> x1.85, 1M -> x2.5: traffic helps, presence matters most.
        heat += p.trending_weight * (1 + math.log10(1 + (traffic or 0) / 1000) / 2)
    surge = heat * freshness >= p.rise_enter and (len(recent) >= p.min_sources or trending)
    if growth is None:
        score, hot = heat * freshness, surge
    else:
        score = max(heat, p.rise_enter * growth.p_big / growth.p_enter) * freshness
        first_rise = not risen and previous_state not in (RISING, PEAKING)
        predicted = growth.p_big >= growth.p_enter and len(sources) >= p.predict_min_sources
        hot = predicted and bool(recent) if first_rise else surge
    state = _next_state(
        previous_state,
        state_since,
        now,
        hot=hot,
        warm=score >= p.rise_exit,
        trend=trend,
        quiet=not recent,
        p=p,
    )
    return Momentum(
        score=score,
        state=state,
        velocity=velocity,
        rate_ratio=rate_ratio,
        acceleration=acceleration,
        sources_recent=len(recent),
        sources_total=len(sources),
        trending=trending,
        traffic=traffic,
        freshness=freshness,
        items_recent=items_recent,
        window_minutes=minutes,
        growth=growth,
        risen=risen or state == RISING,
    )


def _next_state(
    previous: str | None,
    since: float | None,
    now: float,
    *,
    hot: bool,
    warm: bool,
    trend: float,
    quiet: bool,
    p: TrendParams,
) -> str:
    if previous is None or previous == NEW or previous not in STATES:
        if hot:
            return RISING
        return FADING if quiet else NEW
    if since is not None and now - since < p.min_dwell_minutes * 60.0:
        return previous
    if previous == RISING:
        if not warm:
            return FADING
        return PEAKING if trend <= p.peak_trend else RISING
    if previous == PEAKING:
        if not warm:
            return FADING
        return RISING if hot and trend >= p.rerise_trend else PEAKING
    return RISING if hot else FADING


@dataclass(frozen=True)
class Baseline:
    """What `momentum` needs to know about the whole stream at one time."""

    window_minutes: float  # how long "recent" is for this stream
    story_per_hour: float  # items per hour of a typical active story over such a window
    stream_per_hour: float  # items per hour of the whole stream


class StreamBaseline:
    """The whole stream's pace, kept as items arrive, for `momentum`. Pure.

    Call `add(t, story_id)` once per new item (not for repeat sightings), in any order, and
    `at(now)` once per cycle. The recent window lasts `params.window_minutes`, stretched on a
    thin stream until the stream puts `params.window_items` items in it (at most
    `max_window_hours`): counts of two or three items only mean something against enough of the
    stream. A story's usual rate is the stream's items divided by the distinct stories active in
    each window-long span of the last `history_hours`: what a typical active story gets. It is
    never below one item per window, so a quiet stream does not make every story look like a
    surge.
    """

    SLOT = 15 * 60.0  # windows are built from 15-minute slots

    def __init__(self, params: TrendParams = TrendParams(), *, history_hours: float = 24.0) -> None:
        self.params = params
        self.history = history_hours * HOUR
        self._slots: dict[int, Counter[Hashable]] = {}  # slot -> items per story; any order
        self._items = 0
        self._started: float | None = None

    def add(self, t: float, story_id: Hashable) -> None:
        self._slots.setdefault(int(t // self.SLOT), Counter())[story_id] += 1
        self._items += 1
        self._started = t if self._started is None else min(self._started, t)

    def _expire(self, now: float) -> None:
        oldest = int((now - self.history) // self.SLOT)
        for key in [k for k in self._slots if k < oldest]:
            self._items -= self._slots.pop(key).total()

    def per_hour(self, now: float) -> float:
        """Items per hour of the whole stream over the history (or since the first item)."""
        self._expire(now)
        if self._started is None:
            return 0.0
        span = min(self.history, max(now - self._started, self.SLOT))
        return self._items / (span / HOUR)

    def window_minutes(self, now: float) -> float:
        p = self.params
        rate = self.per_hour(now)
        longest = p.max_window_hours * 60.0
        minutes = p.window_items / rate * 60.0 if rate else longest
        minutes = 30.0 * math.ceil(minutes / 30.0)  # half hours: "in 4.5 h", never "in 263 min"
        return min(max(minutes, p.window_minutes), longest)

    def story_per_hour(self, now: float, window_minutes: float) -> float:
        """Items per hour of a typical active story, counted over windows of that length."""
        self._expire(now)
        per_window = max(1, round(window_minutes * 60.0 / self.SLOT))
        groups: dict[int, set[Hashable]] = {}
        for key, stories in self._slots.items():
            groups.setdefault(key // per_window, set()).update(stories)
        story_windows = sum(len(g) for g in groups.values())
        per_story = self._items / story_windows if story_windows else 1.0
        return max(1.0, per_story) / (window_minutes / 60.0)

    def baseline_per_hour(self, now: float) -> float:
        """The usual story rate over `params.window_minutes`: for `momentum` called without a
        `window_minutes`. Prefer `at(now)`, which also stretches the window on a thin stream."""
        return self.story_per_hour(now, self.params.window_minutes)

    def at(self, now: float) -> Baseline:
        minutes = self.window_minutes(now)
        return Baseline(minutes, self.story_per_hour(now, minutes), self.per_hour(now))


def score_stories(
    events: Mapping[int, Sequence[Event]],
    states: Mapping[int, tuple[str | None, float | None, bool]],
    now: float,
    *,
    model: GrowthModel | None = None,
    params: TrendParams = TrendParams(),
) -> dict[int, Momentum]:
    """The momentum (and, with a growth `model`, the predicted reach) of every story in `states`
    at `now`. `events` holds every story's events over the lookback (all of them make the
    stream's baseline); `states` maps each live story to its (previous state, state since,
    risen before), or (None, None, False) for one never scored. What the pipeline runs each
    cycle, and what bench/eval_trends.py replays."""
    baseline = StreamBaseline(params)
    for story_id, story_events in events.items():
        for e in story_events:
            if not e.repeat:
                baseline.add(e.t, story_id)
    stream = baseline.at(now)
    growth_stream = growth_model.Stream.of(events, now) if model is not None else None
    out: dict[int, Momentum] = {}
    for story_id, (state, since, risen) in states.items():
        story_events = events.get(story_id, [])
        g = None
        if model is not None and growth_stream is not None and story_events:
            g = growth_model.predict(model, story_events, now, growth_stream)
        out[story_id] = momentum(
            story_events,
            now,
            baseline_per_hour=stream.story_per_hour,
            window_minutes=stream.window_minutes,
            previous_state=state,
            state_since=since,
            params=params,
            growth=g,
            risen=risen,
        )
    return out


def hourly_timeline(events: Sequence[Event], now: float, hours: int = 24) -> list[int]:
    """New items per hour, oldest first; the last bucket is the hour ending at `now`."""
    counts = [0] * hours
    for e in events:
        if e.repeat or e.t > now:
            continue
        back = int((now - e.t) // HOUR)
        if back < hours:
            counts[hours - 1 - back] += 1
    return counts


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Sequence[int]) -> str:
    """`▁▁▂▅█▃`: zero is the lowest block, any non-zero count at least the second one."""
    top = max(counts, default=0)
    if top <= 0:
        return BLOCKS[0] * len(counts)
    return "".join(BLOCKS[max(1, math.ceil(c * 7 / top)) if c > 0 else 0] for c in counts)


def _duration(minutes: float, msg: Messages) -> str:
    if minutes < 120:
        return msg("minutes", minutes=f"{minutes:.0f}")
    return msg("hours", hours=_number(minutes / 60, msg, digits=1))


def _number(x: float, msg: Messages, digits: int = 0) -> str:
    text = f"{x:.{digits}f}" if x >= 3 else f"{x:.1f}"
    return msg.number(text.removesuffix(".0"))


def _traffic(n: int, msg: Messages) -> str:
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size:
            return msg.number(f"{n / size:.1f}".removesuffix(".0")) + suffix
    return str(n)
