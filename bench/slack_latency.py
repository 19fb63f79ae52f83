"""Slack latency: time to ack and to answer `/trend top` and `/trend search` on a full database.

Builds a store of --items items (default 100,000) and their stories from the real headlines of a
news archive (Google News snapshots, jsonl.gz: `seen_at`, `title`, `source`), re-timed onto the
last 14 days; every distinct headline is a story, and the archive is replayed as many times as
needed, each copy under its publisher's "mirror" name so that no copy is deduplicated away. Then it
dispatches --requests signed slash commands (half `top`, half `search` for two words of a random
headline) through the real bolt app, one after the other, as Slack would send them:

    ack      from dispatch to the HTTP response Slack gets (the 3-second limit applies here)
    answer   to the text the person sees: the ack itself for `top`; for `search` (a lazy
             listener) the arrival of the answer at the response URL (a fake Slack server)

The backend is tests/slack_backend.StoreBackend (SQL over the real store) until trendbot.core
exists. The database is cached under /tmp/trendbot-cache/ between runs.

    .venv/bin/python bench/slack_latency.py --data ../shared/data/news_archive_2025.jsonl.gz
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from _data import ArchiveRow, add_data_argument, load_news_archive  # noqa: E402
from fakeslack import TOKEN, FakeSlack  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from slack_backend import MODEL, StoreBackend, make_settings, save_stories  # noqa: E402
from slack_bolt import BoltRequest  # noqa: E402
from slackkit import SECRET, command_body, signed_headers  # noqa: E402

from trendbot.settings import Secrets  # noqa: E402
from trendbot.slack.app import make_app  # noqa: E402
from trendbot.slack.poster import make_client  # noqa: E402
from trendbot.store import Store  # noqa: E402
from trendbot.store.db import iso  # noqa: E402
from trendbot.types import Item, StoryView  # noqa: E402

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
SPAN = timedelta(days=14)
CACHE = Path("/tmp/trendbot-cache")
TARGET_MS = 300.0
WARMUP = 20
WORD = re.compile(r"[A-Za-z]{4,}")


def build_store(rows: list[ArchiveRow], n_items: int, path: Path) -> tuple[int, int]:
    """Items and stories from the archive rows; returns (items, stories) stored."""
    sightings = list({(r.title, r.source): r for r in rows}.values())  # same pair: same item
    t0, t1 = rows[0].seen_at, rows[-1].seen_at
    start = NOW - SPAN
    story_of: dict[str, int] = {}
    labels: dict[int, str] = {}
    items: list[Item] = []
    links: list[tuple[str, str, int]] = []
    seen: dict[int, list[datetime]] = {}
    for n in range(n_items):
        row = sightings[n % len(sightings)]
        copy = n // len(sightings)
        story_id = story_of.setdefault(row.title.casefold(), len(story_of) + 1)
        labels.setdefault(story_id, row.title)
        when = start + SPAN * ((row.seen_at - t0) / max(t1 - t0, 1)) + timedelta(minutes=7 * copy)
        when = min(when, NOW)
        source = row.source if copy == 0 else f"{row.source} (mirror {copy})"
        item = Item(
            feed="test-feed",
            guid=f"a{n}",
            url=f"https://archive.example.org/{n}",
            title=row.title,
            summary="",
            published=when,
            seen=when,
            language="en",
            source=source,
        )
        items.append(item)
        links.append((item.id, MODEL, story_id))
        seen.setdefault(story_id, []).append(when)
    stories = []
    for story_id, label in labels.items():
        times = sorted(seen[story_id])
        hours_old = (NOW - times[-1]).total_seconds() / 3600
        score = len(times) * math.exp(-hours_old / 12)
        why = {"why_now": f"{len(times)} sources", "sparkline": "▁▂▃▅▇"}
        state = "rising" if hours_old < 6 else "fading"
        stories.append(
            (story_id, MODEL, label, iso(times[0]), iso(times[-1]), len(times), len(times),
             state, score, json.dumps(why))
        )  # fmt: skip
    with Store(path) as store:
        store.ensure_feed("test-feed", url="https://archive.example.org/rss")
        save_stories(store, items, stories, links)
        return store.item_count(), int(store.scalar("SELECT count(*) FROM stories"))


class TimedBackend(StoreBackend):
    """The backend, with the time spent in it: what is left of an answer is the Slack layer's."""

    spent = 0.0

    def top_stories(self, n: int = 5, theme: str | None = None) -> list[StoryView]:
        started = time.perf_counter()
        try:
            return super().top_stories(n, theme)
        finally:
            self.spent += time.perf_counter() - started

    def search(self, words: str, k: int = 5) -> list[StoryView]:
        started = time.perf_counter()
        try:
            return super().search(words, k)
        finally:
            self.spent += time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--items", type=int, default=100_000, help="items in the store")
    parser.add_argument("--requests", type=int, default=500, help="slash commands to time")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rebuild", action="store_true", help="ignore the cached database")
    args = parser.parse_args()

    rows = sorted(load_news_archive(args.data), key=lambda r: r.seen_at)
    stat = args.data.stat()
    schema = (ROOT / "trendbot" / "store" / "migrations.py").read_bytes()
    schema += Path(__file__).read_bytes()  # a new way of building: a new database
    key = hashlib.sha1(
        f"{args.data.name}:{stat.st_size}:{stat.st_mtime}:{args.items}".encode() + schema
    ).hexdigest()[:12]
    db = CACHE / f"slack_latency-{key}.db"
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.rebuild or not db.exists():
        for stale in CACHE.glob(f"slack_latency-{key}.db*"):
            stale.unlink()
        started = time.perf_counter()
        build_store(rows, args.items, db)
        print(f"built {db} in {time.perf_counter() - started:.1f} s")

    rng = random.Random(args.seed)
    queries = []
    for n in range(args.requests + WARMUP):
        if n % 2 == 0:
            queries.append(("top", rng.choice(["top", "top 10", "top 20"])))
        else:
            words = [w for w in WORD.findall(rng.choice(rows).title)] or ["news"]
            picked = rng.sample(words, min(2, len(words)))
            queries.append(("search", "search " + " ".join(picked)))

    secrets = Secrets(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET))
    acks: dict[str, list[float]] = {"top": [], "search": []}
    answers: dict[str, list[float]] = {"top": [], "search": []}
    slack_ms: dict[str, list[float]] = {"top": [], "search": []}
    empty = 0
    with FakeSlack() as fake, Store(db) as store:
        items = store.item_count()
        n_stories = int(store.scalar("SELECT count(*) FROM stories"))
        backend = TimedBackend(make_settings(), store, clock=lambda: NOW)
        client = make_client(secrets, base_url=fake.url)
        app = make_app(backend, secrets, client=client)  # as in production: acks never wait
        for n, (kind, text) in enumerate(queries):
            url = fake.response_url(f"q{n}")
            body = command_body(text, response_url=url)
            request = BoltRequest(body=body, headers=signed_headers(body))
            responses = len(fake.calls("response"))
            backend.spent = 0.0
            started = time.perf_counter()
            response = app.dispatch(request)
            acked = time.perf_counter()
            assert response.status == 200, response.body
            if kind == "search":
                answer = fake.wait_for("response", responses + 1, timeout=30)[responses]
                answered = answer.at
                empty += "No story about" in answer.args.get("text", "")
            else:
                answered = acked
                empty += "Nothing is rising" in json.loads(response.body)["text"]
            if n >= WARMUP:
                acks[kind].append((acked - started) * 1000)
                answers[kind].append((answered - started) * 1000)
                slack_ms[kind].append((answered - started - backend.spent) * 1000)

    every_ack = acks["top"] + acks["search"]
    every_answer = answers["top"] + answers["search"]
    result = {
        "items": items,
        "stories": n_stories,
        "requests": len(every_ack),
        "backend": "tests/slack_backend.StoreBackend",
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
        result[f"{kind}_slack_layer_p50_ms"] = round(statistics.median(slack_ms[kind]), 1)
        result[f"{kind}_slack_layer_p99_ms"] = round(percentile(slack_ms[kind], 0.99), 1)
    result["target_met"] = result["answer_p99_ms"] <= TARGET_MS

    print(f"store: {items:,} items, {n_stories:,} stories ({args.data.name}, re-timed)")
    print(f"{len(every_ack)} signed /trend requests through the bolt app, one at a time")
    for kind in ("top", "search"):
        print(
            f"  {kind:6}  ack p50 {statistics.median(acks[kind]):6.1f}  "
            f"p99 {result[f'{kind}_ack_p99_ms']:6.1f}   "
            f"answer p50 {result[f'{kind}_answer_p50_ms']:6.1f}  "
            f"p99 {result[f'{kind}_answer_p99_ms']:6.1f}   "
            f"of which Slack layer p50 {result[f'{kind}_slack_layer_p50_ms']:5.1f}  "
            f"p99 {result[f'{kind}_slack_layer_p99_ms']:5.1f} (ms)"
        )
    print(
        f"  all     ack p50 {result['ack_p50_ms']:6.1f}  p99 {result['ack_p99_ms']:6.1f}   "
        f"answer p50 {result['answer_p50_ms']:6.1f}  p99 {result['answer_p99_ms']:6.1f} (ms)"
    )
    verdict = "met" if result["target_met"] else "MISSED"
    print(f"target answer p99 <= {TARGET_MS:.0f} ms: {verdict}; {empty} answers found nothing")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
