"""How soon after the item that makes a story cross the bar does a real `trendbot run` pitch it?

    .venv/bin/python bench/live_latency.py [--runs 3] [--gap 20] [--poll 1]

A local feed server (tests/feedserver.py, 127.0.0.1) serves one RSS feed per publisher: at first
a few everyday headlines each, then, every `--gap` seconds, one more publisher runs a headline
about the same event (a Paris heatwave, on the brand theme of tests/headlines.py). A real
`trendbot run` subprocess polls the feeds every `--poll` minutes, without Slack, pitches going
to the terminal; the cadence lets a pitch out at once (`queue_minutes: 0`, no quiet hours).

When the pitch appears in the database (polled every 0.5 s), the story crossed with the last
fetch that brought some of its items before the pitch; of those items, the one served first is
taken as the one that made it cross (the least favourable reading). Latency is from the moment
the server began to serve it to the pitch being there to read (`fetch_s` until the item was
stored, to the second, `process_s` from then on). The target is one poll interval + 60 s.
Everything it starts (the server thread, the run process) it ends; every wait is bounded. Ends
with one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from feedserver import FeedServer, Response  # noqa: E402
from headlines import HEATWAVE, NOISE, THEMES  # noqa: E402

STARTUP_S = 240.0  # the run loads its model and fetches every feed once within this


def rss(publisher: str, items: list[tuple[str, str, datetime]]) -> bytes:
    """(guid, title, published) as RSS 2.0, newest first; the channel names the publisher."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><guid isPermaLink='false'>{guid}</guid>"
        f"<link>https://example.org/{guid}</link>"
        f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate></item>"
        for guid, title, published in sorted(items, key=lambda i: i[2], reverse=True)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
        f"<title>{escape(publisher)}</title><link>https://example.org/</link>"
        "<description>d</description>"
        f"{entries}</channel></rss>"
    ).encode()


class Feeds:
    """One feed per publisher on the local server; `publish` adds an item to one of them."""

    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.items: dict[str, list[tuple[str, str, datetime]]] = {}
        self.served_at: dict[str, float] = {}  # guid -> when the server began to serve it

    def path(self, publisher: int) -> str:
        return f"/pub{publisher}.rss"

    def publish(self, publisher: int, guid: str, title: str, published: datetime) -> None:
        items = self.items.setdefault(self.path(publisher), [])
        items.append((guid, title, published))
        body = rss(HEATWAVE[publisher][0], items)
        headers = {"Content-Type": "application/rss+xml", "ETag": f'"{len(items)}"'}
        self.server.route(self.path(publisher), Response(body=body, headers=headers))
        self.served_at[guid] = time.time()


def write_config(folder: Path, feeds: Feeds, publishers: int, poll: int, model: str) -> Path:
    config = {
        "feeds": [
            {
                "name": HEATWAVE[i][0],
                "url": feeds.server.url(feeds.path(i)),
                "language": "fr",
                "poll_minutes": poll,
            }
            for i in range(publishers)
        ],
        "brand": {
            "name": "Maison Brioche",
            "language": "fr",
            "themes": THEMES,
            "cadence": {"queue_minutes": 0, "quiet_hours": None, "max_per_day": 50},
        },
        "embedding": {"model": model},
        "fetch": {"allow_private": True},
    }
    path = folder / "feeds.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []  # tables not there yet
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(condition: Any, timeout: float, proc: subprocess.Popen[bytes]) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if (value := condition()) or proc.poll() is not None:
            return value
        time.sleep(0.5)
    return None


def one_run(folder: Path, *, publishers: int, gap: float, poll: int, model: str) -> dict[str, Any]:
    with FeedServer() as server:
        feeds = Feeds(server)
        start = datetime.now(UTC)
        for i in range(publishers):  # the everyday stream the story stands out from
            when = start - timedelta(hours=3, minutes=10 * i)
            feeds.publish(i, f"noise-{i}", NOISE[i % len(NOISE)], when)
        config = write_config(folder, feeds, publishers, poll, model)
        db = folder / "trendbot.db"
        log = folder / "run.log"
        args = ["--config", str(config), "--db", str(db), "run", "--port", str(free_port())]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TRENDBOT_"))}
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "trendbot.cli", *args],
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            noise = sum(len(v) for v in feeds.items.values())
            ready = wait_for(
                lambda: (
                    query(db, "SELECT count(*) FROM story_items")[0][0] >= noise
                    if query(db, "SELECT count(*) FROM story_items")
                    else 0
                ),
                STARTUP_S,
                proc,
            )
            if not ready:
                return {"error": "the run did not process the first fetch", "log": tail(log)}
            story_start = time.time()
            for i in range(publishers):  # one more publisher on the story every `gap` seconds
                title = HEATWAVE[i][1]
                feeds.publish(i, f"story-{i}", title, datetime.now(UTC))
                pitched = wait_for(
                    lambda: query(db, "SELECT story_id, created FROM pitches"), gap, proc
                )
                if pitched:
                    break
            else:
                pitched = wait_for(
                    lambda: query(db, "SELECT story_id, created FROM pitches"),
                    poll * 60 + 120,
                    proc,
                )
            if not pitched:
                return {"error": "no pitch", "log": tail(log)}
            seen_at = time.time()  # when the pitch was there to read (polled every 0.5 s)
            story_id, created = pitched[0]
            # the cycle stamps a pitch with its start; it is readable once the cycle commits
            pitched_at = max(seen_at - 0.5, datetime.fromisoformat(created).timestamp())
            # the newest story item stored before the pitch: the one that made it cross
            items = query(
                db,
                "SELECT i.guid, i.first_seen FROM story_items s JOIN items i ON i.id = s.item_id"
                " WHERE s.story_id = ? ORDER BY i.first_seen",
                (story_id,),
            )
            before = [(g, datetime.fromisoformat(t).timestamp()) for g, t in items]
            before = [(g, t) for g, t in before if t <= pitched_at and g.startswith("story-")]
            # the story crossed with the last fetch that brought some of them; of the items that
            # fetch brought, count from the one served first (the least favourable reading)
            last_fetch = max(t for _, t in before)
            batch = [(g, t) for g, t in before if t >= last_fetch - 5]
            guid, stored_at = min(batch, key=lambda b: feeds.served_at[b[0]])
            served = feeds.served_at[guid]
            return {
                "latency_s": round(pitched_at - served, 1),
                "fetch_s": round(stored_at - served, 1),
                "process_s": round(pitched_at - stored_at, 1),
                "bound_s": poll * 60 + 60,
                "publishers_when_pitched": len(before),
                "story_start_to_pitch_s": round(pitched_at - story_start, 1),
            }
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(30)


def tail(log: Path, lines: int = 15) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--publishers", type=int, default=len(HEATWAVE))
    parser.add_argument("--gap", type=float, default=25.0, help="seconds between publishers")
    parser.add_argument("--poll", type=int, default=1, help="poll_minutes of every feed")
    parser.add_argument("--model", default="use-multilingual")
    args = parser.parse_args(argv)
    results = []
    for n in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="trendbot-live-") as tmp:
            r = one_run(
                Path(tmp),
                publishers=args.publishers,
                gap=args.gap,
                poll=args.poll,
                model=args.model,
            )
        print(f"run {n + 1}: {r}")
        results.append(r)
    latencies = [r["latency_s"] for r in results if "latency_s" in r]
    bound = args.poll * 60 + 60
    summary = {
        "runs": args.runs,
        "pitched": len(latencies),
        "latency_s": latencies,
        "median_latency_s": statistics.median(latencies) if latencies else None,
        "max_latency_s": max(latencies) if latencies else None,
        "bound_s": bound,
        "within_bound": bool(latencies) and len(latencies) == args.runs and max(latencies) <= bound,
    }
    print(json.dumps(summary))
    return 0 if summary["within_bound"] else 1


if __name__ == "__main__":
    sys.exit(main())
