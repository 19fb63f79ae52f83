"""The bolt app end to end: signed requests in, the fake Slack Web API out, a real store."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeslack import FakeSlack
from pydantic import SecretStr
from slack_backend import SlackEnv, open_env
from slackkit import (
    CHANNEL,
    EDITOR,
    SECRET,
    action_body,
    command_body,
    dispatch,
    message_body,
    signed_headers,
    view_submission_body,
)

from trendbot.errors import ConfigError, SlackError
from trendbot.settings import Secrets, SlackSettings
from trendbot.slack.app import Editors, make_app, run_socket_mode, wsgi_app, wsgiref_dev_server
from trendbot.slack.poster import make_client
from trendbot.types import Pitch

OUTSIDER = "U0OUTSIDER"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[SlackEnv]:
    with open_env(tmp_path, publish_channel="C0PUBLISH") as opened:
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
    assert (decision["state"], decision["user"], decision["channel"], decision["message_ts"]) == (
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
    assert env.store.theme_examples()[-1]["polarity"] == 1  # the matcher learned


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
    assert env.store.pitch_events(pitch.id or 0)[-1]["reason"] == "too political"
    body = json.dumps(card(env, pitch)["blocks"], ensure_ascii=False)
    assert "Rejected by" in body and "Why: too political" in body
    assert env.fake.messages("C0PUBLISH") == []
    assert env.store.theme_examples()[-1]["polarity"] == -1


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
    assert (event["reason"], event["message_ts"]) == (reason, "1800000000.000001")
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
    assert env.backend.decisions == []
    assert env.fake.calls("views.open") == [] and env.fake.calls("chat.update") == []
    told = env.fake.calls("chat.postEphemeral")
    assert len(told) == 4
    assert all(c.args["user"] == OUTSIDER and "Only editors" in c.args["text"] for c in told)
    assert "thread_ts" not in told[0].args  # a button: said in the channel
    assert told[-1].args["thread_ts"] == ts  # a reply: said in the thread


def test_members_of_the_editor_group_decide_and_the_group_is_cached(tmp_path: Path) -> None:
    options = {"usergroups": {"S0EDITORS": ["U0GROUPIE"]}}
    with open_env(tmp_path, fake_options=options, editors=[], editor_group="S0EDITORS") as env:
        first, second = env.posted_pitch(), env.posted_pitch(label="Another story")
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
        editors = Editors(SlackSettings(editor_group="S0EDITORS"), client, clock=lambda: now[0])
        assert editors.check("U0A") and not editors.check("U0B")
        fake.usergroups["S0EDITORS"] = ["U0B"]
        now[0] = 299.0
        assert not editors.check("U0B")
        now[0] = 301.0
        assert editors.check("U0B") and not editors.check("U0A")
        fake.fail("usergroups.users.list", 500)
        now[0] = 700.0
        assert editors.check("U0B")  # Slack down: the last known members still decide
    assert Editors(SlackSettings(), client).check("U0ANYONE")  # no editors set: everyone


def test_the_same_event_delivered_three_times_decides_once(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    body = message_body("reject: old news", thread_ts=pitch.slack_ts or "", event_id="EvSAME")
    responses = [dispatch(env.app, body, retry_num=n) for n in (None, 1, 2)]
    assert [r.status for r in responses] == [200, 200, 200]
    assert len(env.backend.decisions) == 1
    assert len(env.fake.calls("chat.update")) == 1
    assert [e["state"] for e in env.store.pitch_events(pitch.id or 0)].count("rejected") == 1


def test_the_same_button_click_delivered_twice_decides_once(env: SlackEnv) -> None:
    pitch = env.posted_pitch()
    body = action_body(
        "trendbot_approve", pitch.id or 0, message_ts=pitch.slack_ts or "", action_ts="17.5"
    )
    dispatch(env.app, body)
    dispatch(env.app, body)
    assert len(env.backend.decisions) == 1
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
        make_app(env.backend, no_secret, client=env.client)
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
        make_app(env.backend, SIGNED, client=env.client)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
