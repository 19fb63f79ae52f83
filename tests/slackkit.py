"""Inbound Slack requests for tests: real bodies (form or JSON), signed like Slack signs them.

The payload shapes come from tests/data/slack/*.json; the signature is slack_sdk's
SignatureVerifier algorithm (v0=HMAC-SHA256 of `v0:timestamp:body`).
"""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk.signature import SignatureVerifier

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
    text: str, *, user: str = EDITOR, channel: str = CHANNEL, response_url: str = ""
) -> str:
    fields = payload("slash_command")
    fields.update(text=text, user_id=user, channel_id=channel)
    if response_url:
        fields["response_url"] = response_url
    return urlencode(fields)


def action_body(
    action_id: str,
    pitch_id: int,
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
) -> str:
    data = payload("view_submission")
    data["user"]["id"] = user
    view = data["view"]
    view["id"] = view_id
    view["private_metadata"] = json.dumps({"pitch_id": pitch_id, "channel": channel, "ts": ts})
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
) -> str:
    data = payload("message_event")
    event = data["event"]
    ts = ts or f"{time.time():.6f}"
    event.update(text=text, user=user, channel=channel, ts=ts, event_ts=ts, thread_ts=thread_ts)
    data["event_id"] = event_id
    return json.dumps(data)
