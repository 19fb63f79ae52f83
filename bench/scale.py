"""Does trendbot stay fast and small as the database grows? Cycle cost, memory, disk, search.

    .venv/bin/python bench/scale.py [--sizes 10000,30000,100000] [--synthetic 100000,1000000] \
        [--stream history|busier] [--model use-multilingual] \
        [--data ../shared/data/news_archive_2025.jsonl.gz] [--cycles 5] [--rebuild]

Two kinds of store are measured the same way.

--sizes: real stores. For each size N, a stream of N real headlines (the first sighting of each
distinct title of the archive, in file order) is re-timed evenly and loaded through the real
pipeline as it would arrive: `trendbot.pipeline.replay`, one `save_items` + `process(now)` per
30 minutes of that clock. Two shapes of stream (--stream):
- `history` (default): the arrival rate stays that of 10,000 items in 14 days (about 710 a day,
  a few dozen feeds) and the history grows: 14 days for 10k, 42 for 30k, 140 for 100k, with
  retention set to keep it all. Only the store grows: this is what "cost per new item flat as
  the store grows" asks.
- `busier`: every size in the 14 days of default retention, so 100k items is a stream ten times
  busier: work bound to the live window (stories of the last 48 h, momentum over 24 h) grows
  with N as well as work bound to the whole store. What a much larger setup costs.
When the archive runs out, titles come round again with a suffix (" [2]", " [3]", ...: digits
the story tracker ignores), several days after their first round; a repeat is embedded as its
base title, so only distinct texts meet the encoder (cached under /tmp/trendbot-cache/scale/).
The output says how many repeats there are.

--synthetic: a `history` store of a million items would take a day through the pipeline, so
these are built by bench/_synthetic.py: synthetic events (a real headline's vector as the
centre, items around it, heavy-tailed sizes) written through the store's own methods up to the
last 3 days, then 3 days of real headlines through the real pipeline, so the live window is the
same at every size. Their figures answer the million-item targets: `rss_mib_1m` (the worker's
peak RSS, target <= 1.5 GiB), `cycle_ratio_1m_100k` (a 500-item cycle at the largest size over
the smallest, target <= 1.5) and `search_p99_ms_1m` (`Trendbot.search`, what `/trend search`
runs, p99 of 100 queries, target <= 300 ms).

The built database is cached (/tmp/trendbot-cache/scale/<model>-<stream>-<N>.db; --rebuild, or a
change of schema, builds it again).
Then, in a fresh process (so each size's memory peak is its own), on a copy of it, with the
real encoder:
- the item index built from the store, as `trendbot run` does at start-up (`Brain.item_index`:
  exact, HNSW past 50k vectors, IVF-PQ codes past 200k);
- --cycles processing cycles of 500 new items each (headlines kept out of every build):
  seconds a cycle, median, wall and CPU, and the share of it spent in the encoder;
- 100 searches of the index for held-out headlines (`VectorIndex.search`, k=40 as
  `Trendbot.search` asks), median; and `Trendbot.search` end to end (encode + index + stories +
  brand fit), median and p99 of 100; then one more cycle of 20 items, to see whether the index
  learns them;
- peak RSS of that process (ru_maxrss), and of the build process when it ran here;
- the database's size on disk.
Cost per new item 100k/10k (target <= 1.5x) is the ratio of cycle times between the largest
and the smallest size (wall, CPU, and without the encoder); RSS target: <= 1 GiB at 100k.
The clock of the measures is the stream's, so a cached build never goes stale. Load average is
printed: the machine may be shared. Prints ONE JSON line last.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _synthetic as synthetic
from _data import ArchiveRow, default_data_dir, load_news_archive
from throughput import (
    EVERY,
    Timing,
    bench_settings,
    clock_encoder,
    distinct_headlines,
    load_average,
    open_pipeline,
    retimed_items,
    timed,
    warm_up,
)

from trendbot import embed
from trendbot.core import Trendbot
from trendbot.replay import replay
from trendbot.sources.replay import ARCHIVE_FEED
from trendbot.store.migrations import MIGRATIONS
from trendbot.types import Item

CACHE = Path("/tmp/trendbot-cache/scale")
RETENTION = timedelta(days=14)  # trendbot's default storage.retention_days
SMALLEST = 10_000  # items in RETENTION: the arrival rate of every `history` stream
STREAMS = ("history", "busier")
BATCH = 500
QUERIES = 100
E2E_QUERIES = 100  # `Trendbot.search` end to end: enough for a p99
FOLLOW = 20  # new items after the index is built, to see whether it learns them
SEARCH_K = 40  # Trendbot.search(words, k=5) asks the index for k * 8
COST_TARGET = 1.5
RSS_TARGET_MIB = 1024
RSS_1M_TARGET_MIB = 1536
SEARCH_P99_TARGET_MS = 300
SYNTHETIC_MIN = 5_000  # the real tail alone is ~2,100 items
_REPEAT = re.compile(r" \[\d+\]$")


# -- the stream -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pools:
    build: list[ArchiveRow]  # what the databases are built from
    cycles: list[ArchiveRow]  # new items of the measured cycles
    queries: list[ArchiveRow]  # search queries


def pools(data: Path, cycles: int) -> Pools:
    """The latest headlines are kept out of every build, for the measures."""
    rows = distinct_headlines(load_news_archive(data))
    held = cycles * BATCH + QUERIES
    if len(rows) < 2 * held:
        raise SystemExit(f"{data.name}: {len(rows)} distinct headlines, need at least {2 * held}")
    build, kept = rows[:-held], rows[-held:]
    return Pools(build, kept[: cycles * BATCH], kept[cycles * BATCH :])


def span(stream: str, size: int) -> timedelta:
    """How much clock time `size` items cover: `history` keeps the arrival rate and grows the
    history (the store grows, the stream does not), `busier` packs them in the default
    retention window (a busier stream: the live stories grow with the store)."""
    return RETENTION * (size / SMALLEST) if stream == "history" else RETENTION


def retention_days(length: timedelta) -> int:
    """Enough retention to keep every item of a stream this long."""
    return max(RETENTION.days, math.ceil(length / timedelta(days=1)))


def scale_settings(model: str, retention: int) -> Any:
    """The bench's brand, with this many days of retention."""
    settings = bench_settings(model)
    storage = settings.storage.model_copy(update={"retention_days": retention})
    return settings.model_copy(update={"storage": storage})


def build_stream(
    pool: Sequence[ArchiveRow], size: int, end: datetime, length: timedelta = RETENTION
) -> list[Item]:
    """`size` items, evenly over `length` before `end`; a title's k-th round gets the
    suffix [k]."""
    start = end - length
    per_hour = size / (length.total_seconds() / 3600)
    items: list[Item] = []
    for round_ in range(-(-size // len(pool))):
        rows = pool[: size - len(items)]
        first = start + timedelta(hours=len(items) / per_hour)
        suffix = f" [{round_ + 1}]" if round_ else ""
        items += retimed_items(rows, first, per_hour, suffix)
    return items


class CachedEmbedder:
    """The real encoder behind a vector cache on disk (SQLite, so it costs no memory), keyed by
    model and text; a repeat (" [k]") is looked up as its base title."""

    def __init__(self, inner: embed.Embedder, path: Path) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.db = sqlite3.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS v (key TEXT PRIMARY KEY, vector BLOB)")
        self.hits = self.misses = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        keys = [
            hashlib.sha1(f"{self.name}\n{_REPEAT.sub('', t)}".encode()).hexdigest() for t in texts
        ]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for key, blob in self.db.execute(
                f"SELECT key, vector FROM v WHERE key IN ({marks})", chunk
            ):
                found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = {
            k: _REPEAT.sub("", t) for k, t in zip(keys, texts, strict=True) if k not in found
        }
        if missing:
            vectors = self.inner.encode(list(missing.values()))
            for key, vector in zip(missing, vectors, strict=True):
                found[key] = vector
            self.db.executemany(
                "INSERT OR REPLACE INTO v VALUES (?, ?)",
                [(k, found[k].astype(np.float32).tobytes()) for k in missing],
            )
            self.db.commit()
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        return np.vstack([found[k] for k in keys]).astype(np.float32)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def db_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())


# -- workers (one process each) -------------------------------------------------------------------


def build(data: Path, model: str, stream: str, size: int, cycles: int, db: Path) -> dict[str, Any]:
    """Load a stream of `size` items through the real pipeline into `db`."""
    pool = pools(data, cycles).build
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    length = span(stream, size)
    items = build_stream(pool, size, end, length)
    load = load_average()
    partial = db.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    retention = retention_days(length)
    pipeline = open_pipeline(scale_settings(model, retention), partial)
    cached = CachedEmbedder(embed.load_embedder(model), CACHE / f"vectors-{model}.sqlite")
    clocked = clock_encoder(pipeline, cached)
    started = time.monotonic()

    day = [end - length]

    def progress(report: Any) -> None:
        if report.now.date() != day[0].date():
            day[0] = report.now
            print(
                f"  build {size}: {report.now:%m-%d} {pipeline.store.item_count()} items, "
                f"{time.monotonic() - started:.0f} s",
                file=sys.stderr,
                flush=True,
            )

    with pipeline:
        summary, timing = timed(lambda: replay(pipeline, items, every=EVERY, on_cycle=progress))
    partial.rename(db)
    return {
        "size": size,
        "model": model,
        "stream": stream,
        "span_days": round(length / timedelta(days=1), 1),
        "items_per_day": round(size / (length / timedelta(days=1))),
        "retention_days": retention,
        "items": summary.items,
        "distinct": min(size, len(pool)),
        "repeats": max(0, size - len(pool)),
        "stories": summary.stories,
        "cycles": summary.cycles,
        "end": end.isoformat(),
        "built_at": datetime.now(UTC).isoformat(),
        "build_s": round(timing.wall, 1),
        "build_cpu_s": round(timing.cpu, 1),
        "build_encode_s": round(clocked.spent.wall, 1),
        "encoded": cached.misses,
        "cached": cached.hits,
        "build_rss_mib": round(peak_rss_mib(), 1),
        "build_load_avg": [load, load_average()],
    }


def build_synthetic(data: Path, model: str, size: int, cycles: int, db: Path) -> dict[str, Any]:
    """A `history` store of `size` items: synthetic events up to the last days, then the
    archive's headlines through the real pipeline (bench/_synthetic.py)."""
    pool = pools(data, cycles).build
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    length = span("history", size)
    retention = retention_days(length)
    tail = round(SMALLEST * (synthetic.TAIL / RETENTION))
    if len(pool) < tail + 100:
        raise SystemExit(
            f"{data.name}: {len(pool)} headlines, need {tail + 100} for the synthetic stores"
        )
    load = load_average()
    cached = CachedEmbedder(embed.load_embedder(model), CACHE / f"vectors-{model}.sqlite")
    centres = cached.encode([r.title for r in pool[tail:]])
    partial = db.with_suffix(".partial")
    for leftover in partial.parent.glob(partial.name + "*"):
        leftover.unlink()
    pipeline = open_pipeline(scale_settings(model, retention), partial)
    clocked = clock_encoder(pipeline, cached)
    started = time.monotonic()

    shown = [0]

    def progress(done: int) -> None:
        if done - shown[0] >= 100_000:
            shown[0] = done
            print(f"  synthetic {size}: {done} items, {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)  # fmt: skip

    with pipeline:
        shape, history = timed(
            lambda: synthetic.build_history(
                pipeline,
                [r.title for r in pool[tail:]],
                centres,
                size=size - tail,
                start=end - length,
                end=end - synthetic.TAIL,
                progress=progress,
            )
        )
        items = retimed_items(
            pool[:tail], end - synthetic.TAIL, tail / (synthetic.TAIL / timedelta(hours=1))
        )
        summary, live = timed(lambda: replay(pipeline, items, every=EVERY))
        stored, stories = pipeline.store.item_count(), pipeline.store.story_count()
    partial.rename(db)
    return {
        "size": size,
        "model": model,
        "stream": "synthetic",
        "span_days": round(length / timedelta(days=1), 1),
        "items_per_day": round(size / (length / timedelta(days=1))),
        "retention_days": retention,
        "items": stored,
        "distinct": stored,
        "repeats": 0,
        "stories": stories,
        "synthetic_items": size - tail,
        **shape,
        "real_tail_items": summary.items,
        "cycles": summary.cycles,
        "end": end.isoformat(),
        "built_at": datetime.now(UTC).isoformat(),
        "build_s": round(history.wall + live.wall, 1),
        "build_cpu_s": round(history.cpu + live.cpu, 1),
        "build_history_s": round(history.wall, 1),
        "build_encode_s": round(clocked.spent.wall, 1),
        "encoded": cached.misses,
        "cached": cached.hits,
        "build_rss_mib": round(peak_rss_mib(), 1),
        "build_load_avg": [load, load_average()],
    }


def measure(data: Path, model: str, cycles: int, db: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Cycles of new items, the item index and searches, on a copy of the built `db`."""
    held = pools(data, cycles)
    end = datetime.fromisoformat(meta["end"])
    load = load_average()
    with tempfile.TemporaryDirectory(prefix="trendbot-scale-") as tmp:
        copy = Path(tmp) / "scale.db"
        shutil.copy(db, copy)
        clock = [end]  # the bench's clock: the stream's, not the wall's
        settings = scale_settings(model, meta["retention_days"])
        pipeline = open_pipeline(settings, copy, clock=lambda: clock[0])
        with pipeline:
            clocked = clock_encoder(pipeline)
            restart = warm_up(pipeline)
            # `trendbot run` builds the search index at start-up; each cycle then adds to it.
            _, built = timed(lambda: pipeline.brain.item_index(pipeline.store, end))
            rss_start = peak_rss_mib()
            runs: list[tuple[Timing, Timing]] = []
            new: list[int] = []  # a few headlines differ only by punctuation: stored once
            for n in range(cycles):
                now = clock[0] = end + EVERY * (n + 1)
                rows = held.cycles[n * BATCH : (n + 1) * BATCH]
                batch = retimed_items(rows, now - EVERY, BATCH / (EVERY.seconds / 3600))
                before = clocked.spent
                report, timing = timed(partial(_cycle, pipeline, batch, now))
                runs.append((timing, _minus(clocked.spent, before)))
                new.append(report.embedded)
            rss_cycles = peak_rss_mib()
            clock[0] = end + EVERY * (cycles + 1)
            search = _searches(pipeline, held.queries, clock[0])
            search["index_build_s"] = round(built.wall, 2)
        size_after = db_bytes(copy)
    walls = [t.wall for t, _ in runs]
    return {
        "restart_s": round(restart.wall, 2),
        "cycle_s": round(statistics.median(walls), 3),
        "cycle_cpu_s": round(statistics.median(t.cpu for t, _ in runs), 3),
        "cycle_encode_s": round(statistics.median(e.wall for _, e in runs), 3),
        "cycle_rest_s": round(statistics.median(t.wall - e.wall for t, e in runs), 3),
        "cycle_rest_cpu_s": round(statistics.median(t.cpu - e.cpu for t, e in runs), 3),
        "cycles_s": [round(w, 2) for w in walls],
        "cycles_new_items": new,
        **search,
        "rss_mib": round(peak_rss_mib(), 1),
        "rss_start_mib": round(rss_start, 1),
        "rss_cycles_mib": round(rss_cycles, 1),
        "db_mib": round(db_bytes(db) / 2**20, 1),
        "db_after_mib": round(size_after / 2**20, 1),
        "load_avg": [load, load_average()],
    }


def _cycle(pipeline: Any, batch: list[Item], now: datetime) -> Any:
    pipeline.store.save_items(ARCHIVE_FEED, batch)
    return pipeline.process(now)


def _minus(a: Timing, b: Timing) -> Timing:
    return Timing(a.wall - b.wall, a.cpu - b.cpu)


def _searches(pipeline: Any, queries: Sequence[ArchiveRow], now: datetime) -> dict[str, Any]:
    """Searches of the item index, and whether the next cycle's items reach it."""
    brain = pipeline.brain
    index = brain.item_index(pipeline.store, now)
    vectors = brain.encode([q.title for q in queries])
    times = []
    for vector in vectors:
        hits, t = timed(partial(index.search, vector, SEARCH_K))
        if not hits:
            raise SystemExit(
                "the item index answered nothing: is the database older than its retention?"
            )
        times.append(t.wall)
    bot = Trendbot(pipeline)
    bot.search(queries[-1].title, 5)  # the first search builds the brand's matcher: start-up
    e2e = [timed(partial(bot.search, q.title, 5))[1].wall for q in queries[:E2E_QUERIES]]
    # Does the index built at the first search learn the items of later cycles?
    late = retimed_items(queries[-FOLLOW:], now - EVERY, FOLLOW / (EVERY.seconds / 3600))
    before = len(index)
    _cycle(pipeline, late, now)
    vectors = brain.encode([item.title for item in late])
    found = sum(
        index.search(vector, 1)[0][0] == item.id for item, vector in zip(late, vectors, strict=True)
    )
    return {
        "index_kind": index.kind,
        "indexed": len(index),
        "search_ms": round(1000 * statistics.median(times), 3),
        "search_p90_ms": round(1000 * sorted(times)[int(0.9 * len(times))], 3),
        "trendbot_search_ms": round(1000 * statistics.median(e2e), 1),
        "trendbot_search_p99_ms": round(1000 * sorted(e2e)[int(0.99 * len(e2e))], 1),
        "index_grew_by": len(index) - before,
        "index_finds_new": f"{found}/{len(late)}",
    }


# -- the driver -----------------------------------------------------------------------------------


def cache_db(model: str, stream: str, size: int) -> Path:
    return CACHE / f"{model}-{stream}-{size}.db"


def cached_meta(db: Path) -> dict[str, Any] | None:
    meta = db.with_suffix(".json")
    if not (db.is_file() and meta.is_file()):
        return None
    with sqlite3.connect(db) as conn:
        built = [n for (n,) in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    if built != [name for name, _ in MIGRATIONS]:
        print(f"{db.name} was built with an older schema: building it again", flush=True)
        return None
    found: dict[str, Any] = json.loads(meta.read_text())
    return found


def worker(args: argparse.Namespace) -> None:
    args.stream = args.worker_stream
    db = cache_db(args.model, args.stream, args.size)
    if args.worker == "build":
        if args.stream == "synthetic":
            meta = build_synthetic(args.data, args.model, args.size, args.cycles, db)
        else:
            meta = build(args.data, args.model, args.stream, args.size, args.cycles, db)
        db.with_suffix(".json").write_text(json.dumps(meta))
    else:
        meta = json.loads(db.with_suffix(".json").read_text())
        print(json.dumps(measure(args.data, args.model, args.cycles, db, meta)))


def run_worker(kind: str, args: argparse.Namespace, size: int, stream: str) -> str:
    command = [sys.executable, __file__, "--worker", kind, "--size", str(size)]
    command += ["--model", args.model, "--data", str(args.data), "--cycles", str(args.cycles)]
    command += ["--worker-stream", stream]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if done.returncode:
        raise SystemExit(f"the {kind} of {size} items failed (exit {done.returncode})")
    return done.stdout


def one_size(args: argparse.Namespace, size: int, stream: str) -> dict[str, Any]:
    db = cache_db(args.model, stream, size)
    meta = None if args.rebuild else cached_meta(db)
    fresh = meta is None
    if meta is None:
        print(f"building {size} items ({args.model}, {stream}) ...", flush=True)
        run_worker("build", args, size, stream)
        meta = json.loads(db.with_suffix(".json").read_text())
    out = json.loads(run_worker("measure", args, size, stream).strip().splitlines()[-1])
    result = {**meta, **out, "built_now": fresh}
    print(
        f"{size} items ({stream}): cycle {result['cycle_s']:.2f} s "
        f"(CPU {result['cycle_cpu_s']:.2f} s, "
        f"encoder {result['cycle_encode_s']:.2f} s), RSS {result['rss_mib']:.0f} MiB, "
        f"DB {result['db_mib']:.1f} MiB, index {result['index_kind']} built in "
        f"{result['index_build_s']:.1f} s, search {result['search_ms']:.2f} ms, /trend search "
        f"p99 {result['trendbot_search_p99_ms']:.0f} ms "
        f"({'built now' if result['built_now'] else 'cached build'}); load {result['load_avg']}",
        flush=True,
    )
    return result


def table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str, str]]) -> None:
    """One line per size: (header, key, format) per column, right-aligned."""
    widths = [re.match(r"\d+", spec).group() for _, _, spec in columns]  # type: ignore[union-attr]
    print("\n" + " ".join(f"{head:>{w}}" for (head, _, _), w in zip(columns, widths, strict=True)))
    for row in rows:
        print(" ".join(f"{row[key]:>{spec}}" for _, key, spec in columns))


def report(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    table(
        results,
        [("items", "size", "8"), ("days", "span_days", "5.0f"), ("repeats", "repeats", "8"),
         ("stories", "stories", "8"), ("cycle s", "cycle_s", "8.2f"),
         ("cpu s", "cycle_cpu_s", "7.2f"), ("rest s", "cycle_rest_s", "7.2f"),
         ("RSS MiB", "rss_mib", "8.0f"), ("build RSS", "build_rss_mib", "9.0f"),
         ("DB MiB", "db_mib", "7.1f"), ("index", "index_kind", "6"),
         ("search ms", "search_ms", "9.2f"), ("/trend ms", "trendbot_search_ms", "9.1f"),
         ("build s", "build_s", "8.0f")],
    )  # fmt: skip
    small, large = results[0], results[-1]
    cost = large["cycle_s"] / small["cycle_s"]
    cost_cpu = large["cycle_cpu_s"] / small["cycle_cpu_s"]
    cost_rest = large["cycle_rest_s"] / small["cycle_rest_s"]
    rss = max(large["rss_mib"], large["build_rss_mib"])
    print(
        f"\ncycle of {BATCH} new items, cost {large['size']}/{small['size']}: {cost:.2f}x wall, "
        f"{cost_cpu:.2f}x CPU, {cost_rest:.2f}x without the encoder; target <= {COST_TARGET}x: "
        f"{'met' if cost <= COST_TARGET else 'missed'}"
    )
    print(
        f"peak RSS at {large['size']}: {rss:.0f} MiB (measure {large['rss_mib']:.0f}, build "
        f"{large['build_rss_mib']:.0f}); target <= {RSS_TARGET_MIB} MiB: "
        f"{'met' if rss <= RSS_TARGET_MIB else 'missed'}"
    )
    for r in results:
        if r["repeats"]:
            print(
                f"{r['size']}: the archive ran out; {r['repeats']} items are repeated titles "
                f"with a suffix ({r['distinct']} distinct)"
            )
    return {
        "cost_ratio": round(cost, 3),
        "cost_ratio_cpu": round(cost_cpu, 3),
        "cost_ratio_rest": round(cost_rest, 3),
        "rss_max_mib": round(rss, 1),
        "cost_target": COST_TARGET,
        "rss_target_mib": RSS_TARGET_MIB,
    }


def report_synthetic(made: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The million-item targets, from the smallest and the largest synthetic store."""
    if not made:
        return {"rss_mib_1m": None, "cycle_ratio_1m_100k": None, "search_p99_ms_1m": None}
    table(
        made,
        [("synthetic", "size", "9"), ("stories", "stories", "8"), ("cycle s", "cycle_s", "8.2f"),
         ("cpu s", "cycle_cpu_s", "7.2f"), ("RSS MiB", "rss_mib", "8.0f"),
         ("start RSS", "rss_start_mib", "9.0f"), ("DB MiB", "db_mib", "8.0f"),
         ("index", "index_kind", "6"), ("built s", "index_build_s", "8.1f"),
         ("search ms", "search_ms", "9.2f"), ("/trend p50", "trendbot_search_ms", "10.1f"),
         ("p99 ms", "trendbot_search_p99_ms", "7.0f")],
    )  # fmt: skip
    small, large = made[0], made[-1]
    ratio = large["cycle_s"] / small["cycle_s"]
    rss, p99 = large["rss_mib"], large["trendbot_search_p99_ms"]
    verdicts = [
        (
            f"cycle of {BATCH} new items, {large['size']} over {small['size']}",
            f"{ratio:.2f}x",
            ratio <= COST_TARGET,
            f"<= {COST_TARGET}x",
        ),
        (
            f"worker's peak RSS at {large['size']}",
            f"{rss:.0f} MiB",
            rss <= RSS_1M_TARGET_MIB,
            f"<= {RSS_1M_TARGET_MIB} MiB",
        ),
        (
            f"/trend search p99 at {large['size']}",
            f"{p99:.0f} ms",
            p99 <= SEARCH_P99_TARGET_MS,
            f"<= {SEARCH_P99_TARGET_MS} ms",
        ),
    ]
    for what, value, met, target in verdicts:
        print(f"{what}: {value}; target {target}: {'met' if met else 'missed'}")
    return {
        "rss_mib_1m": rss,
        "cycle_ratio_1m_100k": round(ratio, 3),
        "cycle_ratio_1m_100k_cpu": round(large["cycle_cpu_s"] / small["cycle_cpu_s"], 3),
        "search_p99_ms_1m": p99,
        "synthetic_sizes": [r["size"] for r in made],
        "rss_1m_target_mib": RSS_1M_TARGET_MIB,
        "search_p99_target_ms": SEARCH_P99_TARGET_MS,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=default_data_dir() / "news_archive_2025.jsonl.gz",
        help="news archive file (default: ../shared/data/news_archive_2025.jsonl.gz)",
    )
    parser.add_argument("--sizes", default="10000,30000,100000", help="items, comma-separated")
    parser.add_argument("--model", default=embed.USE_MULTILINGUAL, help="default use-multilingual")
    parser.add_argument("--cycles", type=int, default=5, help="measured cycles (default 5)")
    parser.add_argument(
        "--stream",
        choices=STREAMS,
        default="history",
        help="history: the same arrival rate, a longer history (default); busier: every size "
        "in the 14 days of default retention",
    )
    parser.add_argument(
        "--synthetic",
        default="100000,1000000",
        help="sizes of the synthetic-history stores (default 100000,1000000; '' for none): "
        "memory, cycle cost and search at a million items",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--worker", choices=["build", "measure"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-stream", choices=[*STREAMS, "synthetic"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.model = embed.resolve_model(args.model, ["en"])[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.worker:
        worker(args)
        return
    sizes, large = (
        _sizes(parser, args.sizes, "--sizes"),
        _sizes(parser, args.synthetic, "--synthetic", SYNTHETIC_MIN),
    )
    if not (sizes or large) or args.cycles < 1:
        parser.error("give --sizes or --synthetic, and --cycles of at least 1")
    print(
        f"machine: {os.cpu_count()} cores, load average {load_average()}; model {args.model}, "
        f"{args.cycles} cycles of {BATCH} new items per size; {args.stream} stream "
        f"{sizes}, synthetic {large}"
    )
    results = [one_size(args, size, args.stream) for size in sizes]
    summary = report(results) if results else {}
    made = [one_size(args, size, "synthetic") for size in large]
    print(
        json.dumps(
            {
                "bench": "scale",
                "data": args.data.name,
                "model": args.model,
                "stream": args.stream,
                "batch": BATCH,
                **summary,
                **report_synthetic(made),
                "sizes": results,
                "synthetic": made,
                "load_avg": load_average(),
            }
        )
    )


def _sizes(parser: argparse.ArgumentParser, text: str, flag: str, least: int = 1) -> list[int]:
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        parser.error(f"{flag}: whole numbers, comma-separated (10000,100000)")
    if sizes and sizes[0] < least:
        parser.error(f"{flag}: sizes must be at least {least}")
    return sizes


if __name__ == "__main__":
    main()
