"""Posting pitch cards exactly once, even across crashes and Slack outages.

The channel is written on the pitch before the card is posted, the card carries the pitch id in
its message metadata, and its ts is written after. A restart that finds a channel but no ts looks
for the card in that channel before posting again. A Slack outage raises SlackError: the caller
(the scheduler) tries again on its next cycle, so a pitch is delayed, never dropped nor doubled.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from trendbot.digest import Digest
from trendbot.errors import SlackError
from trendbot.logs import get_logger, redact
from trendbot.settings import Secrets
from trendbot.slack import cards, views
from trendbot.slack.messages import Messages
from trendbot.store import Store
from trendbot.types import Pitch, PitchState, utcnow

log = get_logger("trendbot.slack")

HISTORY_PAGE = 200
CLOCK_SKEW = timedelta(minutes=5)  # Slack's clock and ours: look a little before `created`
AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "token_revoked", "account_inactive"})
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})

_channel_ids: dict[tuple[str, str], str] = {}
_channel_lock = threading.Lock()
_posting = threading.Lock()


def make_client(secrets: Secrets, *, base_url: str | None = None, timeout: int = 30) -> WebClient:
    """The bot's Web API client: waits out 429s (Retry-After) and retries dropped connections."""
    if secrets.slack_bot_token is None:
        raise SlackError(Messages()("slack.no_token"))
    return WebClient(
        token=secrets.slack_bot_token.get_secret_value(),
        base_url=base_url or WebClient.BASE_URL,
        timeout=timeout,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def post_pitch(
    client: WebClient,
    store: Store,
    pitch: Pitch,
    channel: str,
    *,
    messages: Messages | None = None,
    now: datetime | None = None,
) -> str:
    """Post the pitch's card (once) and its sources in the thread; return the card's ts."""
    msg = messages or Messages()
    now = now or utcnow()
    if pitch.id is None:
        raise ValueError("store the pitch before posting it")
    with _posting:  # a Slack handler and the delivery job, never both for one card
        return _post_pitch(client, store, pitch, channel, msg, now)


def _post_pitch(
    client: WebClient, store: Store, pitch: Pitch, channel: str, msg: Messages, now: datetime
) -> str:
    assert pitch.id is not None
    current = store.pitch(pitch.id) or pitch
    if current.slack_ts and current.slack_channel:
        _mark_posted(store, current, current.slack_channel, current.slack_ts, now)
        return current.slack_ts
    with slack_errors(msg, "chat.postMessage", channel):
        found = find_card(client, current)
        if found is not None:
            ts, channel_id = str(found["ts"]), str(current.slack_channel)
            log.info("slack.card_found", pitch=pitch.id, channel=channel_id, ts=ts)
            if not found.get("reply_count"):
                _post_sources(client, current, channel_id, ts, msg)
            _mark_posted(store, current, channel_id, ts, now)
            return ts
        channel_id = resolve_channel(client, channel, msg)
        store.set_pitch_slack(pitch.id, channel=channel_id, ts=None)
        response = client.chat_postMessage(channel=channel_id, **cards.pitch_message(current, msg))
        ts = str(response["ts"])
        channel_id = str(response.get("channel") or channel_id)
        log.info("slack.card_posted", pitch=current.id, channel=channel_id, ts=ts)
        # Sources before the card is marked posted: a crash in between finds the card again
        # (by its metadata) with no reply yet, and posts them then.
        _post_sources(client, current, channel_id, ts, msg)
    _mark_posted(store, current, channel_id, ts, now)
    return ts


def post_update(
    client: WebClient, pitch: Pitch, text: str, *, messages: Messages | None = None
) -> str:
    """A reply in the card's thread for a story that keeps rising: never a second card."""
    msg = messages or Messages()
    if not (pitch.slack_channel and pitch.slack_ts):
        raise SlackError(msg("slack.no_card", pitch_id=pitch.id))
    with slack_errors(msg, "chat.postMessage", pitch.slack_channel):
        response = client.chat_postMessage(
            channel=pitch.slack_channel,
            thread_ts=pitch.slack_ts,
            **cards.update_message(pitch, text, msg),
        )
    return str(response["ts"])


def post_digest(
    client: WebClient, store: Store, digest: Digest, channel: str, *, messages: Messages
) -> str:
    """Post the brand's digest for its period once, whatever crashes and retries happen; the
    message's ts. The store notes `posting` before the post and `posted` after: a restart that
    finds `posting` looks for the message (by its metadata) before posting again."""
    key = digest.period.key
    noted = store.state(key) or ""
    if noted.startswith("posted:"):
        return noted.removeprefix("posted:")
    with slack_errors(messages, "chat.postMessage", channel):
        channel_id = resolve_channel(client, channel, messages)
        found = _find_digest(client, channel_id, digest) if noted.startswith("posting:") else None
        if found is not None:
            ts = str(found["ts"])
            log.info("slack.digest_found", key=key, channel=channel_id, ts=ts)
        else:
            store.set_state(key, f"posting:{channel_id}")
            response = client.chat_postMessage(channel=channel_id, **views.digest_message(digest))
            ts = str(response["ts"])
            log.info("slack.digest_posted", key=key, channel=channel_id, ts=ts)
    store.set_state(key, f"posted:{ts}")
    return ts


def _find_digest(client: WebClient, channel: str, digest: Digest) -> dict[str, Any] | None:
    oldest = (digest.period.end - CLOCK_SKEW).timestamp()
    for message in _history(client, channel, oldest):
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if (
            metadata.get("event_type") == views.DIGEST_EVENT
            and payload.get("key") == digest.period.key
        ):
            return message
    return None


def find_card(client: WebClient, pitch: Pitch) -> dict[str, Any] | None:
    """The message in the pitch's recorded channel whose metadata names this pitch, if any.

    A channel the bot can no longer read cannot show the card to anyone it could update it for:
    that counts as not found, and the card goes to the channel asked for now.
    """
    if not pitch.slack_channel:
        return None
    oldest = (pitch.created - CLOCK_SKEW).timestamp() if pitch.created else 0
    try:
        for message in _history(client, pitch.slack_channel, oldest):
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if (
                metadata.get("event_type") == cards.PITCH_EVENT
                and payload.get("pitch_id") == pitch.id
            ):
                return message
    except SlackApiError as e:
        if e.response.get("error") not in CHANNEL_ERRORS:
            raise
        log.warning("slack.card_channel_gone", pitch=pitch.id, channel=pitch.slack_channel)
    return None


def resolve_channel(client: WebClient, channel: str, msg: Messages | None = None) -> str:
    """A channel ID for `channel`, which may be an ID (C…) or a #name from feeds.yaml."""
    if not channel.startswith("#"):
        return channel
    name = channel[1:]
    key = (client.base_url, name)
    with _channel_lock:
        if key in _channel_ids:
            return _channel_ids[key]
    cursor = None
    while True:
        page = client.conversations_list(
            types="public_channel,private_channel",
            exclude_archived=True,
            limit=HISTORY_PAGE,
            cursor=cursor,
        )
        for found in page.get("channels") or []:
            if found.get("name") == name:
                with _channel_lock:
                    _channel_ids[key] = str(found["id"])
                return str(found["id"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            raise SlackError((msg or Messages())("slack.channel_unknown", channel=channel))


@contextmanager
def slack_errors(msg: Messages, method: str, channel: str) -> Iterator[None]:
    """Turn slack_sdk and network errors into one SlackError line a person can act on."""
    try:
        yield
    except SlackApiError as e:
        raise SlackError(_api_message(e, msg, method, channel), where=channel) from None
    except (SlackClientError, URLError, OSError) as e:
        text = redact(str(e).splitlines()[0] if str(e) else type(e).__name__)
        raise SlackError(msg("slack.down", error=text), where=channel) from None


def _api_message(error: SlackApiError, msg: Messages, method: str, channel: str) -> str:
    status = error.response.status_code
    data = error.response.data if isinstance(error.response.data, dict) else {}
    code = str(data.get("error") or f"HTTP {status}")
    if status >= 500 or status == 429 or code in ("ratelimited", "service_unavailable"):
        return msg("slack.down", error=code)
    if code in AUTH_ERRORS:
        return msg("slack.auth", error=code)
    if code in CHANNEL_ERRORS:
        return msg("slack.not_in_channel", channel=channel)
    if code == "missing_scope":
        return msg("slack.scope", scope=data.get("needed") or "?")
    return msg("slack.refused", method=method, error=code, channel=channel)


def _mark_posted(store: Store, pitch: Pitch, channel: str, ts: str, now: datetime) -> None:
    assert pitch.id is not None
    if pitch.slack_ts != ts or pitch.slack_channel != channel:
        store.set_pitch_slack(pitch.id, channel=channel, ts=ts)
    if pitch.state == PitchState.PROPOSED:
        store.set_pitch_state(pitch.id, PitchState.POSTED, now=now, channel=channel, message_ts=ts)


def _post_sources(client: WebClient, pitch: Pitch, channel: str, ts: str, msg: Messages) -> None:
    # The card is out: a Slack failure here must not make the caller post it again.
    try:
        client.chat_postMessage(channel=channel, thread_ts=ts, **cards.sources_message(pitch, msg))
    except (SlackClientError, URLError, OSError) as e:
        log.warning(
            "slack.sources_not_posted", pitch=pitch.id, error=redact(str(e).splitlines()[0])
        )


def _history(client: WebClient, channel: str, oldest: float) -> Iterator[dict[str, Any]]:
    cursor = None
    while True:
        page = client.conversations_history(
            channel=channel,
            oldest=f"{oldest:.6f}",
            include_all_metadata=True,
            limit=HISTORY_PAGE,
            cursor=cursor,
        )
        yield from page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return
