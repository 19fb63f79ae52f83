"""`trendbot run` as real processes: one per database, a clean stop on SIGTERM / SIGINT, and
kill -9 at any point of a cycle never loses an item nor posts a card twice.

Each test starts `python -m trendbot.cli ... run` on a real SQLite file, against the feed server
(tests/feedserver.py) and, with Slack on, the fake Slack Web API (tests/fakeslack.py). State is
read back from the database and from what the fake received, polling every 0.2 s up to a bound.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from fakeslack import TOKEN, FakeSlack
from feedserver import FeedServer, Response
from headlines import THEMES

from trendbot.errors import LockedError
from trendbot.scheduler import LEASE, LEASE_TTL, lease_status, take_lease
from trendbot.slack.cards import PITCH_EVENT
from trendbot.store import Store
from trendbot.types import utcnow

T = TypeVar("T")

FEED = Path(__file__).parent / "data" / "run" / "heatwave.rss"
FEED_ITEMS = FEED.read_text(encoding="utf-8").count("<item>")
CHANNEL = "C0TREND"
POLL = 0.2
STARTED = 90.0  # seconds a run may take to come up (imports, migrations) on a busy machine
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


# the fixture feed, the config, the environment ----------------------------------------------


def feed_body(now: datetime) -> bytes:
    """heatwave.rss with its pubDates (minutes before now) made real dates."""

    def date(match: re.Match[str]) -> str:
        when = now - timedelta(minutes=int(match[1]))
        return f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>"

    text = FEED.read_text(encoding="utf-8")
    return re.sub(r"<pubDate>(\d+)</pubDate>", date, text).encode("utf-8")


def serve_feed(server: FeedServer, *, delay: float = 0.0) -> str:
    body = feed_body(utcnow())
    headers = {"Content-Type": "application/rss+xml"}
    return server.route("/run/heatwave.rss", Response(body=body, headers=headers, delay=delay))


def write_config(
    folder: Path,
    *,
    feed_url: str | None = None,
    channel: str = "",
    feeds: dict[str, str] | None = None,
    fetch: dict[str, Any] | None = None,
) -> Path:
    """feeds.yaml: the `actu` feed at `feed_url` (or `feeds`, name -> url), polled each minute."""
    urls = feeds or ({"actu": feed_url} if feed_url else {})
    config = {
        "feeds": [
            {"name": name, "url": url, "language": "fr", "poll_minutes": 1}
            for name, url in urls.items()
        ],
        "brand": {
            "name": "Maison Brioche",
            "language": "fr",
            "voice": "Chaleureuse et gourmande.",
            "themes": THEMES,
            # pitches go out at once and at any hour, whenever the test runs
            # (and the bars are low: this is about crash safety, not about which story is worth it)
            "cadence": {
                "queue_minutes": 0,
                "quiet_hours": None,
                "min_score": 1.0,
                "min_relevance": 0.1,
            },
        },
        "slack": {"channel": channel},
        "fetch": {"allow_private": True, **(fetch or {})},
    }
    path = folder / "feeds.yaml"
    path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE_ENV}
    return env | extra


def slack_env(fake: FakeSlack) -> dict[str, str]:
    return clean_env(
        SLACK_BOT_TOKEN=TOKEN,
        SLACK_SIGNING_SECRET="not-so-secret",
        TRENDBOT_SLACK_API_URL=fake.url,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# processes ---------------------------------------------------------------------------------


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Run:
    """One `trendbot run` process, its output in files (a pipe nobody reads would block it)."""

    def __init__(
        self,
        config: Path,
        db: Path | str,
        env: dict[str, str],
        log: Path,
        background: bool = False,
        command: tuple[str, ...] = (),
    ) -> None:
        self.log = log
        args = ["--config", str(config), "--db", str(db), "--log-level", "info"]
        args += command or ("run", "--port", str(free_port()))
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "trendbot.cli", *args],
                env=env,
                cwd=config.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                # as a shell starts `trendbot run &`: SIGINT ignored, inherited
                preexec_fn=_ignore_sigint if background else None,
            )
        self.pid = self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, lines: int = 15) -> str:
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, signum: int = signal.SIGTERM, *, timeout: float = 30.0) -> int:
        """Send `signum` and wait for the exit status (AssertionError after `timeout`)."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"run pid {self.pid} still running {timeout:.0f}s after "
                f"{signal.Signals(signum).name}:\n{self.tail()}"
            ) from None

    def kill9(self) -> None:
        self.process.kill()
        self.process.wait(30)


Start = Callable[..., Run]  # (config, db, env=None) -> a started Run


@pytest.fixture
def runs(tmp_path: Path) -> Iterator[Start]:
    """Starts `trendbot run` processes; whatever is still running at the end is killed."""
    started: list[Run] = []

    def start(
        config: Path, db: Path, env: dict[str, str] | None = None, *, background: bool = False
    ) -> Run:
        log = tmp_path / f"run{len(started) + 1}.log"
        run = Run(config, db, clean_env() if env is None else env, log, background)
        started.append(run)
        return run

    yield start
    for run in started:
        if run.alive():
            run.kill9()


def trendbot(
    config: Path, db: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trendbot.cli", "--config", str(config), "--db", str(db), *args],
        env=clean_env() if env is None else env,
        cwd=db.parent,
        capture_output=True,
        text=True,
        timeout=STARTED,
    )


# reading the database from outside ----------------------------------------------------------


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows, or [] while the database or its tables do not exist yet."""
    if not db.exists():
        return []
    conn = sqlite3.connect(db, timeout=30)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise
    finally:
        conn.close()


def count(db: Path, sql: str) -> int:
    rows = query(db, sql)
    return int(rows[0][0]) if rows else 0


def lease_pid(db: Path) -> int | None:
    rows = query(db, "SELECT pid FROM leases WHERE name = 'run'")
    return int(rows[0][0]) if rows else None


def wait_until(
    condition: Callable[[], T], what: str, *, timeout: float = 60.0, run: Run | None = None
) -> T:
    """Poll `condition` until it is truthy; fail naming `what` (and why `run` exited, if so)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if run is not None and not run.alive():
            raise AssertionError(f"waiting for {what}, run pid {run.pid} exited:\n{run.tail()}")
        if time.monotonic() > deadline:
            detail = f":\n{run.tail()}" if run is not None else ""
            raise AssertionError(f"no {what} after {timeout:.0f}s{detail}")
        time.sleep(POLL)


def wait_for_lease(db: Path, run: Run) -> None:
    wait_until(lambda: lease_pid(db) == run.pid, f"lease held by pid {run.pid}", run=run)


def integrity(db: Path) -> str:
    return str(query(db, "PRAGMA integrity_check")[0][0])


# 0. the lease, in process ---------------------------------------------------------------------


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def hold(store: Store, holder: str, *, pid: int, host: str, now: datetime) -> None:
    other = store.acquire_lease(LEASE, holder, now=now, ttl=LEASE_TTL, pid=pid, host=host)
    assert other is None


def test_the_lease_names_its_holder_and_a_dead_one_is_replaced(tmp_path: Path) -> None:
    now, here = utcnow(), socket.gethostname()
    with Store(tmp_path / "t.db") as store:
        hold(store, "alive", pid=os.getpid(), host=here, now=now)
        with pytest.raises(LockedError, match=f"pid {os.getpid()} on {here}"):
            take_lease(store, "me", now=now)
        assert lease_status(store, now=now)[0]

        store.release_lease(LEASE, "alive")
        hold(store, "dead", pid=dead_pid(), host=here, now=now)
        ok, detail = lease_status(store, now=now)
        assert not ok and "gone" in detail
        take_lease(store, "me", now=now)
        lease = store.lease(LEASE)
        assert lease is not None and lease.holder == "me"

        # on another host a pid means nothing here: only the lease's expiry frees the database
        store.release_lease(LEASE, "me")
        hold(store, "far", pid=dead_pid(), host="elsewhere", now=now)
        with pytest.raises(LockedError, match="on elsewhere"):
            take_lease(store, "me", now=now)
        assert lease_status(store, now=now)[0]
        later = now + LEASE_TTL + timedelta(seconds=1)
        assert not lease_status(store, now=later)[0]
        take_lease(store, "me", now=later)
        lease = store.lease(LEASE)
        assert lease is not None and lease.holder == "me"


# 1. one run per database --------------------------------------------------------------------


def test_one_run_per_database_and_health_follows_it(tmp_path: Path, runs: Start) -> None:
    config, db = write_config(tmp_path), tmp_path / "trendbot.db"
    first = runs(config, db)
    wait_for_lease(db, first)

    health = trendbot(config, db, "health")
    assert health.returncode == 0, health.stderr
    assert f"pid {first.pid}" in health.stdout + health.stderr

    second = trendbot(config, db, "run", "--port", str(free_port()))
    assert second.returncode == 1, second.stdout + second.stderr
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), second.stderr
    assert f"pid {first.pid}" in lines[0]
    assert first.alive() and lease_pid(db) == first.pid, "the refused run disturbed the first"

    first.kill9()
    after_kill = trendbot(config, db, "health")
    assert after_kill.returncode == 1, "health must see that the run's process is gone"

    # the dead process's lease (same host, dead pid) does not block a restart
    restarted = runs(config, db)
    wait_for_lease(db, restarted)
    assert trendbot(config, db, "health").returncode == 0
    assert restarted.stop(signal.SIGTERM) == 0, restarted.tail()
    stopped = trendbot(config, db, "health")
    assert stopped.returncode == 1 and "no trendbot run" in stopped.stderr, stopped.stderr


# 2. a clean stop ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("signum", "slack", "background"),
    [(signal.SIGTERM, True, False), (signal.SIGINT, False, False), (signal.SIGINT, False, True)],
    ids=["sigterm-slack-http", "sigint-terminal", "sigint-started-in-background"],
)
def test_a_signal_stops_run_cleanly_mid_fetch(
    tmp_path: Path,
    feed_server: FeedServer,
    runs: Start,
    signum: int,
    slack: bool,
    background: bool,
) -> None:
    # the feed answers slowly: the signal lands while a fetch job is in flight
    url = serve_feed(feed_server, delay=3.0)
    with FakeSlack(channels={CHANNEL: "trend-pitches"}) as fake:
        config = write_config(tmp_path, feed_url=url, channel=CHANNEL if slack else "")
        db = tmp_path / "trendbot.db"
        run = runs(config, db, slack_env(fake) if slack else clean_env(), background=background)
        wait_for_lease(db, run)
        wait_until(lambda: feed_server.requests_to("/run/heatwave.rss"), "fetch", run=run)
        assert run.stop(signum) == 0, run.tail()
    assert lease_pid(db) is None, "a clean stop releases the lease"
    assert integrity(db) == "ok"
    # the fetch in flight was finished and stored whole before the process went away
    assert count(db, "SELECT count(*) FROM items") == FEED_ITEMS, run.tail()
    assert "Traceback" not in run.log.read_text(encoding="utf-8"), run.tail()


# 3. kill -9 anywhere ------------------------------------------------------------------------

KILLS = 5
KILL_WINDOW = 10.0  # seconds after the lease: fetch, embed, cluster, pitch and post fit in it


@pytest.mark.slow
def test_kill_9_at_random_points_never_loses_nor_doubles_anything(
    tmp_path: Path, feed_server: FeedServer, runs: Start
) -> None:
    rng = random.Random(20250715)
    url = serve_feed(feed_server)
    db = tmp_path / "trendbot.db"
    with FakeSlack(channels={CHANNEL: "trend-pitches"}) as fake:
        config = write_config(tmp_path, feed_url=url, channel=CHANNEL)
        env = slack_env(fake)
        # The first card reaches Slack but its answer never comes back: whichever run gets
        # there is killed between Slack's post and our record of it, the worst moment.
        fake.hold("chat.postMessage")
        kills = []
        for _ in range(KILLS):
            run = runs(config, db, env)
            wait_for_lease(db, run)
            delay = rng.uniform(0.0, KILL_WINDOW)
            time.sleep(delay)
            assert run.alive(), f"run exited on its own:\n{run.tail()}"
            run.kill9()
            kills.append(f"{delay:.1f}s: {progress(db, fake)}")
        if not fake.calls("chat.postMessage"):
            run = runs(config, db, env)
            fake.wait_for("chat.postMessage", timeout=120)
            run.kill9()
            kills.append(f"at the held post: {progress(db, fake)}")

        final = runs(config, db, env)
        wait_for_lease(db, final)  # its signal handler is in place: SIGTERM is a clean stop
        wait_until(lambda: carded(db), "pitch with its card recorded", timeout=120, run=final)
        assert final.stop(signal.SIGTERM) == 0, final.tail()
        cards = [c for c in fake.calls("chat.postMessage") if card_pitch(c.args) is not None]
        messages = fake.messages(CHANNEL)
        replies = {m["ts"]: fake.replies(CHANNEL, m["ts"]) for m in messages}

    where = "kills at " + "; ".join(kills)
    print(where)  # shown with -rP or on failure: which stages the kills hit
    assert count(db, "SELECT count(*) FROM items") == FEED_ITEMS, where
    assert count(db, "SELECT count(DISTINCT guid) FROM items") == FEED_ITEMS, where
    assert count(db, "SELECT count(*) FROM story_items") == FEED_ITEMS, where
    assert count(db, "SELECT count(DISTINCT item_id) FROM story_items") == FEED_ITEMS, where

    pitches = query(db, "SELECT id, story_id, theme, state, slack_channel, slack_ts FROM pitches")
    per_story = Counter(story for _, story, *_ in pitches)
    assert all(n == 1 for n in per_story.values()), f"{per_story} ({where})"
    assert "meteo" in {theme for _, _, theme, *_ in pitches}, "the heatwave burst is pitched"

    # exactly one card per pitch, whatever the kill points were; it is the one recorded
    card_ids = Counter(card_pitch(c.args) for c in cards)
    assert card_ids == Counter({pitch_id: 1 for pitch_id, *_ in pitches}), f"{card_ids} ({where})"
    top_level = Counter(card_pitch(m) for m in messages)
    assert top_level == card_ids, where
    for pitch_id, _, _, state, channel, ts in pitches:
        assert (state, channel) == ("posted", CHANNEL), where
        (card,) = [m for m in messages if card_pitch(m) == pitch_id]
        assert card["ts"] == ts, where
        # the sources go in the card's thread, never twice
        assert len(replies[ts]) <= 1, f"{len(replies[ts])} source replies ({where})"

    assert lease_pid(db) is None
    assert integrity(db) == "ok"


def carded(db: Path) -> bool:
    """Some pitch exists, and every pitch has its card's ts recorded."""
    waiting = count(db, "SELECT count(*) FROM pitches WHERE slack_ts IS NULL")
    return waiting == 0 and count(db, "SELECT count(*) FROM pitches") > 0


def card_pitch(message: dict[str, Any]) -> int | None:
    """The pitch id a pitch card carries in its metadata; None for any other message."""
    metadata = message.get("metadata") or {}
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    if metadata.get("event_type") != PITCH_EVENT:
        return None
    return int(metadata["event_payload"]["pitch_id"])


def progress(db: Path, fake: FakeSlack) -> str:
    """Where the cycle was when a run was killed, for failure messages."""
    return (
        f"items={count(db, 'SELECT count(*) FROM items')}"
        f" embedded={count(db, 'SELECT count(*) FROM embeddings')}"
        f" clustered={count(db, 'SELECT count(*) FROM story_items')}"
        f" pitches={count(db, 'SELECT count(*) FROM pitches')}"
        f" posts={len(fake.calls('chat.postMessage'))}"
    )
