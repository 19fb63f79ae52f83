"""The bolt app end to end: signed requests in, the fake Slack Web API out, the real core
(`trendbot.core.Trendbot` over a database the real pipeline processed)."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from fakeslack import FakeSlack
from pydantic import SecretStr
from slackkit import (
    CHANNEL,
    EDITOR,
    SECRET,
    SlackEnv,
    action_body,
    command_body,
    dispatch,
    message_body,
    open_env,
    processed,
    signed_headers,
    view_submission_body,
    wait_until,
)

from trendbot import logs
from trendbot.cli import cli
from trendbot.errors import ConfigError, SlackError
from trendbot.settings import Secrets
from trendbot.slack.app import (
    Editors,
    default_host,
    make_app,
    run_socket_mode,
    start_http,
    wsgi_app,
    wsgiref_dev_server,
)
from trendbot.slack.poster import make_client
from trendbot.types import Pitch

# slow: the real core loads the bundled embedding model. waitress can raise in its own threads
# while a test server shuts down (a socket closed under its loop): teardown noise, noted.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning"),
]
__all__ = ["processed"]  # a module-scoped fixture: the database, processed once

OUTSIDER = "U0OUTSIDER"


@pytest.fixture
def env(processed: Path, tmp_path: Path) -> Iterator[SlackEnv]:
    with open_env(processed, tmp_path, publish_channel="C0PUBLISH") as opened:
        yield opened


def card(env: SlackEnv, pitch: Pitch) -> dict[str, Any]:
    return next(m for m in env.fake.messages(CHANNEL) if m["ts"] == pitch.slack_ts)


def state(env: SlackEnv, pitch: Pitch) -> str:
    found = env.store.pitch(pitch.id or 0)
    assert found is not None
    return found.state


def ephemerals(env: SlackEnv) -> list[str]:
    return [c.args["text"] for c in env.fake.calls("chat.postEphemeral")]


def test_approve_by_button(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    response = dispatch(
        env.app, action_body("trendbot_approve", pitch.id or 0, message_ts=pitch.slack_ts or "")
    )
    assert response.status == 200
    assert state(env, pitch) == "approved"
    decision = env.store.pitch_events(pitch.id or 0)[-1]
    assert (decision.state, decision.user, decision.channel, decision.message_ts) == (
        "approved",
        EDITOR,
        CHANNEL,
        pitch.slack_ts,
    )
    updated = card(env, pitch)
    assert all(b["type"] != "actions" for b in updated["blocks"])
    assert f"Approved by <@{EDITOR}>" in json.dumps(updated["blocks"], ensure_ascii=False)
    [final] = env.fake.messages("C0PUBLISH")  # the copy to publish
    assert "Ready to post" in json.dumps(final["blocks"])
    assert env.store.theme_examples()[-1].polarity == 1  # the matcher learned


def test_reject_by_button_asks_why_in_a_modal(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    ts = pitch.slack_ts or ""
    dispatch(env.app, action_body("trendbot_reject", pitch.id or 0, message_ts=ts))
    [opened] = env.fake.calls("views.open")
    view = opened.args["view"]
    assert view["callback_id"] == "trendbot_reject"
    assert state(env, pitch) == "posted"  # nothing decided until the reason is given
    dispatch(env.app, view_submission_body(pitch.id or 0, "too political", ts=ts))
    assert state(env, pitch) == "rejected"
    assert env.store.pitch_events(pitch.id or 0)[-1].reason == "too political"
    body = json.dumps(card(env, pitch)["blocks"], ensure_ascii=False)
    assert "Rejected by" in body and "Why: too political" in body
    assert env.fake.messages("C0PUBLISH") == []
    assert env.store.theme_examples()[-1].polarity == -1


@pytest.mark.parametrize(
    ("action", "expected", "buttons_left"),
    [("trendbot_snooze", "snoozed", True), ("trendbot_not_our_topic", "rejected", False)],
)
def test_snooze_and_not_our_topic_buttons(
    env: SlackEnv, action: str, expected: str, buttons_left: bool
) -> None:
    pitch = env.posted_pitch()
    dispatch(env.app, action_body(action, pitch.id or 0, message_ts=pitch.slack_ts or ""))
    assert state(env, pitch) == expected
    assert any(b["type"] == "actions" for b in card(env, pitch)["blocks"]) is buttons_left
    muted = [m.value for m in env.store.mutes() if m.kind == "story"]
    assert muted == ([] if buttons_left else [str(pitch.story_id)])  # not our topic: muted


@pytest.mark.parametrize(
    ("reply", "expected", "reason"),
    [
        ("ok", "approved", None),
        ("valider", "approved", None),
        ("reject: too close to the election", "rejected", "too close to the election"),
        ("refuser : trop politique", "rejected", "trop politique"),
    ],
)
def test_decide_by_thread_reply(
    env: SlackEnv, reply: str, expected: str, reason: str | None
) -> None:
    pitch = env.posted_pitch()
    dispatch(env.app, message_body(reply, thread_ts=pitch.slack_ts or "", ts="1800000000.000001"))
    assert state(env, pitch) == expected
    event = env.store.pitch_events(pitch.id or 0)[-1]
    assert (event.reason, event.message_ts) == (reason, "1800000000.000001")
    assert "actions" not in [b["type"] for b in card(env, pitch)["blocks"]]


def test_edit_by_thread_reply_changes_the_draft_on_the_card(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    dispatch(
        env.app,
        message_body("edit: Too hot to bake. We did it anyway.", thread_ts=pitch.slack_ts or ""),
    )
    edited = env.store.pitch(pitch.id or 0)
    assert edited is not None and edited.draft == "Too hot to bake. We did it anyway."
    assert edited.state == "posted"
    blocks = card(env, pitch)["blocks"]
    assert "Too hot to bake. We did it anyway." in json.dumps(blocks)
    assert any(b["type"] == "actions" for b in blocks)  # still to be decided


def test_talk_in_a_thread_changes_nothing(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    before = len(env.fake.calls())
    for text in ("love it but not sure", "ok, but change the hashtag"):
        dispatch(env.app, message_body(text, thread_ts=pitch.slack_ts or "", user=OUTSIDER))
        dispatch(env.app, message_body(text, thread_ts=pitch.slack_ts or ""))
    dispatch(env.app, message_body("ok", thread_ts="1600000000.000000"))  # not a card's thread
    assert state(env, pitch) == "posted"
    assert len(env.fake.calls()) == before


def test_only_editors_decide(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    ts = pitch.slack_ts or ""
    dispatch(env.app, action_body("trendbot_approve", pitch.id or 0, message_ts=ts, user=OUTSIDER))
    dispatch(env.app, action_body("trendbot_reject", pitch.id or 0, message_ts=ts, user=OUTSIDER))
    dispatch(env.app, message_body("ok", thread_ts=ts, user=OUTSIDER, event_id="Ev2"))
    dispatch(env.app, message_body("edit: mine now", thread_ts=ts, user=OUTSIDER, event_id="Ev3"))
    assert state(env, pitch) == "posted"
    assert env.decisions(pitch) == []
    assert env.fake.calls("views.open") == [] and env.fake.calls("chat.update") == []
    told = env.fake.calls("chat.postEphemeral")
    assert len(told) == 4
    assert all(c.args["user"] == OUTSIDER and "Only editors" in c.args["text"] for c in told)
    assert "thread_ts" not in told[0].args  # a button: said in the channel
    assert told[-1].args["thread_ts"] == ts  # a reply: said in the thread


def test_members_of_the_editor_group_decide_and_the_group_is_cached(
    processed: Path, tmp_path: Path
) -> None:
    options = {"usergroups": {"S0EDITORS": ["U0GROUPIE"]}}
    slack = {"editors": [], "editor_group": "S0EDITORS"}
    with open_env(processed, tmp_path, fake_options=options, **slack) as env:
        first, second = env.posted_pitch(), env.posted_pitch("champions")
        for n, pitch in enumerate((first, second)):
            body = message_body(
                "ok", thread_ts=pitch.slack_ts or "", user="U0GROUPIE", event_id=f"Ev{n}"
            )
            dispatch(env.app, body)
        dispatch(env.app, message_body("ok", thread_ts="x", user=OUTSIDER, event_id="Ev9"))
        assert state(env, first) == state(env, second) == "approved"
        assert len(env.fake.calls("usergroups.users.list")) == 1


def test_the_editor_group_is_asked_again_after_a_few_minutes() -> None:
    now = [0.0]
    with FakeSlack(usergroups={"S0EDITORS": ["U0A"]}) as fake:
        client = make_client(Secrets(slack_bot_token=SecretStr("xoxb-t")), base_url=fake.url)
        editors = Editors((), "S0EDITORS", client, clock=lambda: now[0])
        assert editors.check("U0A") and not editors.check("U0B")
        fake.usergroups["S0EDITORS"] = ["U0B"]
        now[0] = 299.0
        assert not editors.check("U0B")
        now[0] = 301.0
        assert editors.check("U0B") and not editors.check("U0A")
        fake.fail("usergroups.users.list", 500)
        now[0] = 700.0
        assert editors.check("U0B")  # Slack down: the last known members still decide
    assert Editors((), None, client).check("U0ANYONE")  # no editors set: everyone


def test_the_same_event_delivered_three_times_decides_once(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    body = message_body("reject: old news", thread_ts=pitch.slack_ts or "", event_id="EvSAME")
    responses = [dispatch(env.app, body, retry_num=n) for n in (None, 1, 2)]
    assert [r.status for r in responses] == [200, 200, 200]
    assert len(env.decisions(pitch)) == 1
    assert len(env.fake.calls("chat.update")) == 1
    assert [e.state for e in env.store.pitch_events(pitch.id or 0)].count("rejected") == 1


def test_the_same_button_click_delivered_twice_decides_once(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    body = action_body(
        "trendbot_approve", pitch.id or 0, message_ts=pitch.slack_ts or "", action_ts="17.5"
    )
    dispatch(env.app, body)
    dispatch(env.app, body)
    assert len(env.decisions(pitch)) == 1
    assert len(env.fake.messages("C0PUBLISH")) == 1


def test_a_second_decision_on_a_decided_pitch_is_refused(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    ts = pitch.slack_ts or ""
    dispatch(env.app, action_body("trendbot_approve", pitch.id or 0, message_ts=ts))
    dispatch(env.app, message_body("reject: changed my mind", thread_ts=ts))
    assert state(env, pitch) == "approved"
    assert ephemerals(env) == [f"Pitch #{pitch.id} is already approved: nothing changed."]


@pytest.mark.parametrize(
    ("secret", "age"), [("forged-secret", 0), (SECRET, 301)], ids=["forged", "stale"]
)
def test_forged_or_stale_signatures_are_refused(env: SlackEnv, secret: str, age: int) -> None:
    pitch = env.posted_pitch()
    body = action_body("trendbot_approve", pitch.id or 0, message_ts=pitch.slack_ts or "")
    response = dispatch(env.app, body, secret=secret, timestamp=int(time.time()) - age)
    assert response.status == 401
    assert state(env, pitch) == "posted"
    assert (
        dispatch(
            env.app, command_body("help"), secret=secret, timestamp=int(time.time()) - age
        ).status
        == 401
    )


def test_over_http_with_health_check(env: SlackEnv) -> None:
    server = wsgiref_dev_server(wsgi_app(env.app), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/healthz", timeout=10) as answer:
            assert json.load(answer) == {"ok": True}
        body = command_body("help")
        request = urllib.request.Request(
            f"{base}/slack/events", data=body.encode(), headers=signed_headers(body), method="POST"
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            reply = json.load(answer)
        assert reply["response_type"] == "ephemeral" and "/trend top" in reply["text"]
        forged = urllib.request.Request(
            f"{base}/slack/events",
            data=body.encode(),
            headers=signed_headers(body, secret="nope"),
            method="POST",
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10)
        assert refused.value.code == 401
        refused.value.close()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{base}/elsewhere", timeout=10)
        assert missing.value.code == 404
        missing.value.close()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_missing_secrets_are_one_line_saying_what_to_set(env: SlackEnv) -> None:
    no_secret = Secrets(slack_bot_token=SecretStr("xoxb-t"))
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        make_app(env.bot, no_secret, client=env.client)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN is not set"):
        run_socket_mode(env.app, no_secret)
    with pytest.raises(SlackError, match="SLACK_BOT_TOKEN is not set"):
        make_client(Secrets())


SIGNED = Secrets(slack_bot_token=SecretStr("xoxb-t"), slack_signing_secret=SecretStr("s"))


def test_a_token_in_the_environment_is_no_warning(
    env: SlackEnv, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-env")
    with caplog.at_level(logging.WARNING):
        make_app(env.bot, SIGNED, client=env.client)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


# issue 14: edge cases, through the real HTTP server (as `trendbot run` serves it) ---------------

UNEXPECTED = "⚠️ Something went wrong on our side"


@pytest.fixture
def served(processed: Path, tmp_path: Path) -> Iterator[SlackEnv]:
    with open_env(processed, tmp_path, http=True, publish_channel="C0PUBLISH") as opened:
        yield opened


def told(env: SlackEnv, user: str = EDITOR, count: int = 1) -> list[dict[str, Any]]:
    calls = env.fake.wait_for("chat.postEphemeral", count)
    return [c.args for c in calls if c.args["user"] == user]


def test_a_button_whose_value_is_not_a_pitch_number_gets_an_answer(served: SlackEnv) -> None:
    pitch = served.posted_pitch()
    body = action_body("trendbot_approve", "not-a-number", message_ts=pitch.slack_ts or "")
    assert served.post(body) == (200, "")
    [answer] = told(served)
    assert answer["channel"] == CHANNEL and answer["text"].startswith(UNEXPECTED)
    assert state(served, pitch) == "posted"


class _Inline(ThreadPoolExecutor):
    """Runs each listener at once, before bolt's thread starts waiting for the ack: the order
    in which a listener that fails after its ack made bolt answer 404 (a race CI lost once)."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        fn(*args, **kwargs)
        return super().submit(lambda: None)


def test_a_reject_modal_with_unreadable_metadata_gets_an_answer(served: SlackEnv) -> None:
    runner = served.app._listener_runner  # bolt's own runner, made to lose the race every time
    runner.listener_executor = _Inline(max_workers=1)
    pitch = served.posted_pitch()
    body = view_submission_body(pitch.id or 0, "meh", ts="", metadata="{not json")
    assert served.post(body) == (200, "")  # the modal closes
    [answer] = told(served)
    assert answer["channel"] == CHANNEL and answer["text"].startswith(UNEXPECTED)
    assert state(served, pitch) == "posted"


def test_a_database_error_while_deciding_gets_an_answer(
    served: SlackEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    pitch = served.posted_pitch()
    ts = pitch.slack_ts or ""

    def locked(*args: Any, **kwargs: Any) -> None:
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(served.store, "set_pitch_state", locked)
    assert served.post(action_body("trendbot_approve", pitch.id or 0, message_ts=ts))[0] == 200
    assert served.post(message_body("ok", thread_ts=ts, event_id="EvLOCKED"))[0] == 200
    # HTTP mode decides after the ack: the two answers may come in either order
    by_button, by_reply = sorted(told(served, count=2), key=lambda a: "thread_ts" in a)
    assert by_button["text"].startswith(UNEXPECTED) and "thread_ts" not in by_button
    assert by_reply["text"].startswith(UNEXPECTED) and by_reply["thread_ts"] == ts
    monkeypatch.undo()
    assert state(served, pitch) == "posted"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        ('{"type": "event_callback", "event": ', "application/json"),
        ("payload=%FF%FE", "application/x-www-form-urlencoded"),
    ],
    ids=["payload-not-json", "json-cut", "not-utf8"],
)
def test_a_malformed_body_is_a_400_in_one_line(
    served: SlackEnv, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    with caplog.at_level(logging.DEBUG):
        for sign in ({}, {"secret": "forged"}):
            status, text = served.post(body, content_type=content_type, **sign)
            assert (status, text) == (400, "bad request: the body is not a Slack payload")
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    # not the HTTP server's own "Task queue depth is 1", which a busy machine can log
    lines = [
        r
        for r in caplog.records
        if r.levelno >= logging.WARNING and not r.name.startswith("waitress")
    ]
    assert [r.getMessage() for r in lines] == ["slack.bad_request"] * 2


@pytest.fixture
def info_logs() -> Iterator[io.StringIO]:
    """trendbot's logs as `trendbot --log-level info` writes them (to stderr, here to a buffer)."""
    root = logging.getLogger("trendbot")
    saved = (root.handlers[:], root.level, root.propagate)
    logs.setup("info")
    written = io.StringIO()
    [handler] = root.handlers
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(written)
    yield written
    root.handlers[:], root.level, root.propagate = saved


def test_commands_and_decisions_leave_a_log_line_after_the_first_request(
    served: SlackEnv, info_logs: io.StringIO
) -> None:
    assert served.post(command_body("help"))[0] == 200
    pitch = served.posted_pitch()
    ts = pitch.slack_ts or ""
    assert served.post(command_body("top"))[0] == 200
    assert served.post(action_body("trendbot_approve", pitch.id or 0, message_ts=ts))[0] == 200
    wait_until(lambda: state(served, pitch) == "approved")
    served.fake.wait_for("chat.postMessage", 3)  # card, its sources, the copy to publish
    err = info_logs.getvalue()
    assert "slack.command command=top" in err
    assert f"slack.card_posted pitch={pitch.id}" in err
    assert f"slack.decision pitch={pitch.id} action=approve user={EDITOR}" in err


@pytest.mark.parametrize("how", ["broadcast", "edited"])
def test_an_ok_also_sent_to_the_channel_or_edited_in_decides(served: SlackEnv, how: str) -> None:
    pitch = served.posted_pitch()
    ts = pitch.slack_ts or ""
    if how == "broadcast":
        body = message_body("ok", thread_ts=ts, broadcast=True)
    else:
        body = message_body("ok", thread_ts=ts, edited_from="ok?")
    assert served.post(body)[0] == 200
    wait_until(lambda: state(served, pitch) == "approved")
    assert served.decisions(pitch)[-1].user == EDITOR
    served.fake.wait_for("chat.update")  # the card says so


def test_an_edit_that_changes_no_word_decides_nothing(served: SlackEnv) -> None:
    pitch = served.posted_pitch()
    body = message_body("ok", thread_ts=pitch.slack_ts or "", edited_from="ok")  # an unfurl
    assert served.post(body)[0] == 200
    time.sleep(0.3)
    assert state(served, pitch) == "posted"


def test_a_long_argument_is_not_echoed_whole(served: SlackEnv) -> None:
    words = "zebra " * 400
    for text in (f"top {words}", f"unmute {words}", f"{'x' * 3000}"):
        status, body = served.post(command_body(text))
        assert status == 200
        answer = json.loads(body)["text"]
        assert len(answer) < 300 and "…" in answer, answer


def test_the_http_server_listens_on_loopback_unless_told(
    served: SlackEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRENDBOT_HOST", raising=False)
    assert default_host() == "127.0.0.1"
    stop = start_http(served.app, port=0)
    try:
        assert stop.host == "127.0.0.1"
        with urllib.request.urlopen(f"{stop.url}/healthz", timeout=10) as answer:
            assert json.load(answer) == {"ok": True}
    finally:
        stop()
    monkeypatch.setenv("TRENDBOT_HOST", "0.0.0.0")
    assert default_host() == "0.0.0.0"
    dockerfile = (Path(__file__).parent.parent / "Dockerfile").read_text(encoding="utf-8")
    assert "TRENDBOT_HOST=0.0.0.0" in dockerfile
    help_text = CliRunner().invoke(cli, ["run", "--help"]).output
    assert "--host" in help_text and "TRENDBOT_HOST" in help_text
