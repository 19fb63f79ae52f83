"""Slack latency: time to ack and to answer `/trend top` and `/trend search` on a full database.

Builds a database of --items items (default 100,000) the way trendbot does: the real headlines of
a news archive (Google News snapshots, jsonl.gz: `seen_at`, `title`, `source`), re-timed onto the
14 days before NOW so that the retention window holds them all, saved with `Store.save_items`,
then one `Pipeline.process(NOW)` with the real multilingual encoder: embeddings, stories,
momentum, brand fit and pitches. Each distinct (headline, publisher) is one item; when the archive
has fewer than --items of them it is replayed, each copy 7 minutes later under a "mirror" of its
publisher, so that no copy is deduplicated away. The database is cached under /tmp/trendbot-cache/
(keyed by the data file, --items and the code that builds it); --rebuild ignores the cache.

Then it dispatches --requests signed slash commands (half `top`, half `search` for two words of a
random headline) through the real bolt app in front of the real `trendbot.core.Trendbot`, one
after the other, as Slack would send them:

    ack      from dispatch to the HTTP response Slack gets (the 3-second limit applies here)
    answer   to the text the person sees: the ack itself for `top`; for `search` (a lazy
             listener) the arrival of the answer at the response URL (a fake Slack server)
    core     the time spent in Trendbot.top_stories / Trendbot.search; the rest is the Slack layer

    home     from a signed `app_home_opened` to the page's arrival at `views.publish` (--homes
             openings by 7 users; the issue's target is p99 <= 300 ms at 100k items)

The first search builds the in-memory item index from the store: it is timed apart, before the
timed requests. --profile prints where the time of 50 more `top` and 50 `search` calls goes.

    .venv/bin/python bench/slack_latency.py --data ../shared/data/news_archive_2025.jsonl.gz
    .venv/bin/python bench/slack_latency.py --items 5000 --requests 100    # a quick run
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import math
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from _data import ArchiveRow, add_data_argument, load_news_archive  # noqa: E402
from fakeslack import TOKEN, FakeSlack  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from slack_bolt import App, BoltRequest  # noqa: E402
from slackkit import SECRET, command_body, payload, signed_headers  # noqa: E402

from trendbot.core import Trendbot, make_trendbot  # noqa: E402
from trendbot.cycle import make_pipeline  # noqa: E402
from trendbot.settings import Secrets, Settings, parse_settings  # noqa: E402
from trendbot.slack.app import make_app  # noqa: E402
from trendbot.slack.poster import make_client  # noqa: E402
from trendbot.store import Store  # noqa: E402
from trendbot.types import Item, StoryView  # noqa: E402

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
SPAN = timedelta(days=14)
CACHE = Path("/tmp/trendbot-cache")
BUILD = "2"  # bump when the way the database is built changes
BUILT_BY = ("store/migrations.py", "embed.py", "calibration.py", "stories.py")
FEED = "archive"
TARGET_MS = 300.0
WARMUP = 20
SAVE_BATCH = 5000
WORD = re.compile(r"[A-Za-z]{4,}")


def settings() -> Settings:
    """An English brand with three everyday themes; the fast multilingual encoder."""
    return parse_settings(
        {
            "feeds": [{"name": FEED, "url": "https://archive.example.org/rss", "language": "en"}],
            "brand": {
                "name": "Maison Test",
                "language": "en",
                "hashtags": ["MaisonTest"],
                "themes": [
                    {
                        "name": "Food",
                        "description": "food, cooking, restaurants, recipes, groceries",
                        "keywords": ["food", "restaurant", "recipe", "chef"],
                    },
                    {
                        "name": "Sport",
                        "description": "football, tennis, basketball, the Olympics",
                        "keywords": ["NFL", "NBA", "World Cup", "tennis"],
                    },
                    {
                        "name": "Weather",
                        "description": "heatwaves, storms, snow, hurricanes, the seasons",
                        "keywords": ["heat wave", "hurricane", "snowstorm", "weather"],
                    },
                ],
            },
            "slack": {"channel": "C0PITCHES", "editors": ["U0EDITOR"]},
            "embedding": {"model": "use-multilingual"},
        }
    )


def archive_items(rows: list[ArchiveRow], n_items: int) -> list[Item]:
    """`n_items` items from the archive, re-timed onto the 14 days before NOW, oldest first."""
    sightings = list({(r.title, r.source): r for r in rows}.values())  # first sighting of a pair
    t0, t1 = rows[0].seen_at, rows[-1].seen_at
    start = NOW - SPAN
    if n_items < len(sightings):  # a small run: spread over the archive, so over the 14 days
        sightings = [sightings[i * len(sightings) // n_items] for i in range(n_items)]
    items = []
    for n in range(n_items):
        row = sightings[n % len(sightings)]
        copy = n // len(sightings)
        when = start + SPAN * ((row.seen_at - t0) / max(t1 - t0, 1)) + timedelta(minutes=7 * copy)
        when = min(when, NOW)
        items.append(
            Item(
                feed=FEED,
                guid=f"a{n}",
                url=f"https://archive.example.org/{n}",
                title=row.title,
                summary="",
                published=when,
                seen=when,
                language="en",
                source=row.source if copy == 0 else f"{row.source} (mirror {copy})",
            )
        )
    return sorted(items, key=lambda i: i.seen)


def build(rows: list[ArchiveRow], n_items: int, db: Path) -> dict[str, float]:
    """Save the items and process them once at NOW, as `trendbot run` would; seconds taken."""
    items = archive_items(rows, n_items)
    bot = make_trendbot(settings(), db=str(db), clock=lambda: NOW)
    with bot.pipeline as pipeline:
        started = time.perf_counter()
        for i in range(0, len(items), SAVE_BATCH):
            pipeline.store.save_items(FEED, items[i : i + SAVE_BATCH])
        saved = time.perf_counter()
        report = pipeline.process(NOW)
        done = time.perf_counter()
    print(
        f"built {db.name}: {len(items):,} items saved in {saved - started:.1f} s, processed in "
        f"{done - saved:.1f} s ({report.embedded:,} embedded, {report.rising} rising, "
        f"{len(report.pitched)} pitched)"
    )
    return {"save_s": round(saved - started, 1), "process_s": round(done - saved, 1)}


def cached_db(data: Path, n_items: int, rebuild: bool) -> tuple[Path, dict[str, float]]:
    stat = data.stat()
    key = hashlib.sha1(f"{BUILD}:{data.name}:{stat.st_size}:{stat.st_mtime}:{n_items}".encode())
    for code in BUILT_BY:  # the schema, the encoder and the clustering make the database
        key.update((ROOT / "trendbot" / code).read_bytes())
    db = CACHE / f"slack_latency-{n_items}-{key.hexdigest()[:12]}.db"
    CACHE.mkdir(parents=True, exist_ok=True)
    if not rebuild and db.exists():
        return db, {}
    partial = db.with_name(db.name + ".building")
    for stale in CACHE.glob(f"{db.name}*"):
        if rebuild or not stale.name.startswith(partial.name):
            stale.unlink()
    # an interrupted build resumes: saving is idempotent and the cycle skips what is done
    figures = build(load_sorted(data), n_items, partial)
    Store(partial).close()  # the last connection out folds the WAL into the file
    partial.rename(db)
    return db, figures


def load_sorted(data: Path) -> list[ArchiveRow]:
    return sorted(load_news_archive(data), key=lambda r: r.seen_at)


class TimedTrendbot(Trendbot):
    """The real Trendbot, with the time spent in it: what is left of an answer is Slack's."""

    spent = 0.0

    def top_stories(
        self, n: int = 5, theme: str | None = None, *, brand: str | None = None
    ) -> list[StoryView]:
        started = time.perf_counter()
        try:
            return super().top_stories(n, theme, brand=brand)
        finally:
            self.spent += time.perf_counter() - started

    def search(self, words: str, k: int = 5, *, brand: str | None = None) -> list[StoryView]:
        started = time.perf_counter()
        try:
            return super().search(words, k, brand=brand)
        finally:
            self.spent += time.perf_counter() - started


def time_home(app: App, fake: FakeSlack, count: int) -> list[float]:
    """Milliseconds from a signed `app_home_opened` to the page's arrival at views.publish, as
    the person opening the Home tab waits for it; after WARMUP untimed openings."""
    timed = []
    for n in range(count + WARMUP):
        event = payload("app_home_opened")
        event["event_id"] = f"EvHOME{n:08d}"
        event["event"]["user"] = f"U{n % 7:08d}"
        body = json.dumps(event)
        headers: dict[str, str | Sequence[str]] = {
            **signed_headers(body, content_type="application/json")
        }
        published = len(fake.calls("views.publish"))
        started = time.perf_counter()
        response = app.dispatch(BoltRequest(body=body, headers=headers))
        assert response.status == 200, response.body
        call = fake.wait_for("views.publish", published + 1, timeout=60)[published]
        if n >= WARMUP:
            timed.append((call.at - started) * 1000)
    return timed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def queries(rows: list[ArchiveRow], count: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for n in range(count):
        if n % 2 == 0:
            out.append(("top", rng.choice(["top", "top 10", "top 20"])))
        else:
            words = WORD.findall(rng.choice(rows).title) or ["news"]
            out.append(("search", "search " + " ".join(rng.sample(words, min(2, len(words))))))
    return out


def profile(bot: Trendbot, asked: list[tuple[str, str]]) -> None:
    """Where 50 `top` and 50 `search` calls spend their time, straight on the core."""
    for kind in ("top", "search"):
        texts = [text.split(" ", 1) for k, text in asked if k == kind][:50]
        profiler = cProfile.Profile()
        profiler.enable()
        for words in texts:
            if kind == "top":
                bot.top_stories(int(words[1]) if len(words) > 1 else 5)
            else:
                bot.search(words[1])
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(f"\n--- profile: {len(texts)} x {kind} ---")
        print("\n".join(out.getvalue().splitlines()[:60]))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--items", type=int, default=100_000, help="items in the store")
    parser.add_argument("--requests", type=int, default=500, help="slash commands to time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached database")
    parser.add_argument("--homes", type=int, default=100, help="Home tab openings to time")
    parser.add_argument("--profile", action="store_true", help="profile top and search after")
    args = parser.parse_args()

    db, build_figures = cached_db(args.data, args.items, args.rebuild)
    rows = load_sorted(args.data)
    asked = queries(rows, args.requests + WARMUP, args.seed)

    secrets = Secrets(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET))
    acks: dict[str, list[float]] = {"top": [], "search": []}
    answers: dict[str, list[float]] = {"top": [], "search": []}
    core_ms: dict[str, list[float]] = {"top": [], "search": []}
    empty = 0
    pipeline = make_pipeline(settings(), db=str(db), clock=lambda: NOW)
    bot = TimedTrendbot(pipeline)
    with FakeSlack() as fake, pipeline:
        items = bot.store.item_count()
        n_stories = int(bot.store.scalar("SELECT count(*) FROM stories WHERE merged_into IS NULL"))
        live = len(bot.store.story_rows(pipeline.brain.model, since=NOW - timedelta(hours=48)))
        started = time.perf_counter()
        bot.pipeline.brain.encode(["warm up"])
        loaded = time.perf_counter()
        index = bot.pipeline.brain.item_index(bot.store, NOW)
        indexed = time.perf_counter()
        print(
            f"encoder loaded in {loaded - started:.1f} s; item index ({index.kind}, "
            f"{len(index):,} vectors) built in {indexed - loaded:.1f} s"
        )
        client = make_client(secrets, base_url=fake.url)
        app = make_app(bot, secrets, client=client)  # as in production: acks never wait
        for n, (kind, text) in enumerate(asked):
            url = fake.response_url(f"q{n}")
            body = command_body(text, response_url=url)
            headers: dict[str, str | Sequence[str]] = {**signed_headers(body)}
            request = BoltRequest(body=body, headers=headers)
            responses = len(fake.calls("response"))
            bot.spent = 0.0
            started = time.perf_counter()
            response = app.dispatch(request)
            acked = time.perf_counter()
            assert response.status == 200, response.body
            if kind == "search":
                answer = fake.wait_for("response", responses + 1, timeout=60)[responses]
                answered = answer.at
                text_seen = answer.args.get("text", "")
                empty += "No story about" in text_seen
            else:
                answered = acked
                text_seen = json.loads(response.body)["text"]
                empty += "Nothing is rising" in text_seen
            assert not text_seen.startswith("⚠️"), text_seen  # an error, not an answer
            if n >= WARMUP:
                acks[kind].append((acked - started) * 1000)
                answers[kind].append((answered - started) * 1000)
                core_ms[kind].append(bot.spent * 1000)
        home_ms = time_home(app, fake, args.homes)
        if args.profile:
            profile(bot, asked)

    every_ack = acks["top"] + acks["search"]
    every_answer = answers["top"] + answers["search"]
    result: dict[str, object] = {
        "items": items,
        "stories": n_stories,
        "live_stories": live,
        "requests": len(every_ack),
        "backend": "trendbot.core.Trendbot",
        "model": pipeline.brain.model,
        **build_figures,
        "index_kind": index.kind,
        "index_build_s": round(indexed - loaded, 2),
        "ack_p50_ms": round(statistics.median(every_ack), 1),
        "ack_p99_ms": round(percentile(every_ack, 0.99), 1),
        "answer_p50_ms": round(statistics.median(every_answer), 1),
        "answer_p99_ms": round(percentile(every_answer, 0.99), 1),
        "empty_answers": empty,
        "target_answer_p99_ms": TARGET_MS,
    }
    for kind in ("top", "search"):
        result[f"{kind}_ack_p99_ms"] = round(percentile(acks[kind], 0.99), 1)
        result[f"{kind}_answer_p50_ms"] = round(statistics.median(answers[kind]), 1)
        result[f"{kind}_answer_p99_ms"] = round(percentile(answers[kind], 0.99), 1)
        result[f"{kind}_core_p50_ms"] = round(statistics.median(core_ms[kind]), 1)
        result[f"{kind}_core_p99_ms"] = round(percentile(core_ms[kind], 0.99), 1)
    result["home_p50_ms"] = round(statistics.median(home_ms), 1)
    result["home_p99_ms"] = round(percentile(home_ms, 0.99), 1)
    result["target_met"] = float(str(result["answer_p99_ms"])) <= TARGET_MS
    result["load_avg_1m"] = round(os.getloadavg()[0], 1)

    print(f"store: {items:,} items, {n_stories:,} stories ({live:,} live), {args.data.name}")
    print(f"{len(every_ack)} signed /trend requests through the bolt app, one at a time")
    for kind in ("top", "search"):
        print(
            f"  {kind:6}  ack p50 {statistics.median(acks[kind]):6.1f}  "
            f"p99 {result[f'{kind}_ack_p99_ms']:6.1f}   "
            f"answer p50 {result[f'{kind}_answer_p50_ms']:6.1f}  "
            f"p99 {result[f'{kind}_answer_p99_ms']:6.1f}   "
            f"of which core p50 {result[f'{kind}_core_p50_ms']:6.1f}  "
            f"p99 {result[f'{kind}_core_p99_ms']:6.1f} (ms)"
        )
    print(
        f"  all     ack p50 {result['ack_p50_ms']:6.1f}  p99 {result['ack_p99_ms']:6.1f}   "
        f"answer p50 {result['answer_p50_ms']:6.1f}  p99 {result['answer_p99_ms']:6.1f} (ms)"
    )
    print(
        f"  home    {len(home_ms)} app_home_opened to views.publish: p50 "
        f"{result['home_p50_ms']:6.1f}  p99 {result['home_p99_ms']:6.1f} (ms)"
    )
    verdict = "met" if result["target_met"] else "MISSED"
    print(
        f"target answer p99 <= {TARGET_MS:.0f} ms: {verdict}; {empty} answers found nothing; "
        f"load average {result['load_avg_1m']} on {os.cpu_count()} cores"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
