"""Growth: from a story's first events, how big it will get and how soon. Pure: takes events, the
stream and `now`, returns a prediction; the weights come in as data (`GrowthModel.from_dict`).

Three small linear models share one set of features (`FEATURES`, all read from the same events
momentum reads, so they mean the same on a live run and in a replay):

- `publishers`: the story's final number of distinct publishers: what it has now plus the
  publishers still to come (their median, on a log1p scale; learnt from stories that already
  have 2+ publishers, the ones a card can be about);
- `hours`: how long from now until it has 90 % of them (median, log1p scale);
- `p_big`: the probability that it reaches `BIG` publishers (logistic; learnt from stories with
  3 or 4 publishers, where the decision to flag is made: fewer is too little evidence, `BIG`
  or more is p = 1).

Linear on purpose: each feature's part of a prediction is its weight times its distance from the
training mean, so `/trend why` can say what drives it. `scripts/train_growth.py` rebuilds the
shipped weights (`trendbot/data/growth.json`) from public streams and measures their error on
months it did not train on; that error is the `±` shown on cards.
"""

from __future__ import annotations

import functools
import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from trendbot.words import Messages

if TYPE_CHECKING:
    from trendbot.trends import Event

HOUR = 3600.0
BIG = 5  # distinct publishers that make a story "big"
LISTED_MINUTES = 90.0  # an item seen this recently is still listed (in top stories, trending)
HISTORY_HOURS = 48.0  # the stream's publishers are described over this span

FEATURES = (
    "age",  # log1p(hours since the first item)
    "publishers",  # log1p(distinct publishers so far)
    "items",  # log1p(items so far)
    "publishers_1h",  # log1p(distinct publishers with an item in the last hour)
    "publishers_3h",  # log1p(... in the last 3 hours)
    "publishers_6h",  # log1p(... in the last 6 hours)
    "pace",  # log1p(publishers per hour of the story's life)
    "pace_3h",  # log1p(publishers of the last 3 h per hour of them): velocity now
    "items_1h",  # log1p(items in the last hour): acceleration, against the slower paces
    "second",  # log1p(hours from the first item to the 2nd publisher; age + 1 while none)
    "third",  # log1p(hours from the first item to the 3rd publisher; age + 1 while none)
    "first_hour",  # log1p(distinct publishers in the story's first hour)
    "listed",  # log1p(distinct publishers still listed: an item or a sighting within 90 min)
    "span",  # log1p(hours from the first item to its latest item or sighting)
    "kept",  # span / age: how much of its life the story has stayed listed
    "stale",  # log1p(hours since its latest item or sighting)
    "share",  # log1p(per mille of the stream's last-3-h items that are this story's)
    "weight",  # mean breadth of its publishers: share of live stories each one covers
    "max_weight",  # breadth of its broadest publisher
    "quiet",  # log1p(hours since the last new item)
    "trending",  # 1 when in a trending-topic feed within 4 h
    "traffic",  # log1p(trending traffic / 1000)
    "hour_sin",  # time of day (UTC) of `now`
    "hour_cos",
    "day_sin",  # day of the week (UTC) of `now`
    "day_cos",
    "top",  # 1 / the best position its items reached in a ranked feed (see `_top`)
)


@dataclass(frozen=True)
class Stream:
    """What the features need to know about the whole stream at one time."""

    items_3h: int  # new items of every story in the last 3 hours
    breadth: Mapping[str, float]  # publisher -> share of live stories it has an item in
    ranked: bool = False  # a ranked feed listed some item of the last 48 h

    @classmethod
    def of(cls, events: Mapping[Any, Sequence[Event]], now: float) -> Stream:
        """From every live story's events (`now` excludes later ones)."""
        recent = 0
        covers: dict[str, int] = defaultdict(int)
        live = 0
        ranked = False
        for story_events in events.values():
            sources = set()
            for e in story_events:
                if e.repeat or e.t > now or e.t < now - HISTORY_HOURS * HOUR:
                    continue
                sources.add(e.source)
                recent += e.t > now - 3 * HOUR
                ranked = ranked or bool(e.rank)
            live += bool(sources)
            for s in sources:
                covers[s] += 1
        breadth = {s: n / live for s, n in covers.items()} if live else {}
        return cls(recent, breadth, ranked)


def features(events: Sequence[Event], now: float, stream: Stream) -> np.ndarray:
    """The story's features at `now`, in the order of `FEATURES`. Events after `now` are ignored."""
    first = math.inf
    last_new = last_any = -math.inf
    items = items_1h = items_3h = 0
    sources: set[str] = set()
    by_hours: dict[float, set[str]] = {1.0: set(), 3.0: set(), 6.0: set()}
    listed: set[str] = set()
    arrivals: dict[str, float] = {}  # publisher -> its first item
    trending = False
    traffic = 0
    best_rank = math.inf
    for e in events:
        if e.t > now:
            continue
        last_any = max(last_any, e.t)
        if e.t > now - LISTED_MINUTES * 60:
            listed.add(e.source)
        if e.kind == "trending" and e.t > now - 4 * HOUR:
            trending = True
            traffic = max(traffic, e.traffic or 0)
        if e.repeat:
            continue
        if e.rank:
            best_rank = min(best_rank, e.rank)
        first, last_new = min(first, e.t), max(last_new, e.t)
        items += 1
        items_1h += e.t > now - HOUR
        items_3h += e.t > now - 3 * HOUR
        sources.add(e.source)
        arrivals[e.source] = min(arrivals.get(e.source, math.inf), e.t)
        for hours, seen in by_hours.items():
            if e.t > now - hours * HOUR:
                seen.add(e.source)
    if not items:
        first = last_new = last_any = now
    age_h = (now - first) / HOUR
    span_h = (last_any - first) / HOUR
    times = sorted(arrivals.values())

    def until(k: int) -> float:
        # hours to the k-th publisher, capped; one more than the age while it has not come
        return min((times[k - 1] - first) / HOUR if len(times) >= k else age_h + 1, 48.0)

    hour = (now % 86400) / HOUR * 2 * math.pi / 24
    day = ((now // 86400 + 3) % 7) * 2 * math.pi / 7  # 1970-01-01 was a Thursday: 0 is Monday
    breadths = [stream.breadth.get(s, 0.0) for s in sources]
    return np.array(
        [
            math.log1p(age_h),
            math.log1p(len(sources)),
            math.log1p(items),
            math.log1p(len(by_hours[1.0])),
            math.log1p(len(by_hours[3.0])),
            math.log1p(len(by_hours[6.0])),
            math.log1p(len(sources) / max(age_h, 0.5)),
            math.log1p(len(by_hours[3.0]) / min(max(age_h, 0.5), 3.0)),
            math.log1p(items_1h),
            math.log1p(until(2)),
            math.log1p(until(3)),
            math.log1p(sum(t <= first + HOUR for t in times)),
            math.log1p(len(listed)),
            math.log1p(span_h),
            span_h / max(age_h, 0.5),
            math.log1p((now - last_any) / HOUR),
            math.log1p(1000 * items_3h / max(stream.items_3h, 1)),
            sum(breadths) / len(breadths) if breadths else 0.0,
            max(breadths, default=0.0),
            math.log1p((now - last_new) / HOUR),
            float(trending),
            math.log1p(traffic / 1000),
            math.sin(hour),
            math.cos(hour),
            math.sin(day),
            math.cos(day),
            _top(best_rank, stream.ranked),
        ]
    )


def _top(best_rank: float, ranked_stream: bool) -> float:
    """1 / the story's best position in a ranked feed. Never listed: below the last place when
    the stream has a ranked feed (Google News left it out), unknown (NaN) when it has none."""
    if best_rank < math.inf:
        return 1 / best_rank
    return 0.0 if ranked_stream else math.nan


@dataclass(frozen=True)
class Growth:
    """A story's predicted reach, with the error measured on months the model did not see."""

    publishers: float  # expected final distinct publishers (never below the current count)
    hours: float  # expected hours from now until it has 90 % of them
    p_big: float  # probability of reaching BIG publishers
    error: float  # median absolute percentage error of `publishers` at this age (0.3 = 30 %)
    parts: tuple[tuple[str, float], ...]  # (feature, its part of log1p(publishers to come))
    p_enter: float = 0.5  # the model's p_big to enter `rising`
    so_far: int = 0  # distinct publishers it had when predicted

    def explain(self, lang: str = "en") -> str:
        """`expected to reach ~40 sources in 6 h (12 so far, ±30 %)`. The count so far is said
        because the card's momentum before it counts a recent window only: "2 sources in 8 h,
        expected to reach ~9" read as a jump from 2 to 9 of a story that had 8."""
        msg = Messages(lang)
        publishers, error = round(self.publishers), round(self.error * 100)
        if self.so_far and publishers <= self.so_far:
            key = "growth.stays_one" if self.so_far == 1 else "growth.stays"
            return msg(key, so_far=self.so_far, error=error)
        if self.hours < 1:
            when = msg("growth.within_hour")
        else:
            when = msg("growth.in_hours", hours=round(self.hours))
        if self.so_far:
            return msg(
                "growth.reach_from",
                publishers=publishers,
                when=when,
                so_far=self.so_far,
                error=error,
            )
        return msg("growth.reach", publishers=publishers, when=when, error=error)

    def drivers(self, lang: str = "en", top: int = 3) -> str:
        """The parts that move the prediction most, in log1p(publishers to come) from a typical
        story's: `publishers in the last hour +0.42, …`."""
        msg = Messages(lang)
        shown = [(msg(f"growth.part.{name}"), f"{part:+.2f}") for name, part in self.parts[:top]]
        return ", ".join(f"{name} {msg.number(part)}" for name, part in shown)


@dataclass(frozen=True)
class GrowthModel:
    version: str
    mean: np.ndarray
    scale: np.ndarray
    size_w: np.ndarray  # log1p(publishers still to come)
    size_b: float
    hours_w: np.ndarray  # log1p(hours until it has 90 % of its final publishers)
    hours_b: float
    big_w: np.ndarray  # logit of reaching BIG publishers
    big_b: float
    error_by_age: tuple[tuple[float, float], ...]  # (up to this age in hours, median APE)
    p_enter: float  # p_big to enter `rising`
    meta: Mapping[str, Any]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> GrowthModel:
        if list(d["features"]) != list(FEATURES):
            raise ValueError("growth weights were trained on other features: rebuild them")

        def vec(key: str) -> np.ndarray:
            return np.asarray(d[key], dtype=float)

        return cls(
            version=str(d["version"]),
            mean=vec("mean"),
            scale=vec("scale"),
            size_w=vec("size_w"),
            size_b=float(d["size_b"]),
            hours_w=vec("hours_w"),
            hours_b=float(d["hours_b"]),
            big_w=vec("big_w"),
            big_b=float(d["big_b"]),
            error_by_age=tuple((float(a), float(e)) for a, e in d["error_by_age"]),
            p_enter=float(d["p_enter"]),
            meta=dict(d.get("meta", {})),
        )

    def to_dict(self) -> dict[str, Any]:
        def r(x: np.ndarray) -> list[float]:
            return [round(float(v), 6) for v in x]

        return {
            "version": self.version,
            "features": list(FEATURES),
            "mean": r(self.mean),
            "scale": r(self.scale),
            "size_w": r(self.size_w),
            "size_b": round(self.size_b, 6),
            "hours_w": r(self.hours_w),
            "hours_b": round(self.hours_b, 6),
            "big_w": r(self.big_w),
            "big_b": round(self.big_b, 6),
            "error_by_age": [[a, round(e, 3)] for a, e in self.error_by_age],
            "p_enter": round(self.p_enter, 3),
            "meta": dict(self.meta),
        }

    def standardize(self, x: np.ndarray) -> np.ndarray:
        """Distance from the training mean in standard deviations; an unknown feature (NaN: the
        rank in a stream with no ranked feed) is at the mean, so it moves no prediction."""
        return np.nan_to_num((x - self.mean) / self.scale, nan=0.0)

    def predict(self, x: np.ndarray, *, publishers_now: int, age_hours: float) -> Growth:
        z = self.standardize(x)
        size_parts = self.size_w * z
        to_come = max(0.0, math.expm1(float(size_parts.sum() + self.size_b)))
        hours = max(0.0, math.expm1(float(self.hours_w @ z + self.hours_b)))
        p_big = 1.0 / (1.0 + math.exp(-float(np.clip(self.big_w @ z + self.big_b, -30, 30))))
        parts = sorted(zip(FEATURES, size_parts.tolist(), strict=True), key=lambda p: -abs(p[1]))
        return Growth(
            publishers=publishers_now + to_come,
            hours=hours,
            p_big=1.0 if publishers_now >= BIG else p_big,
            error=self.error_at(age_hours),
            parts=tuple((n, round(v, 3)) for n, v in parts),
            p_enter=self.p_enter,
            so_far=publishers_now,
        )

    def error_at(self, age_hours: float) -> float:
        for up_to, error in self.error_by_age:
            if age_hours <= up_to:
                return error
        return self.error_by_age[-1][1] if self.error_by_age else 0.0


def predict(model: GrowthModel, events: Sequence[Event], now: float, stream: Stream) -> Growth:
    x = features(events, now, stream)
    first = min((e.t for e in events if not e.repeat and e.t <= now), default=now)
    publishers = len({e.source for e in events if not e.repeat and e.t <= now})
    return model.predict(x, publishers_now=publishers, age_hours=(now - first) / HOUR)


SHIPPED = "growth.json"


@functools.cache
def shipped() -> GrowthModel | None:
    """The weights shipped in `trendbot/data/` (rebuilt by scripts/train_growth.py), if any."""
    path = resources.files("trendbot") / "data" / SHIPPED
    if not path.is_file():
        return None
    return GrowthModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
