"""The Slack app manifest (`trendbot slack manifest`): exactly what this code uses, no more.

    chat:write              cards, their threads, updates, ephemeral answers, the final copy
    commands                /trend
    channels:history        thread replies in public channels, and finding a card after a crash
    groups:history          the same in private channels
    usergroups:read         only with slack.editor_group
    channels:read           only when a channel is given by #name: to find its ID
    groups:read             (the same, for private channels)

views.open needs no scope: the button's trigger_id is the permission; views.publish (the Home
tab) needs none either. The "Pitch this" message shortcut comes with `commands`.
"""

from __future__ import annotations

import io
from typing import Any

from trendbot.errors import ConfigError
from trendbot.settings import Settings
from trendbot.slack.messages import Messages

COMMAND = "/trend"
BOT_EVENTS = ("app_home_opened", "message.channels", "message.groups")
PITCH_THIS = "trendbot_pitch_this"  # the message shortcut's callback_id
BASE_SCOPES = ("channels:history", "chat:write", "commands", "groups:history")


def required_scopes(settings: Settings) -> list[str]:
    scopes = set(BASE_SCOPES)
    if settings.slack.editor_group or any(b.editor_group for b in settings.brands):
        scopes.add("usergroups:read")
    channels = [settings.slack.channel, settings.slack.publish_channel or ""]
    for brand in settings.brands:
        channels += [brand.channel, *(t.channel for t in brand.themes)]
    if any(c.startswith("#") for c in channels):
        scopes |= {"channels:read", "groups:read"}
    return sorted(scopes)


def manifest_data(
    settings: Settings, *, socket_mode: bool, request_url: str | None
) -> dict[str, Any]:
    msg = Messages(settings.brand.language)
    if not socket_mode and not request_url:
        raise ConfigError(msg("slack.request_url"))
    url = {} if socket_mode else {"request_url": request_url}
    command: dict[str, Any] = {
        "command": COMMAND,
        "description": "Rising stories that fit the brand, and post ideas",
        "usage_hint": "top [N] [theme] · search WORDS · why STORY · pitch STORY · help",
        "should_escape": False,
    }
    if not socket_mode:
        command["url"] = request_url
    brand = " and ".join(b.name for b in settings.brands)
    shortcut = {
        "name": "Pitch this",
        "type": "message",
        "callback_id": PITCH_THIS,
        "description": "A post idea for the article linked in this message, or why not",
    }
    return {
        "display_information": {
            "name": "trendbot",
            "description": f"Spots rising news that fits {brand} and pitches post ideas"[:140],
            "background_color": "#1d3557",
        },
        "features": {
            "bot_user": {"display_name": "trendbot", "always_online": True},
            "slash_commands": [command],
            "shortcuts": [shortcut],
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": False,
                "messages_tab_read_only_enabled": False,
            },
        },
        "oauth_config": {"scopes": {"bot": required_scopes(settings)}},
        "settings": {
            "event_subscriptions": {**url, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, **url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }


def build_manifest(settings: Settings, *, socket_mode: bool, request_url: str | None) -> str:
    """The manifest as YAML, to paste in Slack's "Create an app → From a manifest"."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    buffer = io.StringIO()
    yaml.dump(manifest_data(settings, socket_mode=socket_mode, request_url=request_url), buffer)
    mode = "Socket Mode" if socket_mode else f"HTTP ({request_url})"
    return f"# trendbot's Slack app manifest, {mode}\n{buffer.getvalue()}"
