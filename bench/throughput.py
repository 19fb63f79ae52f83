"""How many new items a second does the whole processing path take, next to the encoder alone?

    .venv/bin/python bench/throughput.py [--data ../shared/data/news_archive_2025.jsonl.gz] \
        [--model both|auto|minilm|use-multilingual] [--items 2000] [--rate 500] [--profile]

Real headlines (the first sighting of each distinct title of the news archive, in file order) are
re-timed to arrive at --rate items an hour (a brand watching some fifty feeds), and fed as a
poller would: one batch per 30 minutes of that clock, `Store.save_items` then
`Pipeline.process(now)` on a fresh SQLite file: store -> embed -> stories -> trends -> brand
fit (themes of bench/themes/ag_news.yaml, safety, cadence, template pitches).

In the same run, before or after each batch (alternately, so a busy machine weighs on both
alike), the same texts go through the embedder's `encode` alone, in the chunks the pipeline uses.
ratio = pipeline items/s / encoder items/s: 1.0 means everything but the encoder is free (target
>= 0.8). The encoder's calls inside the pipeline are clocked too, so the rest is shown per item.
Times are wall clock and this process's CPU time (steadier on a shared machine: load average
printed). Model loading and the one-off theme and safety set-up are timed apart, not counted.
--profile prints where the pipeline's own time goes (cProfile, by cumulative time).
Prints ONE JSON line last.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import ArchiveRow, add_data_argument, load_news_archive
from ruamel.yaml import YAML

from trendbot import embed
from trendbot.cycle import EMBED_BATCH, Clock, Pipeline, make_pipeline
from trendbot.settings import Settings, parse_settings
from trendbot.sources.replay import ARCHIVE_FEED, batches, item_from_record
from trendbot.types import Item, embed_text, utcnow

HERE = Path(__file__).resolve().parent
THEMES = HERE / "themes" / "ag_news.yaml"
EVERY = timedelta(minutes=30)  # a poller's cycle
RATIO_TARGET = 0.8
T = TypeVar("T")


# -- the stream -----------------------------------------------------------------------------------


def distinct_headlines(rows: Sequence[ArchiveRow]) -> list[ArchiveRow]:
    """The first sighting of each distinct title, in file order."""
    seen: set[str] = set()
    out = []
    for row in rows:
        if row.title not in seen:
            seen.add(row.title)
            out.append(row)
    if not out:
        raise SystemExit("no headlines in the data file")
    return out


def retimed_items(
    rows: Sequence[ArchiveRow], start: datetime, per_hour: float, suffix: str = ""
) -> list[Item]:
    """The rows as archive records arriving evenly from `start`, `per_hour` an hour, read back
    through the replay source as `trendbot replay` would."""
    step = 3600.0 / per_hour
    return [
        item_from_record(
            {
                "seen_at": (start + timedelta(seconds=n * step)).isoformat(),
                "rank": row.rank,
                "title": row.title + suffix,
                "source": row.source,
            }
        )
        for n, row in enumerate(rows)
    ]


def bench_settings(model: str) -> Settings:
    spec = YAML(typ="safe").load(THEMES.read_text(encoding="utf-8"))
    return parse_settings(
        {
            "brand": {"name": "Bench", "language": "en", "themes": spec["themes"]},
            "embedding": {"model": model},
        }
    )


def open_pipeline(settings: Settings, db: Path, clock: Clock = utcnow) -> Pipeline:
    pipeline = make_pipeline(settings, db=str(db), clock=clock)
    pipeline.store.ensure_feed(ARCHIVE_FEED, url=f"replay:{ARCHIVE_FEED}")
    return pipeline


# -- clocks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # this process, all threads: steadier than wall clock on a shared machine

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)


ZERO = Timing(0.0, 0.0)


def timed(work: Callable[[], T]) -> tuple[T, Timing]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


@dataclass
class ClockedEmbedder:
    """Any embedder, with the time spent in its `encode` added up: the encoder's share of a
    pipeline cycle, measured inside the cycle."""

    inner: embed.Embedder
    spent: Timing = ZERO
    texts: int = 0
    name: str = field(init=False)
    dim: int = field(init=False)

    def __post_init__(self) -> None:
        self.name, self.dim = self.inner.name, self.inner.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors, timing = timed(lambda: self.inner.encode(texts))
        self.spent += timing
        self.texts += len(texts)
        return vectors


def clock_encoder(pipeline: Pipeline, inner: embed.Embedder | None = None) -> ClockedEmbedder:
    """Put a clock around the brain's embedder (before its first use)."""
    clocked = ClockedEmbedder(inner or embed.load_embedder(pipeline.brain.model))
    pipeline.brain._embedder = clocked
    return clocked


def warm_up(pipeline: Pipeline) -> Timing:
    """What a bot does once at start: load the model, build the theme and safety prototypes,
    restore the story tracker."""
    brain = pipeline.brain

    def work() -> None:
        brain.encode(["warm up"])
        _ = brain.matcher, brain.safety, brain.tracker

    return timed(work)[1]


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# -- the measure ----------------------------------------------------------------------------------


@dataclass
class Run:
    model: str
    items: int
    cycles: int
    setup: Timing
    pipeline: Timing
    encoder: Timing  # encode alone, same texts, same chunks
    inside: Timing  # encode calls made by the pipeline
    stories: int
    rising: int
    pitched: int
    load: tuple[float, float]

    def rate(self, t: Timing, cpu: bool = False) -> float:
        return self.items / (t.cpu if cpu else t.wall)

    def figures(self) -> dict[str, Any]:
        rest = self.pipeline.wall - self.inside.wall
        rest_cpu = self.pipeline.cpu - self.inside.cpu
        return {
            "model": self.model,
            "items": self.items,
            "cycles": self.cycles,
            "pipeline_items_per_s": round(self.rate(self.pipeline), 1),
            "encode_items_per_s": round(self.rate(self.encoder), 1),
            "ratio": round(self.encoder.wall / self.pipeline.wall, 3),
            "ratio_cpu": round(self.encoder.cpu / self.pipeline.cpu, 3),
            "encoder_share_in_pipeline": round(self.inside.wall / self.pipeline.wall, 3),
            "rest_ms_per_item": round(1000 * rest / self.items, 2),
            "rest_cpu_ms_per_item": round(1000 * rest_cpu / self.items, 2),
            "pipeline_s": round(self.pipeline.wall, 2),
            "pipeline_cpu_s": round(self.pipeline.cpu, 2),
            "encode_s": round(self.encoder.wall, 2),
            "encode_cpu_s": round(self.encoder.cpu, 2),
            "setup_s": round(self.setup.wall, 2),
            "stories": self.stories,
            "rising": self.rising,
            "pitched": self.pitched,
            "load_avg": list(self.load),
        }


def chunks(texts: Sequence[str], size: int) -> list[Sequence[str]]:
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def measure(model: str, items: Sequence[Item], tmp: Path, profiler: cProfile.Profile | None) -> Run:
    load_before = load_average()
    pipeline = open_pipeline(bench_settings(model), tmp / f"throughput-{model}.db")
    with pipeline:
        clocked = clock_encoder(pipeline)
        setup = warm_up(pipeline)
        raw = clocked.inner
        pipe = enc = ZERO
        inside_before = clocked.spent
        cycles = rising = pitched = 0
        for n, (now, batch) in enumerate(batches(items, EVERY)):
            texts = [embed_text(i.title, i.summary) for i in batch]

            def encode_alone(texts: Sequence[str] = texts) -> None:
                for chunk in chunks(texts, EMBED_BATCH):
                    raw.encode(chunk)

            def one_cycle(now: datetime = now, batch: list[Item] = batch) -> Any:
                pipeline.store.save_items(ARCHIVE_FEED, batch)
                return pipeline.process(now)

            if n % 2:
                enc += timed(encode_alone)[1]
            if profiler:
                profiler.enable()
            report, timing = timed(one_cycle)
            if profiler:
                profiler.disable()
            if not n % 2:
                enc += timed(encode_alone)[1]
            pipe += timing
            cycles += 1
            rising += report.rising
            pitched += len(report.pitched)
        stories = int(pipeline.store.scalar("SELECT count(*) FROM stories"))
        inside = Timing(
            clocked.spent.wall - inside_before.wall, clocked.spent.cpu - inside_before.cpu
        )
    return Run(
        model,
        len(items),
        cycles,
        setup,
        pipe,
        enc,
        inside,
        stories,
        rising,
        pitched,
        (load_before, load_average()),
    )


def print_run(run: Run) -> None:
    f = run.figures()
    print(
        f"\n{run.model}: {run.items} items in {run.cycles} cycles; start-up (model, themes, "
        f"safety) {run.setup.wall:.1f} s, not counted"
    )
    print(
        f"  whole path   {f['pipeline_items_per_s']:8.1f} items/s  "
        f"({run.pipeline.wall:6.1f} s, CPU {run.pipeline.cpu:6.1f} s)"
    )
    print(
        f"  encode alone {f['encode_items_per_s']:8.1f} items/s  "
        f"({run.encoder.wall:6.1f} s, CPU {run.encoder.cpu:6.1f} s)"
    )
    verdict = "meets" if f["ratio"] >= RATIO_TARGET else "misses"
    print(
        f"  ratio {f['ratio']:.2f} (by CPU time {f['ratio_cpu']:.2f}): {verdict} the target "
        f">= {RATIO_TARGET}"
    )
    print(
        f"  inside the path: encoder {f['encoder_share_in_pipeline']:.0%} of the time; the rest "
        f"{f['rest_ms_per_item']:.2f} ms an item (CPU {f['rest_cpu_ms_per_item']:.2f} ms)"
    )
    print(
        f"  work done: {run.stories} stories, {run.rising} rising-story sightings scored for "
        f"brand fit, {run.pitched} pitches; load average {run.load[0]} -> {run.load[1]}"
    )


def print_profile(profiler: cProfile.Profile, top: int = 25) -> None:
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("cumulative").print_stats(top)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
    print("\n-- the pipeline's cycles, by cumulative time --")
    print("\n".join(line for line in lines[start:] if line.strip()))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument(
        "--model",
        default="both",
        help="both (the two bundled models, default), auto, minilm, use-multilingual",
    )
    parser.add_argument("--items", type=int, default=2000, help="items to feed (default 2000)")
    parser.add_argument("--rate", type=float, default=500.0, help="arrivals an hour (default 500)")
    parser.add_argument("--profile", action="store_true", help="cProfile the pipeline's cycles")
    args = parser.parse_args(argv)
    if args.items < 1 or args.rate <= 0:
        parser.error("--items must be at least 1 and --rate positive")
    if args.model == "both":
        models = [embed.MINILM, embed.USE_MULTILINGUAL]
    else:
        models = [embed.resolve_model(args.model, ["en"])[0]]

    headlines = distinct_headlines(load_news_archive(args.data))
    rows = headlines[: args.items]
    if len(rows) < args.items:
        print(f"only {len(rows)} distinct headlines in {args.data.name}: using them all")
    start = datetime.fromtimestamp(rows[0].seen_at, UTC)
    items = retimed_items(rows, start, args.rate)
    print(
        f"{args.data.name}: {len(items)} distinct headlines, re-timed to {args.rate:g} an hour "
        f"({len(items) / args.rate:.1f} h of stream), a cycle every {EVERY.seconds // 60} min"
    )
    print(f"machine: {os.cpu_count()} cores, load average {load_average()}")

    runs = []
    profiler = cProfile.Profile() if args.profile else None
    with tempfile.TemporaryDirectory(prefix="trendbot-throughput-") as tmp:
        for model in models:
            run = measure(model, items, Path(tmp), profiler)
            print_run(run)
            runs.append(run)
    if profiler:
        print_profile(profiler)
    print(
        json.dumps(
            {
                "bench": "throughput",
                "data": args.data.name,
                "items": len(items),
                "rate_per_hour": args.rate,
                "ratio_target": RATIO_TARGET,
                "models": {run.model: run.figures() for run in runs},
            }
        )
    )


if __name__ == "__main__":
    main()
