"""Posting cards exactly once: against the fake Slack Web API, with pitches the real `Trendbot`
drafts on a database the real pipeline processed."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeslack import TOKEN, FakeSlack
from pydantic import SecretStr
from slackkit import processed

from trendbot.core import Trendbot, make_trendbot
from trendbot.errors import SlackError
from trendbot.settings import Secrets, load_settings
from trendbot.slack.poster import make_client, post_pitch, post_update
from trendbot.store import Store
from trendbot.types import Pitch

CHANNEL = "C0PITCHES"
__all__ = ["processed"]  # a module-scoped fixture: the database, processed once
SECRETS = Secrets(slack_bot_token=SecretStr(TOKEN))

# What a `trendbot run` does when it posts a card; the test kills it before it records the ts.
POSTER = """
import sys
from pydantic import SecretStr
from trendbot.settings import Secrets
from trendbot.slack.poster import make_client, post_pitch
from trendbot.store import Store

db, url, pitch_id, channel = sys.argv[1:]
store = Store(db)
client = make_client(Secrets(slack_bot_token=SecretStr("xoxb-test-token")), base_url=url)
post_pitch(client, store, store.pitch(int(pitch_id)), channel)
print("recorded")
"""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(channels={CHANNEL: "pitches", "C0PUBLISH": "publish"}) as server:
        yield server


@pytest.fixture
def bot(processed: Path, tmp_path: Path) -> Iterator[Trendbot]:
    folder = tmp_path / "bot"
    shutil.copytree(processed, folder)
    opened = make_trendbot(load_settings(folder / "feeds.yaml"), db=str(folder / "t.db"))
    yield opened
    opened.close()


@pytest.fixture
def store(bot: Trendbot) -> Store:
    return bot.store


def new_pitch(bot: Trendbot, words: str = "heatwave") -> Pitch:
    """A stored pitch, drafted by the real core, for the story with `words` in a headline."""
    [row] = bot.store.query(
        "SELECT s.story_id FROM story_items s JOIN items i ON i.id = s.item_id"
        " WHERE i.title LIKE ? GROUP BY s.story_id ORDER BY count(*) DESC LIMIT 1",
        [f"%{words}%"],
    )
    return bot.draft_pitch(row["story_id"])


def cards_in(fake: FakeSlack, channel: str = CHANNEL) -> list[dict[str, Any]]:
    return [m for m in fake.messages(channel) if m.get("metadata")]


def test_a_pitch_is_posted_once_with_its_sources_in_the_thread(
    bot: Trendbot, fake: FakeSlack, store: Store
) -> None:
    pitch = new_pitch(bot)
    client = make_client(SECRETS, base_url=fake.url)
    ts = post_pitch(client, store, pitch, CHANNEL)
    again = post_pitch(client, store, pitch, CHANNEL)  # the scheduler's next cycle
    assert again == ts
    [card] = cards_in(fake)
    assert card["ts"] == ts
    assert card["metadata"] == {
        "event_type": "trendbot_pitch",
        "event_payload": {"pitch_id": pitch.id},
    }
    [sources] = fake.replies(CHANNEL, ts)
    assert pitch.sources and all(link.url in str(sources["blocks"]) for link in pitch.sources)
    saved = store.pitch(pitch.id or 0)
    assert saved is not None
    assert (saved.slack_channel, saved.slack_ts, saved.state) == (CHANNEL, ts, "posted")
    assert [e.state for e in store.pitch_events(saved.id or 0)] == ["proposed", "posted"]
    assert all(c.headers["authorization"] == f"Bearer {TOKEN}" for c in fake.calls())


def test_a_rate_limit_is_waited_out(bot: Trendbot, fake: FakeSlack, store: Store) -> None:
    fake.fail("chat.postMessage", 429, retry_after=0)
    ts = post_pitch(make_client(SECRETS, base_url=fake.url), store, new_pitch(bot), CHANNEL)
    statuses = [c.status for c in fake.calls("chat.postMessage")]
    assert statuses == [429, 200, 200]  # refused, the card, its sources
    assert [c["ts"] for c in cards_in(fake)] == [ts]


def test_a_slack_outage_delays_the_pitch_and_never_doubles_it(
    bot: Trendbot, fake: FakeSlack, store: Store
) -> None:
    pitch = new_pitch(bot)
    client = make_client(SECRETS, base_url=fake.url)
    fake.fail("chat.postMessage", 503)
    with pytest.raises(SlackError, match=r"Slack is unavailable .* try again"):
        post_pitch(client, store, pitch, CHANNEL)
    waiting = store.pitch(pitch.id or 0)
    assert waiting is not None
    assert (waiting.slack_channel, waiting.slack_ts, waiting.state) == (CHANNEL, None, "proposed")
    ts = post_pitch(client, store, pitch, CHANNEL)
    assert [c["ts"] for c in cards_in(fake)] == [ts]
    methods = [c.method for c in fake.calls()]
    assert methods.index("conversations.history") < len(methods) - 2  # looked before posting


def test_slack_unreachable_is_one_line_without_the_token(bot: Trendbot, store: Store) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = make_client(SECRETS, base_url=f"http://127.0.0.1:{port}/api/")
    with pytest.raises(SlackError) as caught:
        post_pitch(client, store, new_pitch(bot), CHANNEL)
    assert "Slack is unavailable" in str(caught.value)
    assert "\n" not in str(caught.value) and TOKEN not in str(caught.value)


def test_a_crash_between_posting_and_recording_leaves_exactly_one_card(
    bot: Trendbot, fake: FakeSlack, tmp_path: Path
) -> None:
    db = tmp_path / "bot" / "t.db"
    pitch_id = new_pitch(bot).id
    held = fake.hold("chat.postMessage")  # Slack keeps the card; its answer never arrives
    process = subprocess.Popen(
        [sys.executable, "-c", POSTER, str(db), fake.url, str(pitch_id), CHANNEL],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        fake.wait_for("chat.postMessage", timeout=60)
        os.kill(process.pid, signal.SIGKILL)
        out, _ = process.communicate(timeout=30)
    finally:
        held.set()
    assert process.returncode == -signal.SIGKILL and b"recorded" not in out
    assert len(cards_in(fake)) == 1
    with Store(db) as store:  # the restart
        crashed = store.pitch(pitch_id or 0)
        assert crashed is not None
        assert (crashed.slack_channel, crashed.slack_ts) == (CHANNEL, None)
        ts = post_pitch(make_client(SECRETS, base_url=fake.url), store, crashed, CHANNEL)
        recovered = store.pitch(pitch_id or 0)
    [card] = cards_in(fake)
    assert card["ts"] == ts
    assert recovered is not None and (recovered.slack_ts, recovered.state) == (ts, "posted")
    assert len(fake.calls("chat.postMessage")) == 2  # the card before the crash, its sources after
    assert len(fake.replies(CHANNEL, ts)) == 1


def test_a_card_the_bot_cannot_see_any_more_is_posted_where_asked(
    bot: Trendbot, fake: FakeSlack, store: Store
) -> None:
    pitch = new_pitch(bot)
    store.set_pitch_slack(pitch.id or 0, channel="C0GONE")  # a channel then removed from Slack
    fake.strict_channels = True
    ts = post_pitch(make_client(SECRETS, base_url=fake.url), store, pitch, CHANNEL)
    assert [c["ts"] for c in cards_in(fake)] == [ts]


def test_a_channel_the_bot_is_not_in_says_what_to_do(bot: Trendbot, store: Store) -> None:
    with FakeSlack(channels={CHANNEL: "pitches"}, strict_channels=True) as fake:
        client = make_client(SECRETS, base_url=fake.url)
        with pytest.raises(SlackError, match="invite it there"):
            post_pitch(client, store, new_pitch(bot), "C0ELSEWHERE")


def test_a_channel_given_by_name_is_found(bot: Trendbot, fake: FakeSlack, store: Store) -> None:
    client = make_client(SECRETS, base_url=fake.url)
    pitch = new_pitch(bot)
    post_pitch(client, store, pitch, "#pitches")
    posted = store.pitch(pitch.id or 0)
    assert posted is not None and posted.slack_channel == CHANNEL
    with pytest.raises(SlackError, match="no channel named #nope"):
        post_pitch(client, store, new_pitch(bot, "Champions"), "#nope")


def test_a_story_that_keeps_rising_gets_a_thread_reply_not_a_card(
    bot: Trendbot, fake: FakeSlack, store: Store
) -> None:
    client = make_client(SECRETS, base_url=fake.url)
    pitch = new_pitch(bot)
    ts = post_pitch(client, store, pitch, CHANNEL)
    posted = store.pitch(pitch.id or 0)
    assert posted is not None
    post_update(client, posted, "Now 30 sources, ×9 the usual rate")
    assert len(cards_in(fake)) == 1
    assert "×9 the usual rate" in str(fake.replies(CHANNEL, ts)[-1]["blocks"])
    with pytest.raises(SlackError, match="no Slack card yet"):
        post_update(client, new_pitch(bot, "Champions"), "update")


def test_tokens_never_reach_the_logs(
    bot: Trendbot, fake: FakeSlack, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client(SECRETS, base_url=fake.url)
    fake.fail("chat.postMessage", 500)
    with pytest.raises(SlackError):
        post_pitch(client, store, new_pitch(bot), CHANNEL)
    post_pitch(client, store, new_pitch(bot, "Champions"), CHANNEL)
    assert caplog.records
    assert TOKEN not in caplog.text
