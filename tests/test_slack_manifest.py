from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from slackkit import make_settings

from trendbot.errors import ConfigError
from trendbot.slack.manifest import build_manifest

SLACK_DIR = Path(__file__).parent.parent / "trendbot" / "slack"
URL = "https://bot.example.org/slack/events"
# The scope each Web API method needs (None: no scope). A new call must be added here, and to
# the manifest when it needs a scope.
METHOD_SCOPES: dict[str, str | None] = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "conversations_history": "channels:history",
    "conversations_list": "channels:read",
    "usergroups_users_list": "usergroups:read",
    "views_open": None,
    "views_publish": None,
}


def manifest(**kw: Any) -> dict[str, Any]:
    settings = make_settings(**kw.pop("slack", {}))
    text = build_manifest(settings, **kw)
    return dict(YAML(typ="safe").load(text))


def test_http_mode_points_everything_at_the_events_url() -> None:
    data = manifest(socket_mode=False, request_url=URL)
    assert data["settings"]["socket_mode_enabled"] is False
    assert data["settings"]["event_subscriptions"]["request_url"] == URL
    assert data["settings"]["interactivity"] == {"is_enabled": True, "request_url": URL}
    [command] = data["features"]["slash_commands"]
    assert (command["command"], command["url"]) == ("/trend", URL)
    assert data["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "message.channels",
        "message.groups",
    ]
    [shortcut] = data["features"]["shortcuts"]
    assert (shortcut["type"], shortcut["callback_id"]) == ("message", "trendbot_pitch_this")
    assert data["features"]["app_home"]["home_tab_enabled"] is True


def test_socket_mode_needs_no_url() -> None:
    data = manifest(socket_mode=True, request_url=None)
    assert data["settings"]["socket_mode_enabled"] is True
    assert "url" not in data["features"]["slash_commands"][0]
    assert "request_url" not in data["settings"]["interactivity"]
    with pytest.raises(ConfigError, match="--request-url"):
        manifest(socket_mode=False, request_url=None)


def test_only_the_scopes_the_settings_need() -> None:
    base = ["channels:history", "chat:write", "commands", "groups:history"]
    assert manifest(socket_mode=True, request_url=None)["oauth_config"]["scopes"]["bot"] == base
    grouped = manifest(socket_mode=True, request_url=None, slack={"editor_group": "S0EDITORS"})
    assert "usergroups:read" in grouped["oauth_config"]["scopes"]["bot"]
    named = manifest(socket_mode=True, request_url=None, slack={"channel": "#pitches"})
    assert {"channels:read", "groups:read"} <= set(named["oauth_config"]["scopes"]["bot"])


def test_every_web_api_call_the_code_makes_is_covered() -> None:
    called: set[str] = set()
    for path in SLACK_DIR.glob("*.py"):
        called |= set(re.findall(r"client\.([a-z]+_[A-Za-z_]+)\(", path.read_text("utf-8")))
    assert called == set(METHOD_SCOPES)
    everything = manifest(
        socket_mode=True, request_url=None, slack={"editor_group": "S0E", "channel": "#p"}
    )
    scopes = set(everything["oauth_config"]["scopes"]["bot"])
    assert {s for s in METHOD_SCOPES.values() if s} <= scopes
