"""How well does momentum spot the stories that become big, and how early?

    .venv/bin/python bench/eval_trends.py --data ../shared/data/news_archive_2025.jsonl.gz \
        [--model minilm|use-multilingual]

Replays hourly snapshots of Google News top stories (`seen_at`, `rank`, `title`, `source`) with
`seen_at` as the clock. The first sighting of a (title, source) pair is one item: it goes through
the real embedder and StoryTracker, and counts toward velocity and sources. A later sighting of
the same pair is not a new item: it becomes a `repeat` event, evidence the story is still in the
top stories, which keeps its freshness up (and counts in its peak hour) but adds no velocity and
no source. (Weighting repeats into the score as well was tried: it changed nothing measurable,
only 12% of headlines are seen twice.) After each snapshot, the momentum of every story active
within `lookback_hours` is computed, its state carried over from the previous snapshot as the
store would, with the window and usual rate that StreamBaseline derives from the stream.

Clustering runs once; its decisions (item -> story, merges) are recorded and replayed under
several TrendParams so the settings are compared on the same stories. A story is "big" when it
reaches 5 distinct publishers. Figures: stories that rose, minutes from first item to rising,
minutes from rising to the peak hour (the hour with most items + sightings, earliest on a tie;
on this hourly stream most stories have no hour with two events, so the peak over +-3 h is
shown too, and the share of a risen story's items that were still to come), the share of risen
stories that became big (precision-like) against the share of never-risen ones (with 2+
publishers, to leave one-item stories aside), the share of big stories that rose before their
5th publisher (recall-like, early), and flapping (quick re-rises). Embeddings cached under /tmp.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import ArchiveRow, add_data_argument, load_news_archive

from trendbot.embed import load_embedder
from trendbot.stories import StoryParams, StoryTracker
from trendbot.trends import (
    FADING,
    RISING,
    Event,
    StreamBaseline,
    TrendParams,
    momentum,
)

CACHE = Path("/tmp/trendbot-cache/trends")
BIG = 5  # distinct publishers that make a story "big"
HOUR = 3600.0


@dataclass
class Snapshot:
    t: float
    adds: list[tuple[int, Event]] = field(default_factory=list)  # (story id, event)
    merges: list[tuple[int, int]] = field(default_factory=list)  # (from story, into story)


def embed_titles(titles: list[str], model: str) -> np.ndarray:
    key = hashlib.sha1("\n".join(titles).encode()).hexdigest()[:16]
    path = CACHE / f"{model}-{key}.npy"
    if path.exists():
        return np.load(path)
    started = time.perf_counter()
    vectors = load_embedder(model).encode(titles)
    print(f"embedded {len(titles)} titles with {model} in {time.perf_counter() - started:.0f} s")
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def cluster(rows: Sequence[ArchiveRow], model: str) -> tuple[list[Snapshot], float]:
    """Feed first sightings to StoryTracker snapshot by snapshot; record what it decided."""
    rows = sorted(rows, key=lambda r: (r.seen_at, r.rank))
    titles = sorted({r.title for r in rows})
    vectors = embed_titles(titles, model)
    row_of = {title: i for i, title in enumerate(titles)}
    tracker = StoryTracker(StoryParams.for_model(model), vectors.shape[1])
    story_of: dict[tuple[str, str], int] = {}
    merged: dict[int, int] = {}  # story -> the story it was merged into

    def resolve(story: int) -> int:
        while story in merged:
            story = merged[story]
        return story

    snapshots: list[Snapshot] = []
    started = time.perf_counter()
    for r in rows:
        if not snapshots or snapshots[-1].t != r.seen_at:
            snapshots.append(Snapshot(r.seen_at))
        snap = snapshots[-1]
        pair = (r.title, r.source)
        if pair in story_of:
            event = Event(r.seen_at, r.source, repeat=True)
            snap.adds.append((resolve(story_of[pair]), event))
            continue
        a = tracker.add(
            f"{len(story_of)}", vectors[row_of[r.title]], r.seen_at, title=r.title, source=r.source
        )
        for gone in a.merged:
            merged[gone] = a.story_id
            snap.merges.append((gone, a.story_id))
        story_of[pair] = a.story_id
        snap.adds.append((a.story_id, Event(r.seen_at, r.source)))
    return snapshots, time.perf_counter() - started


@dataclass
class StoryLog:
    events: list[Event] = field(default_factory=list)
    state: str | None = None
    since: float | None = None
    rose_at: float | None = None
    rises: int = 0
    quick_rerises: int = 0  # back to rising less than 3 h after falling to fading: flapping
    fell_at: float | None = None
    transitions: int = 0
    publishers_at_rise: int = 0


@dataclass
class Replay:
    stories: dict[int, StoryLog]
    momentum_calls: int = 0
    momentum_s: float = 0.0
    windows: list[float] = field(default_factory=list)  # recent window, minutes, per snapshot


def replay(snapshots: Sequence[Snapshot], params: TrendParams) -> Replay:
    """Momentum of every live story after each snapshot, states carried as the store would."""
    stories: dict[int, StoryLog] = defaultdict(StoryLog)
    out = Replay(stories)
    baseline = StreamBaseline(params)
    last_event: dict[int, float] = {}
    lookback = params.lookback_hours * HOUR
    for snap in snapshots:
        now = snap.t
        for gone, into in snap.merges:
            old = stories.pop(gone, None)
            if old is not None:
                stories[into].events = sorted(old.events + stories[into].events, key=lambda e: e.t)
                last_event[into] = max(last_event.get(into, now), last_event.pop(gone, now))
        for story, event in snap.adds:
            stories[story].events.append(event)
            last_event[story] = now
            if not event.repeat:
                baseline.add(now, story)
        stream = baseline.at(now)
        out.windows.append(stream.window_minutes)
        for story, t_last in list(last_event.items()):
            if now - t_last > lookback:
                del last_event[story]  # silent for the whole lookback: no longer live
                continue
            log = stories[story]
            recent = [e for e in log.events if e.t > now - lookback]
            started = time.perf_counter()
            m = momentum(
                recent,
                now,
                baseline_per_hour=stream.story_per_hour,
                window_minutes=stream.window_minutes,
                previous_state=log.state,
                state_since=log.since,
                params=params,
            )
            out.momentum_s += time.perf_counter() - started
            out.momentum_calls += 1
            if m.state != log.state:
                if log.state is not None:
                    log.transitions += 1
                log.state, log.since = m.state, now
                if m.state == FADING and log.rose_at is not None:
                    log.fell_at = now
                if m.state == RISING:
                    log.rises += 1
                    if log.fell_at is not None and now - log.fell_at < 3 * HOUR:
                        log.quick_rerises += 1
                    if log.rose_at is None:
                        log.rose_at = now
                        log.publishers_at_rise = len({e.source for e in log.events})
    return out


def peak_hour(events: Sequence[Event], spread: int = 0) -> float:
    """Start of the UTC hour with the most new items and sightings (the earliest on a tie).

    With `spread`, each hour counts the events within `spread` hours either side of it: on a
    stream sampled once an hour, most stories have no hour with more than one event, and the
    plain peak is then just their first hour.
    """
    counts: dict[int, int] = defaultdict(int)
    for e in events:
        counts[int(e.t // HOUR)] += 1
    hours = range(min(counts), max(counts) + 1)
    around = {h: sum(counts.get(h + d, 0) for d in range(-spread, spread + 1)) for h in hours}
    return min(hours, key=lambda h: (-around[h], h)) * HOUR


def time_to_big(events: Sequence[Event]) -> float | None:
    seen: set[str] = set()
    for e in sorted(events, key=lambda e: e.t):
        if not e.repeat:
            seen.add(e.source)
            if len(seen) >= BIG:
                return e.t
    return None


def median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def per(part: int, whole: int) -> float | None:
    return round(part / whole, 2) if whole else None


def evaluate(stories: dict[int, StoryLog]) -> dict[str, object]:
    rose: list[StoryLog] = []
    never: list[StoryLog] = []
    for log in stories.values():
        (rose if log.rose_at is not None else never).append(log)
    big = [s for s in stories.values() if time_to_big(s.events) is not None]
    is_big = {id(s) for s in big}
    first = {id(s): min(e.t for e in s.events) for s in stories.values()}
    to_rise = [(s.rose_at - first[id(s)]) / 60 for s in rose if s.rose_at is not None]
    to_peak = [(peak_hour(s.events) - s.rose_at) / 60 for s in rose if s.rose_at is not None]
    to_peak_7h = [
        (peak_hour(s.events, spread=3) - s.rose_at) / 60 for s in rose if s.rose_at is not None
    ]
    still_to_come = [
        sum(e.t > s.rose_at for e in s.events if not e.repeat) / sum(not e.repeat for e in s.events)
        for s in rose
        if s.rose_at is not None
    ]
    caught_early = []
    for s in big:
        big_at = time_to_big(s.events)
        if s.rose_at is not None and big_at is not None and s.rose_at <= big_at:
            caught_early.append((big_at - s.rose_at) / 60)
    multi = [id(s) for s in never if len({e.source for e in s.events}) >= 2]
    return {
        "stories": len(stories),
        "rose": len(rose),
        "median_min_first_item_to_rising": median(to_rise),
        "median_min_rising_to_peak_hour": median(to_peak),
        "share_rise_before_peak_hour_end": share(sum(m > -60 for m in to_peak), len(to_peak)),
        "median_min_rising_to_peak_7h": median(to_peak_7h),
        "median_share_of_items_after_rising": median(still_to_come),
        "rising_reached_5_publishers": share(sum(id(s) in is_big for s in rose), len(rose)),
        "rising_reached_5_after_rising": share(
            sum(id(s) in is_big and s.publishers_at_rise < BIG for s in rose), len(rose)
        ),
        "never_rose_reached_5_publishers": share(sum(id(s) in is_big for s in never), len(never)),
        "never_rose_2plus_publishers_reached_5": share(len(is_big.intersection(multi)), len(multi)),
        "big_stories": len(big),
        "big_rose_before_5th_publisher": share(len(caught_early), len(big)),
        "median_min_rising_before_5th_publisher": median(caught_early),
        "re_rises_per_risen_story": per(sum(s.rises - 1 for s in rose), len(rose)),
        "quick_re_rises_per_risen_story": per(sum(s.quick_rerises for s in rose), len(rose)),
        "transitions_per_risen_story": per(sum(s.transitions for s in rose), len(rose)),
    }


SETTINGS: dict[str, TrendParams] = {
    "default": TrendParams(),
    "window 40 items": TrendParams(window_items=40),
    "fixed 90 min": TrendParams(window_items=0),
    "rise_enter 4": TrendParams(rise_enter=4.0),
    "rise_enter 6": TrendParams(rise_enter=6.0),
    "no hysteresis": TrendParams(rise_exit=TrendParams().rise_enter, min_dwell_minutes=0),
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--model", default="minilm", help="minilm (default) or use-multilingual")
    args = parser.parse_args(argv)

    rows = load_news_archive(args.data)
    print(f"{args.data.name}: {len(rows)} sightings, {len({(r.title, r.source) for r in rows})} "
          f"items (first sightings), {len({r.seen_at for r in rows})} snapshots")  # fmt: skip
    snapshots, cluster_s = cluster(rows, args.model)
    print(f"stories clustered with StoryTracker ({args.model}) in {cluster_s:.1f} s")

    results: dict[str, dict[str, object]] = {}
    for name, params in SETTINGS.items():
        run = replay(snapshots, params)
        results[name] = evaluate(run.stories)
        results[name]["median_window_min"] = statistics.median(run.windows)
        results[name]["momentum_per_s"] = round(run.momentum_calls / max(run.momentum_s, 1e-9))
    show(results)
    d = results["default"]
    print(json.dumps({"data": args.data.name, "model": args.model, **d, "settings": results}))


def show(results: dict[str, dict[str, object]]) -> None:
    keys = list(next(iter(results.values())))
    width = max(map(len, keys))
    print(f"{'':{width}}  " + "  ".join(f"{n:>14}" for n in results))
    for k in keys:
        print(f"{k:{width}}  " + "  ".join(f"{_fmt(r[k]):>14}" for r in results.values()))


def _fmt(value: object) -> str:
    return "-" if value is None else str(value)


if __name__ == "__main__":
    main()
