"""Several `trendbot run` workers on one PostgreSQL database, one of them killed -9 at random
points again and again: every item is stored once, every story holds the same items as a run of
one worker, each pitch gets one card, and no feed is fetched twice in an interval.

Real processes (`python -m trendbot.cli run --no-listen`), a real PostgreSQL (the `postgres_url`
fixture), the feed server and the fake Slack Web API. State is read from the database.
"""

from __future__ import annotations

import itertools
import random
import signal
import subprocess
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest
from fakeslack import FakeSlack
from feedserver import FeedServer, Response
from pgtest import drop_schema, fresh_schema, schema_name
from test_scheduler import (
    CHANNEL,
    FEED_ITEMS,
    Run,
    card_pitch,
    feed_body,
    slack_env,
    write_config,
)

from trendbot.cycle import make_pipeline
from trendbot.settings import load_settings
from trendbot.types import utcnow

T = TypeVar("T")
ITEMS = FEED_ITEMS + 200
FEEDS = ("a", "b", "c")  # the same news from three feeds: one item each, three sightings
WORKERS = 3
KILLS = 4
INTERVAL = 60.0  # poll_minutes: 1


def news_body() -> bytes:
    """The heatwave feed and 200 more items of unrelated news, in one body every feed serves:
    whichever worker fetches first stores them all, in the same order."""
    body = feed_body(utcnow()).decode("utf-8")
    words = ["port", "école", "musée", "budget", "orage", "train", "marché", "pont", "vigne",
             "théâtre", "hôpital", "usine", "forêt", "stade", "mairie", "récolte"]  # fmt: skip
    rng = random.Random(7)
    more = "".join(
        f"<item><title>{' '.join(rng.sample(words, 5)).capitalize()} : épisode {n}</title>"
        f"<link>https://news.example/x{n}</link><guid>run-x{n}</guid>"
        f"<pubDate>{format_datetime(utcnow() - timedelta(minutes=n), usegmt=True)}</pubDate>"
        "</item>"
        for n in range(200)
    )
    return body.replace("</channel>", more + "</channel>").encode("utf-8")


@pytest.fixture
def database(postgres_url: str) -> Iterator[str]:
    url = fresh_schema(postgres_url)
    yield url
    drop_schema(postgres_url, schema_name(url))


def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    """The rows, or [] while the schema is not there yet."""
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            return conn.execute(sql).fetchall()
    except psycopg.errors.UndefinedTable:
        return []


def value(url: str, sql: str) -> int:
    found = rows(url, sql)
    return int(found[0][0]) if found else 0


def wait_until(check: Callable[[], T], what: str, timeout: float, workers: list[Run]) -> T:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            tails = "\n---\n".join(w.tail() for w in workers if w.alive())
            raise AssertionError(f"no {what} after {timeout:.0f} s:\n{tails}")
        time.sleep(0.3)
    return result


def partition(pairs: list[tuple[Any, Any]]) -> set[frozenset[str]]:
    """(item id, story id) rows as the sets of items that share a story."""
    stories: dict[Any, set[str]] = defaultdict(set)
    for item_id, story_id in pairs:
        stories[story_id].add(str(item_id))
    return {frozenset(items) for items in stories.values()}


def test_workers_killed_at_random_lose_nothing_and_do_nothing_twice(
    tmp_path: Path, feed_server: FeedServer, database: str
) -> None:
    rng = random.Random(20251203)
    body = news_body()
    urls = {
        name: feed_server.route(f"/{name}.rss", Response(body=body, delay=1.5, headers={
            "Content-Type": "application/rss+xml"}))
        for name in FEEDS
    }  # fmt: skip
    # a dead worker's claims are taken at once; else they would run out in 40 s
    config = write_config(tmp_path, channel=CHANNEL, feeds=urls, fetch={"timeout": 5})

    # what one worker alone makes of the same news: the stories to compare with
    with make_pipeline(load_settings(config), db=str(tmp_path / "one.db")) as alone:
        alone.fetch()
        alone.process()
        expected = partition([tuple(r.values()) for r in alone.store.query(  # type: ignore[misc]
            "SELECT item_id, story_id FROM story_items")])  # fmt: skip
    feed_server.requests.clear()

    workers: list[Run] = []
    kills: list[tuple[float, str]] = []
    with FakeSlack(channels={CHANNEL: "trend-pitches"}) as fake:
        env = slack_env(fake)

        def start() -> Run:
            worker = Run(config, database, env, tmp_path / f"worker{len(workers)}.log",
                         command=("run", "--no-listen"))  # fmt: skip
            workers.append(worker)
            return worker

        def kill(victims: list[Run]) -> None:
            for victim in victims:
                victim.process.kill()
                victim.process.wait(30)
            counts = [
                value(database, f"SELECT count(*) FROM {table}")
                for table in ("items", "embeddings", "story_items", "pitches")
            ]
            kills.append(
                (
                    time.monotonic(),
                    "{} stored, {} embedded, {} clustered, {} pitches".format(*counts),
                )
            )

        # The first card reaches Slack, but its answer waits: the worker posting it is killed
        # between Slack's post and its record of it, the worst moment.
        held = fake.hold("chat.postMessage")
        try:
            for _ in range(WORKERS):
                start()
            for _ in range(KILLS):  # while models load, feeds download, items embed and cluster
                time.sleep(rng.uniform(0.5, 5.0))
                kill([rng.choice([w for w in workers if w.alive()])])
                start()
            fake.wait_for("chat.postMessage", timeout=240)
            kill([w for w in workers if w.alive()])  # the poster among them
            held.set()
            for _ in range(WORKERS):
                start()
            wait_until(
                lambda: value(database, "SELECT count(*) FROM story_items") == ITEMS
                and value(database, "SELECT count(*) FROM pitches") > 0
                and not value(database, "SELECT count(*) FROM pitches WHERE slack_ts IS NULL"),
                "items clustered and pitches carded", 240, workers,
            )  # fmt: skip
            time.sleep(3)  # a card posted twice would show now
        finally:
            for worker in workers:
                if worker.alive():
                    worker.process.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    worker.process.wait(60)
                except subprocess.TimeoutExpired:
                    worker.process.kill()
        cards = [c for c in fake.calls("chat.postMessage") if card_pitch(c.args) is not None]

    where = "kills after " + "; ".join(what for _, what in kills)
    print(where, f"{len(cards)} cards", sep="; ")  # with -rP: which stages the kills hit
    assert value(database, "SELECT count(*) FROM items") == ITEMS, where
    assert value(database, "SELECT count(DISTINCT guid) FROM items") == ITEMS, where
    assert value(database, "SELECT count(*) FROM item_sightings") == ITEMS * len(FEEDS)
    members = rows(database, "SELECT item_id, story_id FROM story_items")
    assert len(members) == ITEMS, where
    assert partition(members) == expected, f"stories differ from one worker's ({where})"

    pitches = rows(database, "SELECT id, story_id, state FROM pitches")
    assert max(Counter(story for _, story, _ in pitches).values()) == 1, where
    assert Counter(card_pitch(c.args) for c in cards) == Counter(p for p, _, _ in pitches), where
    assert {state for _, _, state in pitches} == {"posted"}, where

    # a feed is fetched again within its interval only when the worker fetching it was killed
    for name in FEEDS:
        times = sorted(r.at for r in feed_server.requests if r.path == f"/{name}.rss")
        assert times, f"{name} was never fetched"
        for before, after in itertools.pairwise(times):
            killed = any(before <= at <= after for at, _ in kills)
            assert after - before >= INTERVAL - 1 or killed, f"{name} fetched twice ({where})"
    left = rows(database, "SELECT name FROM leases WHERE name LIKE 'worker:%'")
    assert len(left) <= KILLS + WORKERS, "a worker stopped by SIGTERM leaves no lease"
