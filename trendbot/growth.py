"""Growth: from a story's first events, how big it will get and how soon. Pure: takes events, the
stream and `now`, returns a prediction; the weights come in as data (`GrowthModel.from_dict`).

Three small linear models share one set of features (`FEATURES`, all read from the same events
momentum reads, so they mean the same on a live run and in a replay):

- `publishers`: the story's final number of distinct publishers: what it has now plus the
  publishers still to come (their median, on a log1p scale, so a story that will stay alone is
  predicted alone);
- `hours`: how long from now until it has 90 % of them (median, log1p scale);
- `p_big`: the probability that it reaches `BIG` publishers (logistic).

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
    "pace",  # log1p(publishers per hour of the story's life)
    "listed",  # log1p(distinct publishers still listed: an item or a sighting within 90 min)
    "share",  # log1p(per mille of the stream's last-3-h items that are this story's)
    "weight",  # mean breadth of its publishers: share of live stories each one covers
    "quiet",  # log1p(hours since the last new item)
    "trending",  # 1 when in a trending-topic feed within 4 h
    "traffic",  # log1p(trending traffic / 1000)
    "hour_sin",  # time of day (UTC) of `now`
    "hour_cos",
)
PART_NAMES = {  # what a part means, for `/trend why`: (English, French)
    "age": ("age", "âge"),
    "publishers": ("publishers so far", "médias jusqu'ici"),
    "items": ("articles so far", "articles jusqu'ici"),
    "publishers_1h": ("publishers in the last hour", "médias dans la dernière heure"),
    "publishers_3h": ("publishers in the last 3 h", "médias dans les 3 dernières heures"),
    "pace": ("publishers per hour", "médias par heure"),
    "listed": ("still listed", "encore à la une"),
    "share": ("share of the stream", "part du flux"),
    "weight": ("publishers' weight", "poids des médias"),
    "quiet": ("time since the last article", "temps depuis le dernier article"),
    "trending": ("Google Trends", "Google Trends"),
    "traffic": ("search traffic", "volume de recherches"),
    "hour_sin": ("time of day", "heure de la journée"),
    "hour_cos": ("time of day", "heure de la journée"),
}


@dataclass(frozen=True)
class Stream:
    """What the features need to know about the whole stream at one time."""

    items_3h: int  # new items of every story in the last 3 hours
    breadth: Mapping[str, float]  # publisher -> share of live stories it has an item in

    @classmethod
    def of(cls, events: Mapping[Any, Sequence[Event]], now: float) -> Stream:
        """From every live story's events (`now` excludes later ones)."""
        recent = 0
        covers: dict[str, int] = defaultdict(int)
        live = 0
        for story_events in events.values():
            sources = set()
            for e in story_events:
                if e.repeat or e.t > now or e.t < now - HISTORY_HOURS * HOUR:
                    continue
                sources.add(e.source)
                recent += e.t > now - 3 * HOUR
            live += bool(sources)
            for s in sources:
                covers[s] += 1
        return cls(recent, {s: n / live for s, n in covers.items()} if live else {})


def features(events: Sequence[Event], now: float, stream: Stream) -> np.ndarray:
    """The story's features at `now`, in the order of `FEATURES`. Events after `now` are ignored."""
    first = math.inf
    last_new = -math.inf
    items = items_3h = 0
    sources: set[str] = set()
    sources_1h: set[str] = set()
    sources_3h: set[str] = set()
    listed: set[str] = set()
    trending = False
    traffic = 0
    for e in events:
        if e.t > now:
            continue
        if e.t > now - LISTED_MINUTES * 60:
            listed.add(e.source)
        if e.kind == "trending" and e.t > now - 4 * HOUR:
            trending = True
            traffic = max(traffic, e.traffic or 0)
        if e.repeat:
            continue
        first, last_new = min(first, e.t), max(last_new, e.t)
        items += 1
        sources.add(e.source)
        if e.t > now - HOUR:
            sources_1h.add(e.source)
        if e.t > now - 3 * HOUR:
            sources_3h.add(e.source)
            items_3h += 1
    if not items:
        first = last_new = now
    age_h = (now - first) / HOUR
    hour = (now % 86400) / HOUR * 2 * math.pi / 24
    weight = sum(stream.breadth.get(s, 0.0) for s in sources) / len(sources) if sources else 0.0
    return np.array(
        [
            math.log1p(age_h),
            math.log1p(len(sources)),
            math.log1p(items),
            math.log1p(len(sources_1h)),
            math.log1p(len(sources_3h)),
            math.log1p(len(sources) / max(age_h, 0.5)),
            math.log1p(len(listed)),
            math.log1p(1000 * items_3h / max(stream.items_3h, 1)),
            weight,
            math.log1p((now - last_new) / HOUR),
            float(trending),
            math.log1p(traffic / 1000),
            math.sin(hour),
            math.cos(hour),
        ]
    )


@dataclass(frozen=True)
class Growth:
    """A story's predicted reach, with the error measured on months the model did not see."""

    publishers: float  # expected final distinct publishers (never below the current count)
    hours: float  # expected hours from now until it has 90 % of them
    p_big: float  # probability of reaching BIG publishers
    error: float  # median absolute percentage error of `publishers` at this age (0.3 = 30 %)
    parts: tuple[tuple[str, float], ...]  # (feature, its part of log1p(publishers to come))
    p_enter: float = 0.5  # the model's p_big to enter `rising`

    def explain(self, lang: str = "en") -> str:
        """`expected to reach ~40 sources in 6 h (±30 %)`."""
        fr = lang.lower().startswith("fr")
        n = round(self.publishers)
        pct = f"±{round(self.error * 100)} %"
        if self.hours < 1:
            when = "dans l'heure" if fr else "within the hour"
        else:
            when = f"{'en' if fr else 'in'} {round(self.hours)} h"
        if fr:
            return f"devrait atteindre ~{n} sources {when} ({pct})"
        return f"expected to reach ~{n} sources {when} ({pct})"

    def drivers(self, lang: str = "en", top: int = 3) -> str:
        """The parts that move the prediction most, in log1p(publishers to come) from a typical
        story's: `publishers in the last hour +0.42, …`."""
        fr = lang.lower().startswith("fr")
        shown = [(PART_NAMES.get(n, (n, n))[fr], part) for n, part in self.parts[:top]]
        text = ", ".join(f"{name} {part:+.2f}" for name, part in shown)
        return text.replace(".", ",") if fr else text


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
        return (x - self.mean) / self.scale

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
