"""Inbound Slack requests for tests: real bodies (form or JSON), signed like Slack signs them;
and `open_env`, a whole Slack side on the real core for them to go to.

The payload shapes come from tests/data/slack/*.json; the signature is slack_sdk's
SignatureVerifier algorithm (v0=HMAC-SHA256 of `v0:timestamp:body`).
"""

from __future__ import annotations

import copy
import json
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from fakeslack import TOKEN, FakeSlack
from pydantic import SecretStr
from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from trendbot.core import Trendbot, make_trendbot
from trendbot.settings import Secrets, Settings, load_settings, parse_settings
from trendbot.slack.app import HttpServer, make_app, start_http
from trendbot.slack.poster import make_client, post_pitch
from trendbot.store import PitchEvent, Store
from trendbot.types import Item, Pitch, StoryView

SECRET = "test-signing-secret-0123456789"
DATA = Path(__file__).parent / "data" / "slack"
EDITOR = "U0EDITOR"
CHANNEL = "C0PITCHES"


def payload(name: str) -> dict[str, Any]:
    return copy.deepcopy(json.loads((DATA / f"{name}.json").read_text(encoding="utf-8")))


def signed_headers(
    body: str,
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    content_type: str = "application/x-www-form-urlencoded",
    retry_num: int | None = None,
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": signature or "",
    }
    if retry_num is not None:
        headers["x-slack-retry-num"] = str(retry_num)
        headers["x-slack-retry-reason"] = "http_timeout"
    return headers


def dispatch(app: App, body: str, **sign: Any) -> BoltResponse:
    content_type = (
        "application/json" if body.startswith("{") else "application/x-www-form-urlencoded"
    )
    headers = signed_headers(body, content_type=content_type, **sign)
    return app.dispatch(BoltRequest(body=body, headers=headers))


def command_body(
    text: str,
    *,
    user: str = EDITOR,
    channel: str = CHANNEL,
    channel_name: str = "pitches",
    response_url: str = "",
) -> str:
    fields = payload("slash_command")
    fields.update(text=text, user_id=user, channel_id=channel, channel_name=channel_name)
    if response_url:
        fields["response_url"] = response_url
    return urlencode(fields)


def action_body(
    action_id: str,
    pitch_id: int | str,
    *,
    user: str = EDITOR,
    channel: str = CHANNEL,
    message_ts: str,
    action_ts: str | None = None,
) -> str:
    data = payload("block_actions")
    data["user"]["id"] = user
    data["channel"]["id"] = data["container"]["channel_id"] = channel
    data["container"]["message_ts"] = data["message"]["ts"] = message_ts
    action = data["actions"][0]
    action.update(action_id=action_id, value=str(pitch_id))
    action["action_ts"] = action_ts or f"{time.time():.6f}"
    data["trigger_id"] = f"trigger-{action['action_ts']}"
    return urlencode({"payload": json.dumps(data)})


def view_submission_body(
    pitch_id: int,
    reason: str,
    *,
    user: str = EDITOR,
    channel: str = CHANNEL,
    ts: str,
    view_id: str = "V0MODAL",
    metadata: str | None = None,
) -> str:
    data = payload("view_submission")
    data["user"]["id"] = user
    view = data["view"]
    view["id"] = view_id
    where = {"pitch_id": pitch_id, "channel": channel, "ts": ts}
    view["private_metadata"] = json.dumps(where) if metadata is None else metadata
    view["state"]["values"]["reason"]["reason"]["value"] = reason
    return urlencode({"payload": json.dumps(data)})


def message_body(
    text: str,
    *,
    thread_ts: str,
    user: str = EDITOR,
    channel: str = CHANNEL,
    ts: str | None = None,
    event_id: str = "Ev0000000001",
    broadcast: bool = False,
    edited_from: str | None = None,
) -> str:
    """A reply in a thread; `broadcast`: also sent to the channel; `edited_from`: the reply was
    that text, and was edited into `text` (Slack's `message_changed` event)."""
    data = payload("message_event")
    event = data["event"]
    ts = ts or f"{time.time():.6f}"
    event.update(text=text, user=user, channel=channel, ts=ts, event_ts=ts, thread_ts=thread_ts)
    if broadcast:
        event["subtype"] = "thread_broadcast"
    if edited_from is not None:
        message = {k: v for k, v in event.items() if k not in ("channel", "event_ts")}
        message["edited"] = {"user": user, "ts": f"{time.time():.6f}"}
        now = f"{time.time():.6f}"
        data["event"] = {
            "type": "message",
            "subtype": "message_changed",
            "channel": channel,
            "hidden": True,
            "ts": now,
            "event_ts": now,
            "message": message,
            "previous_message": {**message, "text": edited_from, "edited": None},
            "channel_type": "channel",
        }
    data["event_id"] = event_id
    return json.dumps(data)


# a whole Slack side on the REAL core: trendbot.core.Trendbot over a database the real pipeline
# processed (English headlines, the bundled minilm model), the fake Slack Web API, a bolt app ---

T0 = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=40)
HEATWAVE = [
    ("BBC", "Heatwave: Paris swelters as temperatures hit a July record"),
    ("Guardian", "Record heat in Paris as parks stay open all night"),
    ("Reuters", "Paris heatwave breaks temperature records"),
    ("AP", "Parisians flock to the beach as the heatwave peaks"),
    ("Le Monde EN", "Heat record falls in Paris on the hottest July day"),
    ("CNN", "Paris bakes in record-breaking heatwave"),
]
FOOTBALL = [
    ("BBC Sport", "Champions League final: PSG beat Inter to win the trophy"),
    ("ESPN", "PSG crowned European champions after Champions League final"),
    ("Sky", "Champions League final: PSG thrash Inter in Munich"),
    ("Guardian", "PSG win the Champions League for the first time"),
]
STRIKE = [
    ("BBC", "Bakers strike over soaring flour prices"),
    ("Reuters", "Bakers walk out as flour prices soar"),
    ("AP", "Flour price anger: bakers go on strike across France"),
    ("Guardian", "Bakery strike spreads as flour costs climb"),
]
NOISE = [
    "Fuel prices fall slightly this week",
    "A new museum opens in Lyon",
    "Rail works announced on the Paris-Lille line",
    "A grandmother's recipe book becomes a best-seller",
    "Electric bike sales keep growing",
    "A jazz festival announced in Marseille",
]
BRAND = {
    "name": "Maison Test",
    "language": "en",
    "hashtags": ["MaisonTest"],
    "themes": [
        {
            "name": "Summer",
            "description": "heatwaves, holidays, beaches, ice cream",
            "keywords": ["heatwave", "heat", "beach"],
        },
        {
            "name": "Sport",
            "description": "football, tennis, the Olympics",
            "keywords": ["football", "final", "tennis"],
        },
    ],
    "cadence": {"queue_minutes": 0, "min_score": 1.0},
}


def config(**slack: Any) -> dict[str, Any]:
    """feeds.yaml as data: the test brand, and `slack` settings (language= sets the brand's)."""
    brand = copy.deepcopy(BRAND)
    brand["language"] = slack.pop("language", "en")
    slack.setdefault("editors", [EDITOR])
    return {
        "feeds": [{"name": "news", "url": "https://news.example/rss", "language": "en"}],
        "brand": brand,
        "embedding": {"model": "minilm"},  # whatever the brand's language: one model, one db
        "fetch": {"allow_private": True},  # `/trend feed add` reads tests' feeds on 127.0.0.1
        "slack": {"channel": CHANNEL, **slack},
    }


def make_settings(**slack: Any) -> Settings:
    return parse_settings(config(**slack))


def stream() -> list[Item]:
    def item(n: int, source: str, title: str, minutes: float) -> Item:
        seen = T0 + timedelta(minutes=minutes)
        return Item(
            feed="news", guid=f"g{n}", url=f"https://news.example/{n}", title=title, summary="",
            published=seen, seen=seen, source=source, language="en",
        )  # fmt: skip

    out = [item(100 + n, "Agency", t, -600 + 90 * n) for n, t in enumerate(NOISE)]
    out += [item(n, s, t, 5 * n) for n, (s, t) in enumerate(HEATWAVE)]
    out += [item(30 + n, s, t, 5 * n + 2) for n, (s, t) in enumerate(FOOTBALL)]
    out += [item(60 + n, s, t, 6 * n + 1) for n, (s, t) in enumerate(STRIKE)]
    return out


def process_stream(folder: Path, settings: dict[str, Any] | None = None) -> Path:
    """feeds.yaml (`config()` unless given) and t.db in `folder`: the stream processed once at
    NOW by the real pipeline."""
    (folder / "feeds.yaml").write_text(json.dumps(settings or config()), encoding="utf-8")
    bot = make_trendbot(load_settings(folder / "feeds.yaml"), db=str(folder / "t.db"))
    try:
        bot.store.save_items("news", stream())
        bot.pipeline.process(NOW)
    finally:
        bot.close()
    return folder


@pytest.fixture(scope="module")
def processed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return process_stream(tmp_path_factory.mktemp("processed"))


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class SlackEnv:
    fake: FakeSlack
    bot: Trendbot
    client: WebClient
    app: App
    clock: Clock
    server: HttpServer | None = None

    @property
    def store(self) -> Store:
        return self.bot.store

    @property
    def settings(self) -> Settings:
        return self.bot.settings

    def story(self, words: str) -> StoryView:
        """The biggest story holding a headline with `words` in it."""
        rows = self.store.query(
            "SELECT s.story_id FROM story_items s JOIN items i ON i.id = s.item_id"
            " WHERE i.title LIKE ? GROUP BY s.story_id ORDER BY count(*) DESC LIMIT 1",
            [f"%{words}%"],
        )
        found = self.bot.find_story(str(rows[0]["story_id"])) if rows else None
        assert found is not None, words
        return found

    def pitch(self, words: str = "heatwave") -> Pitch:
        """A stored pitch for the story about `words`, not yet posted."""
        return self.bot.draft_pitch(self.story(words).id)

    def posted_pitch(self, words: str = "heatwave") -> Pitch:
        pitch = self.pitch(words)
        post_pitch(self.client, self.store, pitch, CHANNEL)
        posted = self.store.pitch(pitch.id or 0)
        assert posted is not None and posted.slack_ts
        return posted

    def decisions(self, pitch: Pitch) -> list[PitchEvent]:
        """The pitch's events that a person made."""
        return [e for e in self.store.pitch_events(pitch.id or 0) if e.user]

    def post(self, body: str, *, path: str = "/slack/events", **sign: Any) -> tuple[int, str]:
        """POST `body` signed like Slack signs it to the real HTTP server; status and text."""
        assert self.server is not None, "open_env(..., http=True)"
        content_type = sign.pop(
            "content_type",
            "application/json" if body.startswith("{") else "application/x-www-form-urlencoded",
        )
        headers = signed_headers(body, content_type=content_type, **sign)
        request = urllib.request.Request(
            self.server.url + path, data=body.encode(), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=15) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as e:
            with e:
                return e.code, e.read().decode()


def wait_until(check: Callable[[], Any], timeout: float = 10.0) -> Any:
    """`check()` once it is truthy (HTTP mode answers Slack first and decides after)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "timed out"
            return value
        time.sleep(0.02)


@contextmanager
def open_env(
    processed: Path,
    tmp_path: Path,
    *,
    http: bool = False,
    fake_options: dict[str, Any] | None = None,
    settings: dict[str, Any] | None = None,
    **slack: Any,
) -> Iterator[SlackEnv]:
    """A copy of the processed database behind the real `Trendbot`, the fake Slack Web API, and
    the bolt app. `http=True`: the app as `trendbot run` serves it (waitress on 127.0.0.1, acks
    first, lazy listeners) and `env.post` sends signed requests to it; else `dispatch(env.app, …)`
    runs each request to its end before it returns (process_before_response). `settings`:
    feeds.yaml as data instead of `config(**slack)`."""
    folder = tmp_path / "bot"
    shutil.copytree(processed, folder)
    (folder / "feeds.yaml").write_text(json.dumps(settings or config(**slack)), encoding="utf-8")
    clock = Clock()
    bot = make_trendbot(load_settings(folder / "feeds.yaml"), db=str(folder / "t.db"), clock=clock)
    secrets = Secrets(slack_bot_token=SecretStr(TOKEN), slack_signing_secret=SecretStr(SECRET))
    try:
        with FakeSlack(**(fake_options or {})) as fake:
            client = make_client(secrets, base_url=fake.url)
            app = make_app(bot, secrets, client=client, process_before_response=not http)
            server = start_http(app, host="127.0.0.1", port=0) if http else None
            try:
                yield SlackEnv(fake, bot, client, app, clock, server)
            finally:
                if server is not None:
                    server()
    finally:
        bot.close()
