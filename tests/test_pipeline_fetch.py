"""The fetch half of the pipeline, end to end: a real HTTP server, parsing, a real SQLite file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from feedserver import FeedServer, Response

from trendbot.cli import cli
from trendbot.cycle import Pipeline, make_pipeline
from trendbot.settings import parse_settings


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2025, 7, 24, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def settings_for(server: FeedServer, feeds: dict[str, str], **extra: Any) -> Any:
    return parse_settings(
        {
            "feeds": [
                {"name": name, "url": server.url(path), "language": "en", **extra}
                for name, path in feeds.items()
            ],
            "brand": {"name": "B", "themes": [{"name": "t", "description": "anything"}]},
            "fetch": {"allow_private": True, "timeout": 2},
        }
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make(tmp_path: Path, clock: Clock) -> Iterator[Any]:
    made: list[Pipeline] = []

    def factory(settings: Any) -> Pipeline:
        pipeline = make_pipeline(settings, db=str(tmp_path / "t.db"), clock=clock)
        made.append(pipeline)
        return pipeline

    yield factory
    for pipeline in made:
        pipeline.close()


def test_first_cycle_stores_then_conditional_get_says_not_modified(
    feed_server: FeedServer, make: Any, clock: Clock
) -> None:
    pipeline = make(
        settings_for(feed_server, {"gn": "/feeds/google_news.rss", "atom": "/feeds/atom.xml"})
    )
    first = {r.feed: r for r in pipeline.fetch()}
    assert first["gn"].status == "ok" and first["gn"].new > 5
    assert first["atom"].status == "ok" and first["atom"].new > 0
    stored = pipeline.store.item_count()
    assert stored == first["gn"].new + first["atom"].new

    clock.now += timedelta(minutes=11)
    second = {r.feed: r for r in pipeline.fetch()}
    assert second["gn"].status == "not modified"
    assert pipeline.store.item_count() == stored
    sent = feed_server.requests_to("/feeds/google_news.rss")[-1].headers
    assert sent.get("if-none-match") and sent.get("if-modified-since")
    assert sent["user-agent"].startswith("trendbot/")


def test_a_ranked_feed_stores_each_item_s_position(
    feed_server: FeedServer, make: Any, tmp_path: Path
) -> None:
    settings = settings_for(feed_server, {"gn": "/feeds/google_news.rss"}, ranked=True)
    blog = settings_for(feed_server, {"atom": "/feeds/atom.xml"}).feeds  # not ranked by default
    make(settings.model_copy(update={"feeds": [*settings.feeds, *blog]})).fetch()
    with sqlite3.connect(tmp_path / "t.db") as db:
        sql = "SELECT feed, group_concat(best_rank) FROM item_sightings GROUP BY feed"
        ranks = dict(db.execute(sql).fetchall())
    assert sorted(map(int, ranks["gn"].split(","))) == list(range(1, 21))
    assert ranks["atom"] is None


def test_not_due_feeds_wait_their_interval(
    feed_server: FeedServer, make: Any, clock: Clock
) -> None:
    pipeline = make(settings_for(feed_server, {"gn": "/feeds/google_news.rss"}, poll_minutes=30))
    pipeline.fetch()
    clock.now += timedelta(minutes=10)
    assert pipeline.fetch() == []
    assert len(pipeline.fetch(force=True)) == 1


def test_a_broken_feed_never_blocks_the_others_and_backs_off(
    feed_server: FeedServer, make: Any, clock: Clock
) -> None:
    feed_server.route("/broken", Response(status=500))
    pipeline = make(
        settings_for(
            feed_server,
            {"gn": "/feeds/google_news.rss", "bad": "/broken", "junk": "/feeds/garbage.bin"},
        )
    )
    reports = {r.feed: r for r in pipeline.fetch()}
    assert reports["gn"].status == "ok"
    assert reports["bad"].status == "error" and "500" in reports["bad"].detail
    assert reports["junk"].status == "error"
    row = pipeline.store.feed_row("bad")
    assert row is not None and row.consecutive_failures == 1 and row.last_error
    clock.now += timedelta(minutes=11)
    # backing off: 2 x 10 min after one failure, so not due yet, while the good feed is
    assert {f.name for f in pipeline.feeds_to_fetch()} == {"gn"}


def test_gone_feed_is_disabled(feed_server: FeedServer, make: Any, clock: Clock) -> None:
    feed_server.route("/gone", Response(status=410))
    pipeline = make(settings_for(feed_server, {"gone": "/gone"}))
    (report,) = pipeline.fetch()
    assert "410" in report.detail
    gone = pipeline.store.feed_row("gone")
    assert gone is not None and gone.disabled
    clock.now += timedelta(days=1)
    assert pipeline.feeds_to_fetch() == []


def test_permanent_redirect_is_remembered(feed_server: FeedServer, make: Any, clock: Clock) -> None:
    feed_server.redirect("/old", "/feeds/atom.xml", status=301)
    pipeline = make(settings_for(feed_server, {"moved": "/old"}))
    pipeline.fetch()
    moved = pipeline.store.feed_row("moved")
    assert moved is not None and moved.permanent_url == feed_server.url("/feeds/atom.xml")
    clock.now += timedelta(minutes=11)
    pipeline.fetch()
    assert len(feed_server.requests_to("/old")) == 1


def test_a_changed_feed_adds_only_its_new_items(
    feed_server: FeedServer, make: Any, clock: Clock
) -> None:
    feed_server.route(
        "/changing",
        feed_server.file_response("changing_v1.rss"),
        feed_server.file_response("changing_v2.rss"),
    )
    pipeline = make(settings_for(feed_server, {"c": "/changing"}))
    (first,) = pipeline.fetch()
    clock.now += timedelta(minutes=11)
    (second,) = pipeline.fetch()
    assert first.new > 0 and second.new > 0 and second.seen_again > 0
    assert pipeline.store.item_count() == first.new + second.new


def test_cli_fetch_prints_a_summary(feed_server: FeedServer, tmp_path: Path) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "feeds:\n"
        f"  - name: gn\n    url: {feed_server.url('/feeds/google_news.rss')}\n"
        f"  - name: junk\n    url: {feed_server.url('/feeds/garbage.bin')}\n"
        "brand:\n  name: B\n  themes:\n    - name: t\n      description: x\n"
        "fetch:\n  allow_private: true\n"
    )
    db = str(tmp_path / "t.db")
    result = CliRunner().invoke(cli, ["--config", str(config), "--db", db, "fetch"])
    assert result.exit_code == 0, result.output
    assert "gn" in result.output and "ok" in result.output and "error" in result.output
    result = CliRunner().invoke(cli, ["--config", str(config), "--db", db, "feeds"])
    assert result.exit_code == 0
    assert "failing" in result.output
    result = CliRunner().invoke(cli, ["--config", str(config), "--db", db, "fetch", "--feed", "x"])
    assert result.exit_code == 1
    assert "no feed named 'x'" in result.output
