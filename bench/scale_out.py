"""Do two `trendbot run` workers on one PostgreSQL database do the work faster than one, lose and
double nothing, and take over the feeds of a worker killed with kill -9?

    .venv/bin/python bench/scale_out.py [--items 3000] [--model minilm] [--feeds 6] \
        [--from 2025-10-01] [--data ../shared/data/news_archive_2025.jsonl.gz] [--timeout 900] \
        [--skip-failover] [--no-pin]

A throwaway PostgreSQL server is started with `.ci/pg.sh` (under /tmp, stopped and removed at the
end, whatever happens), and every run gets a database of its own (CREATE DATABASE).

Throughput: the first --items distinct headlines of the news archive from --from on are stored
through `Store.save_items` under one feed (so the measure is processing, not fetching), moved in
time as a whole so that the last one was seen a minute before the bench started (the live window
has stories to score; the same items, same times, for every run). feeds.yaml has no feed, only
the example brand of the repository's feeds.yaml, with `embedding.model` = --model. Then K
workers (K=1, then K=2 on a fresh database) are started as `python -m trendbot.cli ... run
--no-listen`, with OMP/MKL/OPENBLAS/TORCH_NUM_THREADS=1 and, unless --no-pin, each pinned to one
core of its own (sched_setaffinity: one core per worker, as one small machine each would be).
The vector cache is off (TRENDBOT_CACHE=off): no run reads another's vectors.
Time runs from the start of the processes until every item is in a story (`story_items`, polled
every 0.5 s, up to --timeout); model loading counts alike for both. Without it (`after load`):
from the moment every worker has its model (its log says `run.started`, which `run` logs once the
model is loaded) - speedup_2_after_load. The time from the first stored vector on is printed
too, but it leaves out one batch of work per worker (a vector appears when a batch of 256 is
done, on each worker at once), so it flatters two workers. items/s = N / time;
speedup_2 = rate(2) / rate(1).
Checks: lost = N - items in a story; duplicated = story rows beyond one per item + item rows
beyond one per id (0 expected); identical_stories: the stories of the 2-worker run, as sets of
item ids, are those of the 1-worker run.

Failover: a fresh database, --feeds local feeds (poll_minutes 1) served on 127.0.0.1 by a small
HTTP server of the bench (each answer delayed 1.5 s, as a real feed takes time: a worker holds its
claims that long), 2 workers. Once every feed has been fetched, a worker is killed with kill -9 the
moment it is caught holding a feed claim (`feeds.claimed_by`), else the one with the lowest pid.
failover_s = time from the kill until every feed the killed worker had claimed or fetched last
(its log's `feed.fetched` lines) has been fetched again, by the survivor; bounded by 240 s (then
reported as 240 and said so).
Prints ONE JSON line last.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import add_data_argument
from ruamel.yaml import YAML

from trendbot.settings import parse_settings
from trendbot.sources.parse import normalise_title
from trendbot.sources.replay import ARCHIVE_FEED, read_stream
from trendbot.store import Store, from_iso
from trendbot.types import Item

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PG_SH = REPO / ".ci" / "pg.sh"
EXAMPLE = REPO / "feeds.yaml"
POLL = 0.5
SAVE_CHUNK = 500
FEED_DELAY = 1.5  # seconds the local feed server takes to answer
FEED_ITEMS = 4
FAILOVER_TIMEOUT = 240.0
CATCH_S = 90.0  # how long to watch for a worker holding a claim before killing one anyway
STOP_S = 60.0
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TORCH_NUM_THREADS": "1",
}
# variables from the developer's shell that would change what `run` does
OUTSIDE_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "TRENDBOT_CONFIG",
    "TRENDBOT_DB",
    "TRENDBOT_DATABASE_URL",
    "TRENDBOT_SLACK_API_URL",
    "TRENDBOT_LLM_API_KEY",
)
_FETCHED = re.compile(r"^(\S+)\s+info\s+feed\.fetched feed=(\S+)")


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


# -- PostgreSQL -----------------------------------------------------------------------------------


@contextmanager
def postgres() -> Iterator[str]:
    """A throwaway server (`.ci/pg.sh`): its URL; stopped and removed at the end."""
    folder = tempfile.mkdtemp(prefix="tbpg")  # under /tmp: the server's user must reach it
    try:
        started = subprocess.run(
            [str(PG_SH), "start", folder],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            start_new_session=True,  # a Ctrl-C is the bench's to handle, not the server's
        )
        if started.returncode != 0:
            raise SystemExit(f"no PostgreSQL server: {started.stderr.strip()[-500:]}")
        yield started.stdout.strip()
    finally:
        subprocess.run([str(PG_SH), "stop", folder], capture_output=True, timeout=60, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(base: str, name: str) -> str:
    """CREATE DATABASE `name` on the server of `base`; its URL."""
    server = base.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def count(store: Store, sql: str) -> int:
    return int(store.scalar(sql) or 0)


# -- config and items -----------------------------------------------------------------------------


def write_config(
    folder: Path, model: str, *, feeds: Sequence[dict[str, Any]] = (), retention_days: int = 14
) -> Path:
    """feeds.yaml: the repository's example brand, `feeds`, the model; checked before use."""
    example = YAML(typ="safe").load(EXAMPLE.read_text(encoding="utf-8"))
    config = {
        "feeds": list(feeds),
        "brand": example["brand"],
        "embedding": {"model": model},
        "fetch": {"allow_private": True},
        "storage": {"retention_days": retention_days},
    }
    parse_settings(config)
    path = folder / "feeds.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def archive_window(data: Path, start: datetime, size: int, end: datetime) -> list[Item]:
    """The first `size` headlines seen from `start` on that the store keeps apart (distinct id,
    distinct source + normalised title), moved in time so that the last is seen at `end`."""
    seen: set[str] = set()
    items: list[Item] = []
    for item in read_stream(data, start=start):
        keys = (item.id, f"{item.source}\n{normalise_title(item.title)}")
        if any(k in seen for k in keys):
            continue
        seen.update(keys)
        items.append(item)
        if len(items) == size:
            break
    if not items:
        raise SystemExit(f"{data.name}: no headline from {start:%Y-%m-%d} on")
    shift = end - items[-1].seen
    return [replace(i, seen=i.seen + shift, published=i.published + shift) for i in items]


def preload(url: str, items: Sequence[Item]) -> int:
    with Store(url) as store:
        store.ensure_feed(ARCHIVE_FEED, url=f"replay:{ARCHIVE_FEED}")
        for n in range(0, len(items), SAVE_CHUNK):
            store.save_items(ARCHIVE_FEED, items[n : n + SAVE_CHUNK])
        return count(store, "SELECT count(*) FROM items")


# -- workers --------------------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE_ENV}
    return env | ONE_THREAD | {"TRENDBOT_CACHE": "off"}


class Worker:
    """One `trendbot run --no-listen`, its output in a file (a pipe nobody reads would block)."""

    def __init__(self, config: Path, url: str, log: Path, core: int | None) -> None:
        self.log = log
        self.core = core
        args = ["--config", str(config), "--db", url, "--log-level", "info", "run", "--no-listen"]
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "trendbot.cli", *args],
                env=clean_env(),
                cwd=config.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                preexec_fn=self._pin,
                start_new_session=True,  # signals are the bench's to send
            )
        self.pid = self.process.pid
        self.ready_at: float | None = None  # when its log said `run.started` (model loaded)

    def _pin(self) -> None:
        if self.core is not None:
            os.sched_setaffinity(0, {self.core})

    def alive(self) -> bool:
        return self.process.poll() is None

    def cpu_s(self) -> float:
        """User + system CPU seconds so far (from /proc, while it runs)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def count(self, event: str) -> int:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return sum(1 for line in text.splitlines() if f" {event}" in line)

    def fetched(self) -> dict[str, str]:
        """Feed -> the log time of its last `feed.fetched` line in this worker's log."""
        last: dict[str, str] = {}
        for line in self.log.read_text(encoding="utf-8", errors="replace").splitlines():
            if match := _FETCHED.match(line):
                last[match[2]] = match[1]
        return last

    def stop(self) -> int | None:
        """SIGTERM, then kill -9 after STOP_S; the exit status (None if it had to be killed)."""
        if not self.alive():
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_S)
        except subprocess.TimeoutExpired:
            self.kill9()
            return None

    def kill9(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(30)


@contextmanager
def workers(k: int, config: Path, url: str, folder: Path, pin: bool) -> Iterator[list[Worker]]:
    """K workers; whatever still runs at the end (an error, Ctrl-C) is killed."""
    cores = os.cpu_count() or 1
    started: list[Worker] = []
    try:
        for n in range(k):
            log = folder / f"worker{n + 1}.log"
            started.append(Worker(config, url, log, n % cores if pin else None))
        yield started
    finally:
        for worker in started:
            if worker.alive():
                worker.kill9()


def report_exits(runs: Sequence[Worker], codes: Sequence[int | None]) -> list[str]:
    problems = []
    for worker, code in zip(runs, codes, strict=True):
        if code != 0:
            how = "did not stop on SIGTERM (killed)" if code is None else f"exited {code}"
            problems.append(f"worker pid {worker.pid} {how}:\n{worker.tail()}")
    return problems


# -- throughput -----------------------------------------------------------------------------------


@dataclass
class Throughput:
    workers: int
    items: int
    wall_s: float | None  # start -> every item in a story (None: not within the timeout)
    ready_s: float | None  # start -> every worker has its model (`run.started` logged)
    ready_spread_s: float  # between the first and the last worker ready
    first_vector_s: float | None  # start -> the first vector stored
    embedded_s: float | None  # start -> every item has its vector
    stories: int
    lost: int
    duplicated: int
    partition: set[frozenset[str]]
    cpu_s: list[float]
    led_cycles: list[int]
    problems: list[str] = field(default_factory=list)
    load_avg: tuple[float, float] = (0.0, 0.0)

    @property
    def after_load_s(self) -> float | None:
        if self.wall_s is None or self.ready_s is None:
            return None
        return self.wall_s - self.ready_s

    @property
    def after_first_vector_s(self) -> float | None:
        if self.wall_s is None or self.first_vector_s is None:
            return None
        return self.wall_s - self.first_vector_s

    def rate(self, seconds: float | None) -> float | None:
        return self.items / seconds if seconds else None


def throughput(
    base: str, k: int, items: Sequence[Item], model: str, args: argparse.Namespace, tmp: Path
) -> Throughput:
    folder = tmp / f"throughput-{k}"
    folder.mkdir()
    span_days = (items[-1].seen - items[0].seen) / timedelta(days=1)
    config = write_config(folder, model, retention_days=max(14, int(span_days) + 2))
    url = fresh_database(base, f"scale_out_{k}_{os.getpid()}")
    n = preload(url, items)
    if n != len(items):
        print(f"  note: {len(items)} items saved, {n} stored (the store merged some)")
    load_before = load_average()
    problems: list[str] = []
    with Store(url) as store, workers(k, config, url, folder, not args.no_pin) as runs:
        started = time.monotonic()
        first: float | None = None
        embedded_at: float | None = None
        done: float | None = None
        shown = started
        while True:
            now = time.monotonic()
            vectors = count(store, "SELECT count(*) FROM embeddings")
            if first is None and vectors > 0:
                first = now
            if embedded_at is None and vectors >= n:
                embedded_at = now
            for worker in runs:
                if worker.ready_at is None and worker.count("run.started"):
                    worker.ready_at = now
            clustered = count(store, "SELECT count(*) FROM story_items")
            if clustered >= n:
                done = now
                break
            dead = [w for w in runs if not w.alive()]
            if dead:
                problems += [
                    f"worker pid {w.pid} exited {w.process.returncode}:\n{w.tail()}" for w in dead
                ]
                break
            if now - started > args.timeout:
                problems.append(f"not every item in a story after {args.timeout:.0f} s")
                break
            if now - shown >= 10:
                shown = now
                print(
                    f"  {k} worker(s), {now - started:4.0f} s: {vectors} embedded, "
                    f"{clustered} clustered of {n}",
                    file=sys.stderr,
                    flush=True,
                )
            time.sleep(POLL)
        cpu = [w.cpu_s() for w in runs]
        problems += report_exits(runs, [w.stop() for w in runs])
        led = [w.count("cycle.done") for w in runs]
        ready = [w.ready_at for w in runs if w.ready_at is not None]
        in_stories = count(store, "SELECT count(DISTINCT item_id) FROM story_items")
        duplicated = (
            count(store, "SELECT count(*) FROM story_items")
            - in_stories
            + count(store, "SELECT count(*) FROM items")
            - count(store, "SELECT count(DISTINCT id) FROM items")
        )
        members: dict[Any, set[str]] = defaultdict(set)
        for row in store.query("SELECT story_id, item_id FROM story_items"):
            members[row["story_id"]].add(str(row["item_id"]))
    return Throughput(
        workers=k,
        items=n,
        wall_s=None if done is None else done - started,
        ready_s=max(ready) - started if len(ready) == k else None,
        ready_spread_s=max(ready) - min(ready) if len(ready) == k else 0.0,
        first_vector_s=None if first is None else first - started,
        embedded_s=None if embedded_at is None else embedded_at - started,
        stories=len(members),
        lost=n - in_stories,
        duplicated=duplicated,
        partition={frozenset(m) for m in members.values()},
        cpu_s=cpu,
        led_cycles=led,
        problems=problems,
        load_avg=(load_before, load_average()),
    )


def print_throughput(run: Throughput) -> None:
    def secs(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} s"

    def per_s(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} items/s"

    print(
        f"\n{run.workers} worker(s): {run.items} items in {run.stories} stories in "
        f"{secs(run.wall_s)} ({per_s(run.rate(run.wall_s))})"
    )
    print(
        f"  models loaded after {secs(run.ready_s)} (spread {run.ready_spread_s:.1f} s), then "
        f"{secs(run.after_load_s)} ({per_s(run.rate(run.after_load_s))}); first vector after "
        f"{secs(run.first_vector_s)}, then {secs(run.after_first_vector_s)} "
        f"({per_s(run.rate(run.after_first_vector_s))})"
    )
    tail = None if run.wall_s is None or run.embedded_s is None else run.wall_s - run.embedded_s
    print(
        f"  every item embedded after {secs(run.embedded_s)}, in a story {secs(tail)} later "
        "(stories, scores, pitches: the leading worker alone)"
    )
    print(
        f"  CPU s per worker {[round(c, 1) for c in run.cpu_s]}; cycles led (cycle.done) "
        f"{run.led_cycles}; lost {run.lost}, duplicated {run.duplicated}; "
        f"load average {run.load_avg[0]} -> {run.load_avg[1]}"
    )
    for problem in run.problems:
        print(f"  PROBLEM: {problem}")


# -- failover -------------------------------------------------------------------------------------


class FeedServer:
    """Tiny static RSS feeds on 127.0.0.1, one per path /feeds/<name>.rss, answered slowly."""

    def __init__(self, names: Sequence[str]) -> None:
        bodies: dict[str, bytes] = {}
        self.requests: list[tuple[float, str]] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append((time.monotonic(), self.path))
                body = bodies.get(self.path)
                time.sleep(FEED_DELAY)
                try:
                    self.send_response(200 if body else 404)
                    self.send_header("Content-Type", "application/rss+xml")
                    self.send_header("Content-Length", str(len(body or b"")))
                    self.end_headers()
                    self.wfile.write(body or b"")
                except OSError:
                    pass  # the worker asking was killed meanwhile

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        now = datetime.now(UTC)
        for name in names:
            bodies[f"/feeds/{name}.rss"] = self._rss(name, now)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _rss(self, name: str, now: datetime) -> bytes:
        items = "".join(
            f"<item><title>{name}: local headline number {n} about the weekend weather</title>"
            f"<link>{self.base}/{name}/{n}</link><guid>{self.base}/{name}/{n}</guid>"
            f"<pubDate>{format_datetime(now - timedelta(minutes=n), usegmt=True)}</pubDate></item>"
            for n in range(FEED_ITEMS)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>{name}</title><link>{self.base}/</link><description>bench</description>"
            f"{items}</channel></rss>"
        ).encode()

    def url(self, name: str) -> str:
        return f"{self.base}/feeds/{name}.rss"

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Failover:
    seconds: float | None  # None: not within FAILOVER_TIMEOUT
    victim: int
    caught: list[str]  # feeds it was caught holding a claim on
    watched: list[str]  # feeds it had claimed or fetched last
    per_feed: dict[str, float]
    problems: list[str] = field(default_factory=list)


def claims(store: Store) -> list[tuple[str, int]]:
    """(feed, worker pid) of the live feed claims (the worker is host:pid:tag)."""
    now = datetime.now(UTC)
    out = []
    for row in store.query("SELECT name, claimed_by, claimed_until FROM feeds"):
        if row["claimed_by"] and row["claimed_until"] and from_iso(row["claimed_until"]) > now:
            out.append((str(row["name"]), int(str(row["claimed_by"]).split(":")[-2])))
    return out


def failover(base: str, model: str, feeds: int, args: argparse.Namespace, tmp: Path) -> Failover:
    folder = tmp / "failover"
    folder.mkdir()
    names = [f"local-{n + 1}" for n in range(feeds)]
    with FeedServer(names) as server:
        specs = [
            {"name": name, "url": server.url(name), "language": "en", "poll_minutes": 1}
            for name in names
        ]
        config = write_config(folder, model, feeds=specs)
        url = fresh_database(base, f"scale_out_failover_{os.getpid()}")
        with Store(url) as store, workers(2, config, url, folder, not args.no_pin) as runs:
            deadline = time.monotonic() + args.timeout
            while count(store, "SELECT count(*) FROM feeds WHERE last_fetched IS NOT NULL") < feeds:
                if not all(w.alive() for w in runs):
                    dead = next(w for w in runs if not w.alive())
                    raise SystemExit(f"worker pid {dead.pid} exited:\n{dead.tail()}")
                if time.monotonic() > deadline:
                    raise SystemExit(f"the feeds were not all fetched in {args.timeout:.0f} s")
                time.sleep(POLL)
            print(f"  every feed fetched once; watching for a claim (up to {CATCH_S:.0f} s)")
            by_pid = {w.pid: w for w in runs}
            victim: Worker | None = None
            caught: list[str] = []
            watch_until = time.monotonic() + CATCH_S
            while victim is None and time.monotonic() < watch_until:
                held = [(name, pid) for name, pid in claims(store) if pid in by_pid]
                if held:
                    victim = by_pid[held[0][1]]
                    victim.process.kill()  # kill -9, at once: the claim is being held now
                    caught = [name for name, pid in held if pid == victim.pid]
                else:
                    time.sleep(0.05)
            if victim is None:
                victim = min(runs, key=lambda w: w.pid)
                victim.process.kill()
            killed = time.monotonic()
            kill_at = datetime.now(UTC).replace(microsecond=0)
            victim.process.wait(30)
            survivor = next(w for w in runs if w is not victim)
            still = [name for name, pid in claims(store) if pid == victim.pid]
            theirs = victim.fetched()
            spread = {w.pid: w.count("feed.fetched") for w in runs}
            print(f"  fetches so far by worker pid: {spread}")
            others = survivor.fetched()
            last = [name for name, at in theirs.items() if at >= others.get(name, "")]
            watched = sorted(set(caught) | set(still) | set(last)) or list(names)
            print(
                f"  killed pid {victim.pid} "
                f"({'holding claims on ' + ', '.join(caught) if caught else 'no claim caught'}); "
                f"watching {', '.join(watched)}"
            )
            per_feed: dict[str, float] = {}
            while len(per_feed) < len(watched):
                rows = store.query("SELECT name, last_fetched FROM feeds")
                for row in rows:
                    name, when = str(row["name"]), row["last_fetched"]
                    fresh = when is not None and from_iso(str(when)) > kill_at
                    if name in watched and name not in per_feed and fresh:
                        per_feed[name] = time.monotonic() - killed
                if not survivor.alive() or time.monotonic() - killed > FAILOVER_TIMEOUT:
                    break
                time.sleep(0.25)
            problems = report_exits([survivor], [survivor.stop()])
    refetched = survivor.fetched()
    for name in per_feed:
        if refetched.get(name, "") <= theirs.get(name, ""):
            problems.append(f"{name}: fetched again, but not in the survivor's log")
    done = len(per_feed) == len(watched)
    return Failover(
        seconds=max(per_feed.values()) if done and per_feed else None,
        victim=victim.pid,
        caught=caught,
        watched=watched,
        per_feed=per_feed,
        problems=problems,
    )


# -- main -----------------------------------------------------------------------------------------


def _interrupted(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM too: the cleanup (workers, server) runs


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_data_argument(parser, "news_archive_2025.jsonl.gz")
    parser.add_argument("--items", type=int, default=3000, help="items to process (default 3000)")
    parser.add_argument("--model", default="minilm", help="embedding.model (default minilm)")
    parser.add_argument("--feeds", type=int, default=6, help="local feeds for the failover")
    parser.add_argument(
        "--from",
        dest="start",
        type=datetime.fromisoformat,
        default=datetime(2025, 10, 1, tzinfo=UTC),
        help="the archive window starts here (default 2025-10-01)",
    )
    parser.add_argument("--skip-failover", action="store_true", help="throughput only")
    parser.add_argument(
        "--timeout", type=float, default=900.0, help="seconds a run may take (default 900)"
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin each worker to a core of its own"
    )
    args = parser.parse_args(argv)
    if args.items < 1 or args.feeds < 1 or args.timeout <= 0:
        parser.error("--items and --feeds must be at least 1, --timeout positive")
    if args.start.tzinfo is None:
        args.start = args.start.replace(tzinfo=UTC)
    signal.signal(signal.SIGTERM, _interrupted)

    bench_start = datetime.now(UTC).replace(microsecond=0)
    items = archive_window(args.data, args.start, args.items, bench_start - timedelta(minutes=1))
    span = items[-1].seen - items[0].seen
    print(
        f"{args.data.name}: {len(items)} distinct headlines from {args.start:%Y-%m-%d} "
        f"({span / timedelta(days=1):.1f} days, moved to end now); model {args.model}"
    )
    pinned = "each pinned to a core" if not args.no_pin else "not pinned"
    print(
        f"machine: {os.cpu_count()} cores, load average {load_average()}; workers: one thread "
        f"asked by the environment, {pinned}, vector cache off"
    )
    runs: list[Throughput] = []
    result: Failover | None = None
    with tempfile.TemporaryDirectory(prefix="trendbot-scale-out-") as folder, postgres() as base:
        tmp = Path(folder)
        for k in (1, 2):
            run = throughput(base, k, items, args.model, args, tmp)
            print_throughput(run)
            runs.append(run)
        one, two = runs
        if not args.skip_failover:
            print(f"\nfailover: {args.feeds} local feeds, 2 workers")
            result = failover(base, args.model, args.feeds, args, tmp)
            for name, seconds in sorted(result.per_feed.items()):
                print(f"  {name}: fetched again {seconds:.1f} s after the kill")
            if result.seconds is None:
                print(f"  not every feed fetched again within {FAILOVER_TIMEOUT:.0f} s")
            for problem in result.problems:
                print(f"  PROBLEM: {problem}")
    speedup = ratio(two.rate(two.wall_s), one.rate(one.wall_s))
    after_load = ratio(two.rate(two.after_load_s), one.rate(one.after_load_s))
    after_vector = ratio(two.rate(two.after_first_vector_s), one.rate(one.after_first_vector_s))
    identical = one.partition == two.partition
    print(
        f"\nspeedup with 2 workers: {speedup} ({after_load} after model loading, "
        f"{after_vector} after the first vector); stories "
        f"{'identical' if identical else 'DIFFER'} ({one.stories} vs {two.stories}); "
        f"lost {one.lost + two.lost}, duplicated {one.duplicated + two.duplicated}"
    )
    if result is not None:
        seconds = result.seconds if result.seconds is not None else FAILOVER_TIMEOUT
        reached = "" if result.seconds is not None else " (timeout: not reached)"
        print(f"failover: {seconds:.1f} s{reached}")
    failover_s: float | None = None
    if result is not None:
        failover_s = round(result.seconds if result.seconds is not None else FAILOVER_TIMEOUT, 1)

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    print(
        json.dumps(
            {
                "items": one.items,
                "model": args.model,
                "rate_1": rounded(one.rate(one.wall_s)),
                "rate_2": rounded(two.rate(two.wall_s)),
                "speedup_2": speedup,
                "speedup_2_after_load": after_load,
                "lost": one.lost + two.lost,
                "duplicated": one.duplicated + two.duplicated,
                "identical_stories": identical,
                "failover_s": failover_s,
            }
        )
    )


if __name__ == "__main__":
    main()
