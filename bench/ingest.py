"""How fast is one fetch cycle, cold (every item new) and warm (every feed answers 304)?

    .venv/bin/python bench/ingest.py [--feeds 200] [--items 50] [--concurrency 8] \
        [--data ../shared/data/news_archive_2025.jsonl.gz] [--profile]

Builds N Google-News-like RSS 2.0 feeds of M items each from real headlines (the first sighting
of each distinct title in the archive, in file order, so no two items share a headline while the
archive has enough), each feed with a stable ETag and Last-Modified, and serves them from a
ThreadingHTTPServer on 127.0.0.1 in a thread (gzip when asked, 304 to a matching conditional GET;
links, guids and publisher site URLs are made up). A real pipeline (`make_pipeline`, a fresh
SQLite file in a temp dir) then runs:

- cold: `fetch(force=True)` on the empty database: fetch + parse + store of every item;
- warm: `fetch(force=True)` again, every feed answering 304 (the median of --warm-runs runs).

Then the parts of a cold cycle alone, over the same documents: fetching them (no validators, no
parsing), parsing them (`parse_feed`, one thread) and storing the parsed items in another fresh
database (`Store.save_items`). parse_share = parse_s / cold_s says whether a cold cycle is
limited by parsing or by waiting. --profile prints where a warm cycle's main thread spends its
time, and where one fetch thread does (cProfile sees one thread at a time).

Each time is given as wall clock and as this process's CPU time: on a shared, busy machine the
CPU shares are the steadier figures (the load average is printed too). The server counts its
connections, to show whether the fetcher reuses them. Prints ONE JSON line last.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import hashlib
import io
import json
import os
import pstats
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape, quoteattr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import ArchiveRow, add_data_argument, load_news_archive

from trendbot.cycle import FeedReport, Pipeline, make_pipeline
from trendbot.settings import Settings, parse_settings
from trendbot.sources.fetch import Fetcher, FetchError, FetchRequest
from trendbot.sources.parse import parse_feed
from trendbot.store import Store
from trendbot.types import FeedInfo, utcnow

CONTENT_TYPE = "application/rss+xml; charset=UTF-8"
WARM_TARGET_S = 2.0  # the target for a warm cycle of 200 feeds
T = TypeVar("T")


# -- the feeds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    path: str
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: str


def distinct_headlines(rows: Sequence[ArchiveRow], count: int) -> tuple[list[ArchiveRow], int]:
    """`count` rows, the first sighting of each distinct title in file order, cycling through
    them again when the archive has fewer; and how many distinct titles there were."""
    seen: set[str] = set()
    firsts = []
    for row in rows:
        if row.title not in seen:
            seen.add(row.title)
            firsts.append(row)
    if not firsts:
        raise SystemExit("no headlines in the data file")
    return [firsts[i % len(firsts)] for i in range(count)], len(firsts)


def _site(publisher: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "", publisher.lower()) or "news"
    return f"https://www.{slug}.com"


def render_feed(index: int, rows: Sequence[ArchiveRow]) -> bytes:
    """One feed in the shape of Google News RSS: "Headline - Publisher", <source>, HTML blurb."""
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        "<generator>NFE/5.0</generator>"
        f"<title>Bench feed {index} - Google News</title>"
        f"<link>https://news.google.com/topics/bench{index}?hl=en-US&amp;gl=US&amp;ceid=US:en</link>"
        "<language>en-US</language><webMaster>news-webmaster@google.com</webMaster>"
        f"<lastBuildDate>{formatdate(max(r.seen_at for r in rows), usegmt=True)}</lastBuildDate>"
        "<description>Google News</description>"
    ]
    for n, row in enumerate(rows):
        token = hashlib.sha1(f"{index}/{n}/{row.title}".encode()).hexdigest()
        link = f"https://news.google.com/rss/articles/CBMi{token}?oc=5"
        title = f"{row.title} - {row.source}" if row.source else row.title
        blurb = (
            f'<a href="{link}" target="_blank">{escape(row.title)}</a>'
            f'&nbsp;&nbsp;<font color="#6f6f6f">{escape(row.source)}</font>'
        )
        out.append(
            f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
            f'<guid isPermaLink="false">CBMi{token}</guid>'
            f"<pubDate>{formatdate(row.seen_at, usegmt=True)}</pubDate>"
            f"<description>{escape(blurb)}</description>"
            f"<source url={quoteattr(_site(row.source))}>{escape(row.source)}</source></item>"
        )
    out.append("</channel></rss>")
    return "".join(out).encode("utf-8")


def make_documents(rows: Sequence[ArchiveRow], feeds: int, items: int) -> list[Document]:
    documents = []
    for index in range(feeds):
        chunk = rows[index * items : (index + 1) * items]
        body = render_feed(index, chunk)
        documents.append(
            Document(
                path=f"/feeds/{index:04d}.rss",
                body=body,
                gzipped=gzip.compress(body, compresslevel=6, mtime=0),
                etag='"' + hashlib.sha1(body).hexdigest()[:16] + '"',
                last_modified=formatdate(max(r.seen_at for r in chunk), usegmt=True),
            )
        )
    return documents


# -- the server -----------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # the default backlog (5) drops SYNs when 8 fetchers connect at once: 1 s retransmit stalls
    request_queue_size = 128
    documents: dict[str, Document]

    def server_activate(self) -> None:
        super().server_activate()
        self.counts: Counter[str] = Counter()  # connections, requests, 304
        self.counts_lock = threading.Lock()

    def count(self, what: str) -> None:
        with self.counts_lock:
            self.counts[what] += 1


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real feed servers
    disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms delayed-ACK stall
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        self.server.count("connections")
        super().handle()

    def do_GET(self) -> None:
        self.server.count("requests")
        doc = self.server.documents.get(self.path)
        if doc is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if _not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"), doc
        ):
            self.server.count("304")
            self.send_response(304)
            self.send_header("ETag", doc.etag)
            self.send_header("Last-Modified", doc.last_modified)
            self.end_headers()
            return
        body = doc.body
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("ETag", doc.etag)
        self.send_header("Last-Modified", doc.last_modified)
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            body = doc.gzipped
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, doc: Document) -> bool:
    if if_none_match:
        return doc.etag in [tag.strip() for tag in if_none_match.split(",")]
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
            return parsedate_to_datetime(doc.last_modified) <= since
        except (TypeError, ValueError):
            return False
    return False


@contextmanager
def serve(documents: Sequence[Document]) -> Iterator[_Server]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.documents = {d.path: d for d in documents}
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def base_url(server: _Server) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


# -- the measures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float  # this process's CPU time, all threads (the server's too): steadier on a busy host


def timed(work: Callable[[], T]) -> tuple[T, Timing]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, Timing(time.perf_counter() - wall, time.process_time() - cpu)


def bench_settings(url: str, documents: Sequence[Document], concurrency: int) -> Settings:
    return parse_settings(
        {
            "feeds": [
                {"name": f"bench-{i:04d}", "url": url + d.path} for i, d in enumerate(documents)
            ],
            "brand": {"name": "Bench", "themes": [{"name": "news", "description": "news"}]},
            "fetch": {"allow_private": True, "concurrency": concurrency, "timeout": 30},
        }
    )


def check(reports: Sequence[FeedReport], status: str, what: str) -> None:
    wrong = [r for r in reports if r.status != status]
    if wrong:
        r = wrong[0]
        raise SystemExit(
            f"{what}: {len(wrong)} of {len(reports)} feeds were {r.status!r}, expected "
            f"{status!r} (first: {r.feed}: {r.detail or r.status})"
        )


def fetch_only(settings: Settings, concurrency: int) -> tuple[int, Timing]:
    """Every document fetched in full, as in a cold cycle, with nothing done with it: the wait."""
    requests = [FetchRequest(key=f.name, url=f.url) for f in settings.news_feeds]
    with Fetcher(allow_private=True, concurrency=concurrency, timeout=30) as fetcher:
        results, timing = timed(lambda: list(fetcher.fetch_many(requests)))
    errors = [r for _, r in results if isinstance(r, FetchError)]
    if errors:
        raise SystemExit(f"fetch alone: {len(errors)} feeds failed (first: {errors[0]})")
    return sum(len(r.content or b"") for _, r in results if not isinstance(r, FetchError)), timing


def parse_only(settings: Settings, documents: Sequence[Document]) -> tuple[list[FeedInfo], Timing]:
    now = utcnow()
    return timed(
        lambda: [
            parse_feed(d.body, url=f.url, feed=f.name, seen=now, content_type=CONTENT_TYPE)
            for f, d in zip(settings.news_feeds, documents, strict=True)
        ]
    )


def store_only(settings: Settings, infos: Sequence[FeedInfo], db: Path) -> tuple[int, Timing]:
    """The items saved as the pipeline saves them, one transaction a feed, into an empty file."""
    with Store(db) as store:
        store.sync_feeds(settings.news_feeds)
        return timed(
            lambda: sum(
                store.save_items(f.name, info.items, feed_fields={"title": info.title}).new
                for f, info in zip(settings.news_feeds, infos, strict=True)
            )
        )


def profile_warm(pipeline: Pipeline, settings: Settings, top: int = 18) -> None:
    """Where a warm cycle's time goes: the main thread (store, bookkeeping, waiting on futures)
    through the real cycle, and the fetch threads' share through the same 304 GETs in sequence."""
    profiler = cProfile.Profile()
    profiler.runcall(pipeline.fetch, force=True)
    _print_profile("warm cycle, main thread", profiler, top)
    rows = {r.name: r for r in pipeline.store.feed_rows()}
    fetcher = pipeline.fetcher
    profiler = cProfile.Profile()
    started = time.perf_counter()
    for f in settings.news_feeds:
        row = rows[f.name]
        profiler.runcall(fetcher.fetch, f.url, etag=row.etag, last_modified=row.last_modified)
    seconds = time.perf_counter() - started
    print(f"\n{len(rows)} conditional GETs one after another: {seconds:.2f} s")
    _print_profile("what one fetch thread does (304 GETs in sequence)", profiler, top)


def _print_profile(title: str, profiler: cProfile.Profile, top: int) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    lines = out.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "function calls" in line), 0)
    print(f"\n-- {title} (by own time) --")
    print("\n".join(line for line in lines[start:] if line.strip()))


# -- main -----------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--feeds", type=int, default=200, help="number of feeds (default 200)")
    parser.add_argument("--items", type=int, default=50, help="items a feed (default 50)")
    parser.add_argument("--concurrency", type=int, default=8, help="fetches at once (default 8)")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm cycles, median (default 3)")
    parser.add_argument("--profile", action="store_true", help="cProfile a warm cycle")
    args = parser.parse_args(argv)
    if args.feeds < 1 or args.items < 1 or args.warm_runs < 1:
        parser.error("--feeds, --items and --warm-runs must be at least 1")

    rows, distinct = distinct_headlines(load_news_archive(args.data), args.feeds * args.items)
    documents = make_documents(rows, args.feeds, args.items)
    served = sum(len(d.body) for d in documents)
    print(
        f"{args.data.name}: {distinct} distinct headlines; {args.feeds} feeds x {args.items} "
        f"items = {args.feeds * args.items} items, {served / 2**20:.1f} MiB of RSS "
        f"({sum(len(d.gzipped) for d in documents) / 2**20:.1f} MiB gzipped)"
    )
    if distinct < args.feeds * args.items:
        print(f"  (only {distinct} distinct headlines: some repeat, under other links)")
    load = os.getloadavg()[0]
    print(
        f"machine: {os.cpu_count()} cores, load average {load:.1f}; concurrency {args.concurrency}"
    )

    with tempfile.TemporaryDirectory(prefix="trendbot-bench-") as tmp, serve(documents) as server:
        settings = bench_settings(base_url(server), documents, args.concurrency)
        pipeline, setup = timed(lambda: make_pipeline(settings, db=str(Path(tmp) / "cold.db")))
        with pipeline:
            reports, cold = timed(lambda: pipeline.fetch(force=True))
            check(reports, "ok", "cold cycle")
            cold_counts = Counter(server.counts)
            new = sum(r.new for r in reports)
            warm_runs = []
            for _ in range(args.warm_runs):
                reports, timing = timed(lambda: pipeline.fetch(force=True))
                check(reports, "not modified", "warm cycle")
                warm_runs.append(timing)
            warm_counts = Counter(server.counts) - cold_counts
            if args.profile:
                profile_warm(pipeline, settings)
        fetched, fetch = fetch_only(settings, args.concurrency)
        infos, parse = parse_only(settings, documents)
        stored, store = store_only(settings, infos, Path(tmp) / "store.db")

    items = args.feeds * args.items
    parsed = sum(len(i.items) for i in infos)
    warm = sorted(warm_runs, key=lambda t: t.wall)[len(warm_runs) // 2]  # the median run
    print(
        f"\nserver: cold cycle {cold_counts['requests']} requests over "
        f"{cold_counts['connections']} connections; {len(warm_runs)} warm cycles "
        f"{warm_counts['requests']} requests ({warm_counts['304']} answered 304) over "
        f"{warm_counts['connections']} connections"
    )
    print(f"pipeline set-up (feeds table for {args.feeds} feeds): {setup.wall:6.2f} s")
    print(
        f"cold cycle (fetch + parse + store): {cold.wall:6.2f} s (CPU {cold.cpu:5.2f} s)  "
        f"{new} new items, {new / cold.wall:,.0f} items/s, {args.feeds / cold.wall:,.0f} feeds/s"
    )
    print(
        f"warm cycle (all 304), median of {len(warm_runs)}: {warm.wall:6.2f} s "
        f"(CPU {warm.cpu:5.2f} s)  {args.feeds / warm.wall:,.0f} feeds/s  "
        f"(runs: {', '.join(f'{t.wall:.2f}' for t in warm_runs)} s)"
    )
    verdict = "meets" if warm.wall < WARM_TARGET_S else "misses"
    print(f"  {verdict} the target: a warm cycle of 200 feeds under {WARM_TARGET_S:g} s")
    print("a cold cycle's parts, each alone over the same documents:")
    parts = {
        "fetch": (fetch, f"{fetched / 2**20:.1f} MiB, {args.concurrency} at once, nothing done"),
        "parse": (parse, f"{parsed} items, {parsed / parse.wall:,.0f} items/s, one thread"),
        "store": (store, f"{stored} new items, {stored / store.wall:,.0f} items/s"),
    }
    for name, (t, what) in parts.items():
        print(
            f"  {name}  {t.wall:6.2f} s (CPU {t.cpu:5.2f} s)  {t.wall / cold.wall:4.0%} "
            f"of the cold cycle  ({what})"
        )
    rest = cold.wall - parse.wall - store.wall
    print(
        f"  rest   {rest:6.2f} s  cold - parse - store: waiting not hidden behind parsing, "
        "per-feed bookkeeping, threads contending for the GIL"
    )
    print(
        f"  by CPU time: parse {parse.cpu / cold.cpu:.0%}, store {store.cpu / cold.cpu:.0%}, "
        f"fetch {fetch.cpu / cold.cpu:.0%} of the cold cycle's {cold.cpu:.2f} s"
    )
    shares = {"parsing": parse.wall, "storing": store.wall, "waiting": fetch.wall, "the rest": rest}
    limit = max(shares, key=lambda name: shares[name])
    print(f"  -> a cold cycle is limited by {limit} (waiting alone is {fetch.wall:.2f} s)")

    print(
        json.dumps(
            {
                "data": args.data.name,
                "feeds": args.feeds,
                "items": items,
                "cold_s": round(cold.wall, 3),
                "warm_s": round(warm.wall, 3),
                "cold_items_per_s": round(new / cold.wall, 1),
                "parse_s": round(parse.wall, 3),
                "parse_share": round(parse.wall / cold.wall, 3),
                "parse_cpu_share": round(parse.cpu / cold.cpu, 3),
                "warm_feeds_per_s": round(args.feeds / warm.wall, 1),
                "new_items": new,
                "concurrency": args.concurrency,
                "fetch_s": round(fetch.wall, 3),
                "store_s": round(store.wall, 3),
                "setup_s": round(setup.wall, 3),
                "cold_cpu_s": round(cold.cpu, 3),
                "warm_cpu_s": round(warm.cpu, 3),
                "parse_cpu_s": round(parse.cpu, 3),
                "store_cpu_s": round(store.cpu, 3),
                "warm_runs_s": [round(t.wall, 3) for t in warm_runs],
                "warm_connections_per_cycle": round(warm_counts["connections"] / len(warm_runs), 1),
                "load_avg": round(load, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
