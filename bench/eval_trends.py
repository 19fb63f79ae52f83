"""How well does momentum spot the stories that become big, how early, and how good is the
predicted reach?

    .venv/bin/python bench/eval_trends.py --data ../shared/data/news_archive_2025.jsonl.gz \
        [--model minilm|use-multilingual] [--from 2025-11-01] [--to 2026-01-01] [--quick] \
        [--weights growth.json]

Replays hourly snapshots of Google News top stories (`seen_at`, `rank`, `title`, `source`) with
`seen_at` as the clock, each snapshot one processing cycle. The first sighting of a (title,
source) pair is one item (as `trendbot replay` stores it: the same guid): it goes through the
real embedder and StoryTracker. A later sighting moves the item's latest sighting and keeps its
best rank, as the store's `item_sightings.last_seen` and `best_rank` (Le Monde has no rank).
After each snapshot the events of every story are built from those rows by the pipeline's own
`pipeline._events` (one event per item with its best rank, plus one `repeat` at its latest
sighting when it was seen again), and `trends.score_stories` (what `pipeline.score_live` runs)
scores every live story, states carried over from the previous snapshot as the store would, with
the shipped growth model (`trendbot/data/growth.json`).

Clustering runs once; its decisions (item -> story, merges) are recorded and replayed under
several settings. Ground truth comes from the raw stream, not from the pipeline's events: a story
is "big" when it reaches 5 distinct publishers; its peak hour is the UTC clock hour in which the
most of its publishers were listed (a new item or a sighting; distinct publishers, so an hour
that happens to hold two hourly snapshots does not count twice; earliest on a tie; the peak over
+-3 h is shown too).
Figures: stories that rose, minutes from first item to rising and from rising to the peak hour,
the share of risen stories that became big (precision-like; `flagged_early_...` counts only those
that rose with 4 publishers or fewer, the ones the prediction made), and of big stories that rose
strictly before their 5th publisher, with 4 or fewer (`big_rose_strictly_before_5th_publisher`:
the target; `big_rose_before_5th_publisher` also counts a rise in the cycle of the 5th, which a
story with 5 publishers gets by construction, p = 1), flapping (quick re-rises), the ceiling of
"before the peak hour ends" (`big_kth_publisher_before_peak_hour_end`: of big stories, the share
whose 2nd / 3rd / 4th publisher came before their peak hour ended: a rule that needs that many
publishers can do no better, even if it knew which stories become big), and the predicted final
publisher count's median absolute percentage error 1 h and 3 h after a story's first item
(`publishers_mape_1h`, `publishers_mape_3h`, fractions: over the stories that have 2+
publishers then, the ones a card can be about; `..._big` over the stories that reach 5;
`..._all` over every story alive then, which lone headlines predicted alone make ~0).
`--from/--to` keep the figures to stories whose first item is in that period (the whole stream is
replayed all the same). `--data ../shared/data/lemonde_2022_h1.jsonl.gz` replays Le Monde's
topic feeds instead (daily snapshots, each feed standing for a publisher: a sanity check, not a
target). `--weights` scores with another growth.json than the shipped one.
Embeddings cached under /tmp.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import ArchiveRow, add_data_argument, load_lemonde, load_news_archive

from trendbot import growth
from trendbot.embed import load_embedder
from trendbot.growth import GrowthModel
from trendbot.pipeline import LIVE, _events
from trendbot.sources.replay import ARCHIVE_FEED
from trendbot.stories import StoryParams, StoryTracker
from trendbot.trends import FADING, RISING, Event, TrendParams, score_stories

CACHE = Path("/tmp/trendbot-cache/trends")
BIG = 5  # distinct publishers that make a story "big"
HOUR = 3600.0


@dataclass
class Snapshot:
    t: float
    # (item, story id, its rank then); (item sighted again, its rank then)
    new: list[tuple[tuple[str, str], int, int]] = field(default_factory=list)
    seen: list[tuple[tuple[str, str], int]] = field(default_factory=list)
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
    """Feed first sightings to StoryTracker snapshot by snapshot, as `pipeline.cluster_new`
    does; record what it decided."""
    rows = sorted(rows, key=lambda r: (r.seen_at, r.rank))
    titles = sorted({r.title for r in rows})
    vectors = embed_titles(titles, model)
    row_of = {title: i for i, title in enumerate(titles)}
    tracker = StoryTracker(StoryParams.for_model(model), vectors.shape[1])
    known: set[tuple[str, str]] = set()
    snapshots: list[Snapshot] = []
    started = time.perf_counter()
    for r in rows:
        if not snapshots or snapshots[-1].t != r.seen_at:
            snapshots.append(Snapshot(r.seen_at))
        snap = snapshots[-1]
        pair = (r.title, r.source)
        if pair in known:
            snap.seen.append((pair, r.rank))
            continue
        a = tracker.add(
            f"{len(known)}",
            vectors[row_of[r.title]],
            r.seen_at,
            title=r.title,
            source=r.source,
            feed=ARCHIVE_FEED,
            language="en",
        )
        snap.merges.extend((gone, a.story_id) for gone in a.merged)
        known.add(pair)
        snap.new.append((pair, a.story_id, r.rank))
    return snapshots, time.perf_counter() - started


@dataclass
class StoryLog:
    truth: list[Event] = field(default_factory=list)  # every item and every sighting
    first: float = float("inf")
    state: str | None = None
    since: float | None = None
    rose_at: float | None = None
    rises: int = 0
    quick_rerises: int = 0  # back to rising less than 3 h after falling to fading: flapping
    fell_at: float | None = None
    transitions: int = 0
    publishers_at_rise: int = 0
    predicted: dict[str, float] = field(default_factory=dict)  # "1h"/"3h" -> final publishers
    predicted_with: dict[str, int] = field(default_factory=dict)  # "1h"/"3h" -> publishers then


@dataclass
class Replay:
    stories: dict[int, StoryLog]
    score_calls: int = 0
    score_s: float = 0.0
    windows: list[float] = field(default_factory=list)  # recent window, minutes, per snapshot
    merged: dict[int, int] = field(default_factory=dict)  # story -> the story it went into

    def resolve(self, story: int) -> int:
        while story in self.merged:
            story = self.merged[story]
        return story


# (now, events of every story, the live stories) after each snapshot: for the training script
Observer = Callable[[float, dict[int, list[Event]], list[int]], None]


def replay(
    snapshots: Sequence[Snapshot],
    params: TrendParams,
    model: GrowthModel | None,
    *,
    observe: Observer | None = None,
) -> Replay:
    """Every live story scored after each snapshot by the pipeline's code, states carried."""
    stories: dict[int, StoryLog] = defaultdict(StoryLog)
    out = Replay(stories)
    # item -> [story, first, last, best rank (0: none yet, as a row without a rank)]
    items: dict[tuple[str, str], list[float | int]] = {}
    order: list[tuple[str, str]] = []  # items by first sighting
    oldest = 0  # first index of `order` still within the lookback
    merged = out.merged
    last_new: dict[int, float] = {}  # story -> its latest new item (the store's last_seen)
    lookback = params.lookback_hours * HOUR
    isos: dict[float, str] = {}

    def iso(t: float) -> str:
        if t not in isos:
            isos[t] = datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")
        return isos[t]

    resolve = out.resolve
    for snap in snapshots:
        now = snap.t
        for gone, into in snap.merges:
            merged[gone] = into
            old = stories.pop(gone, None)
            if old is not None:
                log = stories[into]
                log.truth = sorted(old.truth + log.truth, key=lambda e: e.t)
                log.first = min(log.first, old.first)
                for k, v in old.predicted.items():
                    log.predicted.setdefault(k, v)
                for k, n in old.predicted_with.items():
                    log.predicted_with.setdefault(k, n)
            if gone in last_new:
                last_new[into] = max(last_new.get(into, now), last_new.pop(gone))
        for pair, story, rank in snap.new:
            items[pair] = [story, now, now, rank]
            order.append(pair)
            story = resolve(story)
            last_new[story] = now
            log = stories[story]
            log.first = min(log.first, now)
            log.truth.append(Event(now, pair[1]))
        for pair, rank in snap.seen:
            item = items[pair]
            item[2] = now
            if rank and (not item[3] or rank < item[3]):
                item[3] = rank
            stories[resolve(int(items[pair][0]))].truth.append(Event(now, pair[1], repeat=True))
        while oldest < len(order) and float(items[order[oldest]][1]) < now - lookback:
            oldest += 1
        rows = []
        for pair in order[oldest:]:
            story, first, last, best = items[pair]
            t0, t1 = iso(float(first)), iso(float(last))
            rank = int(best) or None
            rows.append(
                (resolve(int(story)), t0, t0, t1, pair[1], ARCHIVE_FEED, "news", None, rank)
            )
        events = _events(rows)
        live = [s for s, t in last_new.items() if now - t <= LIVE.total_seconds()]
        for s in [s for s in last_new if s not in live]:
            del last_new[s]
        if observe is not None:
            observe(now, events, live)
        started = time.perf_counter()
        scored = score_stories(
            events,
            {s: (stories[s].state, stories[s].since, stories[s].rose_at is not None) for s in live},
            now,
            model=model,
            params=params,
        )
        out.score_s += time.perf_counter() - started
        out.score_calls += len(scored)
        for story, m in scored.items():
            log = stories[story]
            if m.growth is not None:
                for label, hours in (("1h", 1), ("3h", 3)):
                    if label not in log.predicted and now - log.first >= hours * HOUR - 60:
                        log.predicted[label] = m.growth.publishers
                        log.predicted_with[label] = m.sources_total
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
                        log.publishers_at_rise = len({e.source for e in log.truth if not e.repeat})
        if scored:
            out.windows.append(next(iter(scored.values())).window_minutes)
    return out


def peak_hour(events: Sequence[Event], spread: int = 0) -> float:
    """Start of the UTC hour in which the most of the story's publishers were listed (a new item
    or a sighting), the earliest on a tie.

    With `spread`, each hour counts the publishers listed within `spread` hours either side of
    it: on a stream sampled once an hour, most stories have no hour with more than one, and the
    plain peak is then just their first hour.
    """
    listed: dict[int, set[str]] = defaultdict(set)
    for e in events:
        listed[int(e.t // HOUR)].add(e.source)
    counts = {h: len(s) for h, s in listed.items()}
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


def final_publishers(log: StoryLog) -> int:
    return len({e.source for e in log.truth if not e.repeat})


def mape(logs: Sequence[StoryLog], label: str, least: int = 0) -> float | None:
    """Median absolute percentage error of the final publishers predicted at `label`, over the
    stories that had at least `least` publishers then."""
    errors = [
        abs(s.predicted[label] - final_publishers(s)) / final_publishers(s)
        for s in logs
        if label in s.predicted and s.predicted_with.get(label, 0) >= least
    ]
    return round(statistics.median(errors), 3) if errors else None


def publisher_times(events: Sequence[Event]) -> list[float]:
    """When each distinct publisher's first item came."""
    seen: dict[str, float] = {}
    for e in sorted(events, key=lambda e: e.t):
        if not e.repeat:
            seen.setdefault(e.source, e.t)
    return list(seen.values())


def evaluate(stories: dict[int, StoryLog]) -> dict[str, object]:
    rose: list[StoryLog] = []
    never: list[StoryLog] = []
    for log in stories.values():
        (rose if log.rose_at is not None else never).append(log)
    big = [s for s in stories.values() if time_to_big(s.truth) is not None]
    is_big = {id(s) for s in big}
    to_rise = [(s.rose_at - s.first) / 60 for s in rose if s.rose_at is not None]
    to_peak = [(peak_hour(s.truth) - s.rose_at) / 60 for s in rose if s.rose_at is not None]
    to_peak_7h = [
        (peak_hour(s.truth, spread=3) - s.rose_at) / 60 for s in rose if s.rose_at is not None
    ]
    still_to_come = [
        sum(e.t > s.rose_at for e in s.truth if not e.repeat) / sum(not e.repeat for e in s.truth)
        for s in rose
        if s.rose_at is not None
    ]
    caught_early = []
    strictly = 0
    for s in big:
        big_at = time_to_big(s.truth)
        if s.rose_at is not None and big_at is not None and s.rose_at <= big_at:
            caught_early.append((big_at - s.rose_at) / 60)
            strictly += s.rose_at < big_at
    multi = [id(s) for s in never if final_publishers(s) >= 2]
    early = [s for s in rose if s.publishers_at_rise < BIG]
    peak_end = {id(s): peak_hour(s.truth) + HOUR for s in big}
    arrivals = {id(s): publisher_times(s.truth) for s in big}

    def kth_before_peak_end(k: int) -> float | None:
        return share(sum(arrivals[id(s)][k - 1] < peak_end[id(s)] for s in big), len(big))

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
        "flagged_early": len(early),
        "flagged_early_reached_5_publishers": share(
            sum(id(s) in is_big for s in early), len(early)
        ),
        "never_rose_reached_5_publishers": share(sum(id(s) in is_big for s in never), len(never)),
        "never_rose_2plus_publishers_reached_5": share(len(is_big.intersection(multi)), len(multi)),
        "big_stories": len(big),
        "big_rose_before_5th_publisher": share(len(caught_early), len(big)),
        "big_rose_strictly_before_5th_publisher": share(strictly, len(big)),
        "median_min_rising_before_5th_publisher": median(caught_early),
        "re_rises_per_risen_story": per(sum(s.rises - 1 for s in rose), len(rose)),
        "quick_re_rises_per_risen_story": per(sum(s.quick_rerises for s in rose), len(rose)),
        "transitions_per_risen_story": per(sum(s.transitions for s in rose), len(rose)),
        "big_2nd_publisher_before_peak_hour_end": kth_before_peak_end(2),
        "big_3rd_publisher_before_peak_hour_end": kth_before_peak_end(3),
        "big_4th_publisher_before_peak_hour_end": kth_before_peak_end(4),
        "publishers_mape_1h": mape(list(stories.values()), "1h", least=2),
        "publishers_mape_3h": mape(list(stories.values()), "3h", least=2),
        "publishers_mape_1h_big": mape(big, "1h"),
        "publishers_mape_3h_big": mape(big, "3h"),
        "publishers_mape_1h_all": mape(list(stories.values()), "1h"),
        "publishers_mape_3h_all": mape(list(stories.values()), "3h"),
    }


def settings(
    quick: bool, shipped: GrowthModel | None
) -> dict[str, tuple[TrendParams, GrowthModel | None]]:
    runs: dict[str, tuple[TrendParams, GrowthModel | None]] = {"default": (TrendParams(), shipped)}
    if quick:
        return runs
    runs["momentum only"] = (TrendParams(), None)  # the hand-set threshold, as before growth
    if shipped is not None:
        for p in (0.5, 0.7, 0.9):
            runs[f"p_enter {p}"] = (TrendParams(), _with_enter(shipped, p))
        runs["3 publishers"] = (TrendParams(predict_min_sources=3), shipped)
    return runs


def _with_enter(model: GrowthModel, p_enter: float) -> GrowthModel:
    return replace(model, p_enter=p_enter)


def load_rows(path: Path) -> list[ArchiveRow]:
    """The Google News archive, or (a sanity check only: daily snapshots, one publisher) Le
    Monde's topic feeds, each feed standing for a publisher."""
    if "lemonde" not in path.name:
        return load_news_archive(path)
    return [ArchiveRow(r.seen_at, 0, r.title, r.feed) for r in load_lemonde(path)]


def epoch_day(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--model", default="minilm", help="minilm (default) or use-multilingual")
    parser.add_argument("--from", dest="start", help="first day of the stories measured")
    parser.add_argument("--to", dest="end", help="day after the last one (exclusive)")
    parser.add_argument("--quick", action="store_true", help="the default settings only")
    parser.add_argument("--weights", type=Path, help="a growth.json other than the shipped one")
    args = parser.parse_args(argv)
    shipped = (
        GrowthModel.from_dict(json.loads(args.weights.read_text(encoding="utf-8")))
        if args.weights
        else growth.shipped()
    )

    rows = load_rows(args.data)
    print(f"{args.data.name}: {len(rows)} sightings, {len({(r.title, r.source) for r in rows})} "
          f"items (first sightings), {len({r.seen_at for r in rows})} snapshots")  # fmt: skip
    snapshots, cluster_s = cluster(rows, args.model)
    print(f"stories clustered with StoryTracker ({args.model}) in {cluster_s:.1f} s")
    start = epoch_day(args.start) if args.start else -float("inf")
    end = epoch_day(args.end) if args.end else float("inf")

    results: dict[str, dict[str, object]] = {}
    for name, (params, model) in settings(args.quick, shipped).items():
        run = replay(snapshots, params, model)
        kept = {k: s for k, s in run.stories.items() if start <= s.first < end}
        results[name] = evaluate(kept)
        results[name]["median_window_min"] = statistics.median(run.windows)
        results[name]["stories_scored_per_s"] = round(run.score_calls / max(run.score_s, 1e-9))
    show(results)
    d = results["default"]
    print(
        json.dumps(
            {
                "data": args.data.name,
                "model": args.model,
                "growth": shipped.version if shipped else None,
                "from": args.start,
                "to": args.end,
                **d,
                "settings": results,
            }
        )
    )


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
