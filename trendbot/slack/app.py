"""The Slack app: one bolt App whose handlers only translate between Slack and the backend.

    make_app(backend, secrets) -> App          handlers for /trend, the card buttons, the reject
                                               modal and decisions replied in a card's thread
    run_socket_mode(app, secrets)              with SLACK_APP_TOKEN: no public URL needed
    start_http(app, host=..., port=...)        without it: /slack/events and /healthz

Slack delivers at least once: an event or action id seen before (`Store.first_delivery`) changes
nothing. Every decision goes through `Backend.decide`, by button or by thread reply, and only
editors may make one.

Whatever fails, the person gets an answer: buttons and the reject modal are acknowledged by a
listener middleware before their handler runs (a handler that raised after its own `ack()` would
make bolt drop that ack and answer 404 three seconds later), and one global error handler
(`@app.error`) logs the failure in one line and tells the person privately. A body that is not a
Slack payload is answered 400 in one line, before bolt reads it.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any, Protocol
from urllib.error import URLError
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import Ack, App, BoltRequest, BoltResponse, Respond
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from trendbot.digest import Entry
from trendbot.errors import ConfigError, SlackError, TrendbotError
from trendbot.logs import get_logger, redact
from trendbot.settings import BrandSettings, Secrets, Settings, ThemeSettings
from trendbot.slack import cards, poster
from trendbot.slack.commands import (
    EDITORS_ONLY,
    SLOW,
    Answer,
    Asker,
    Command,
    answer,
    parse_command,
    shown,
)
from trendbot.slack.manifest import PITCH_THIS
from trendbot.slack.messages import Messages
from trendbot.slack.replies import parse_reply
from trendbot.slack.views import DRAFT_ACTION, HomePage, home_view
from trendbot.sources.article import links_in
from trendbot.types import FINAL_STATES, Pitch, StoryView

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from trendbot.core import FeedRow, Shared

log = get_logger("trendbot.slack")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
HOST_ENV = "TRENDBOT_HOST"  # the Dockerfile sets 0.0.0.0: a container must listen on its interface
DEFAULT_HOST = "127.0.0.1"  # elsewhere, only this machine (a reverse proxy) reaches /slack/events
BAD_REQUEST = "bad request: the body is not a Slack payload"
EDITOR_GROUP_TTL = 300.0  # seconds a user group's members are trusted before asking again
DECISION_BUTTONS = re.compile("^(" + "|".join(cards.DECISION_ACTIONS) + ")$")


class Backend(Protocol):
    """What the Slack handlers need from trendbot (the core facade, `trendbot.core.Trendbot`)."""

    @property
    def settings(self) -> Settings: ...

    def now(self) -> datetime: ...

    def brand(self, name: str | None = None) -> BrandSettings:
        """The brand named `name` (the first when None); ConfigError when there is none."""
        ...

    def top_stories(
        self, n: int = 5, theme: str | None = None, *, brand: str | None = None
    ) -> list[StoryView]: ...

    def search(self, words: str, k: int = 5, *, brand: str | None = None) -> list[StoryView]: ...

    def find_story(self, ref: str, *, brand: str | None = None) -> StoryView | None:
        """A story by id, or the best match for some words."""
        ...

    def draft_pitch(self, story_id: int, *, save: bool = True, brand: str | None = None) -> Pitch:
        """A new pitch for the story: stored with state `proposed` when `save`, else a preview
        (nothing stored, no id)."""
        ...

    def draft_once(self, story_id: int, *, brand: str | None = None) -> tuple[Pitch, bool]:
        """The brand's pitch of the story, the one it has or a new one; True when new."""
        ...

    def pitch(self, pitch_id: int) -> Pitch | None: ...

    def pitch_for_card(self, channel: str, ts: str) -> Pitch | None:
        """The pitch whose card is the message `ts` in `channel`."""
        ...

    def first_delivery(self, key: str, kind: str) -> bool:
        """True the first time Slack delivers this event or action id (it retries)."""
        ...

    def post_card(self, client: WebClient, pitch: Pitch, channel: str, *, messages: Any) -> Pitch:
        """Post the pitch's card and return the pitch as stored after it."""
        ...

    def themes(self, *, brand: str | None = None) -> list[ThemeSettings]: ...

    def add_theme(
        self, name: str, description: str, *, user: str, brand: str | None = None
    ) -> None: ...

    def feeds(self) -> list[FeedRow]:
        """The feeds of feeds.yaml, with their health."""
        ...

    def add_feed(self, url: str, *, user: str) -> str:
        """Validate and fetch the feed once, then save it; the feed's name. Raises TrendbotError."""
        ...

    def mute(self, ref: str, *, user: str) -> str:
        """Mute words or a story id; what was muted, in words."""
        ...

    def unmute(self, ref: str) -> bool: ...

    def rising_now(self, *, brand: str | None = None, n: int = 10) -> list[Entry]: ...

    def awaiting(self, *, brand: str | None = None) -> list[Pitch]: ...

    def week(self, *, brand: str | None = None) -> dict[str, int]: ...

    def share_link(self, url: str, *, brand: str | None = None) -> Shared:
        """ "Pitch this": the article's story pitched for the brand, or why not."""
        ...

    def stats(self, *, brand: str | None = None) -> dict[str, Any]:
        """pitches_week, pitches_month, approved, rejected, approval_rate (0..1 or None),
        median_minutes_to_pitch, median_minutes_to_decision (None when unknown)."""
        ...

    def decide(
        self,
        pitch_id: int,
        action: str,
        *,
        user: str,
        reason: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        text: str | None = None,
    ) -> Pitch:
        """Record approve | reject | snooze | not_our_topic | edit (text: the new draft), teach
        the theme matcher, and return the updated pitch."""
        ...


class Editors:
    """Who may decide: the listed users, members of a user group, or anyone if neither is set."""

    def __init__(
        self,
        users: Iterable[str],
        group: str | None,
        client: WebClient,
        *,
        ttl: float = EDITOR_GROUP_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.users = frozenset(users)
        self.group = group
        self.client = client
        self.ttl = ttl
        self.clock = clock
        self._members: frozenset[str] = frozenset()
        self._fetched: float | None = None
        self._lock = threading.Lock()

    @property
    def everyone(self) -> bool:
        return not self.users and not self.group

    def check(self, user: str) -> bool:
        if self.everyone or user in self.users:
            return True
        return self.group is not None and user in self._group_members()

    def _group_members(self) -> frozenset[str]:
        with self._lock:
            if self._fetched is not None and self.clock() - self._fetched < self.ttl:
                return self._members
            try:
                response = self.client.usergroups_users_list(usergroup=self.group or "")
                self._members = frozenset(response.get("users") or [])
            except (SlackClientError, URLError, OSError) as e:
                # Keep the last known members: a Slack hiccup must not lock editors out.
                log.warning("slack.editor_group_unavailable", group=self.group, error=_line(e))
            self._fetched = self.clock()
            return self._members


class SlackBot:
    """The handlers. Each one acknowledges first, then calls the backend."""

    def __init__(self, backend: Backend, client: WebClient, *, editors: Editors | None = None):
        self.backend = backend
        self.client = client
        self._editors_override = editors  # tests: one Editors for every brand and theme
        self._editors: dict[tuple[frozenset[str], str | None], Editors] = {}
        self._editors_lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self.backend.settings  # reloaded when a theme or a feed is added from Slack

    @property
    def msg(self) -> Messages:
        """The first brand's words: for whatever concerns no brand in particular."""
        return Messages(self.settings.brand.language)

    def msg_of(self, brand: BrandSettings) -> Messages:
        return Messages(brand.language)

    def brand_of_pitch(self, pitch: Pitch) -> BrandSettings:
        return self.settings.brand_named(pitch.brand) or self.settings.brand

    def editors_for(self, brand: BrandSettings, theme: str | None = None) -> Editors:
        """Who decides the brand's pitches (on `theme`): the theme's editors, the brand's, or
        the `slack:` section's; a user group the same way."""
        if self._editors_override is not None:
            return self._editors_override
        listed, group = self.settings.editors_of(brand, theme)
        users = frozenset(listed)
        with self._editors_lock:  # one cache of a group's members per group, kept between calls
            key = (users, group)
            if key not in self._editors:
                self._editors[key] = Editors(users, group, self.client)
            return self._editors[key]

    # /trend -----------------------------------------------------------------------------------

    def _brand_asked(self, cmd: Command, command: dict[str, Any]) -> BrandSettings:
        """`--brand NAME`, else the brand whose channel this is, else the first brand."""
        if cmd.brand:
            return self.backend.brand(cmd.brand)  # ConfigError names the brands there are
        channel = (str(command.get("channel_id") or ""), str(command.get("channel_name") or ""))
        return self.settings.brand_of_channel(*channel) or self.settings.brand

    def ack_trend(self, ack: Ack, command: dict[str, Any]) -> None:
        cmd = parse_command(command.get("text") or "")
        user = str(command.get("user_id") or "")
        log.info("slack.command", command=cmd.name, user=user)
        try:
            brand = self._brand_asked(cmd, command)
        except TrendbotError as e:
            ack(text=self.msg("error", error=cards.escape(str(e))), response_type="ephemeral")
            return
        msg = self.msg_of(brand)
        if cmd.name == "search":
            ack()  # the answer comes within a second: no "working" note to clutter the channel
            return
        if cmd.name in EDITORS_ONLY and not self.editors_for(brand).check(user):
            ack(text=msg("only_editors_command"), response_type="ephemeral")
            return
        if cmd.name in SLOW:
            ack(
                text=msg(f"working.{cmd.name}", ref=shown(cmd.arg), url=shown(cmd.arg)),
                response_type="ephemeral",
            )
            return
        reply = self._answer_safely(cmd, command, brand)
        ack(text=reply.text, response_type="in_channel" if reply.share else "ephemeral")

    def answer_trend(self, command: dict[str, Any], respond: Respond) -> None:
        """Lazy listener: runs after the ack, for the slow subcommands only."""
        cmd = parse_command(command.get("text") or "")
        if cmd.name not in SLOW:
            return
        user = str(command.get("user_id") or "")
        try:
            brand = self._brand_asked(cmd, command)
        except TrendbotError:
            return  # the ack said so
        if cmd.name in EDITORS_ONLY and not self.editors_for(brand).check(user):
            return  # the ack said so
        reply = self._answer_safely(cmd, command, brand)
        respond(text=reply.text, response_type="in_channel" if reply.share else "ephemeral")

    def _answer_safely(self, cmd: Command, command: dict[str, Any], brand: BrandSettings) -> Answer:
        user = str(command.get("user_id") or "")
        channel = str(command.get("channel_id") or "")
        msg = self.msg_of(brand)
        asker = Asker(
            user=user,
            channel=channel,
            is_editor=lambda: self.editors_for(brand).check(user),
            post_pitch=lambda pitch: self._post_card(pitch, channel),
            brand=brand.name,
        )
        try:
            return answer(cmd, self.backend, msg, asker)
        except Exception as e:  # the person still gets an answer; the log gets the details
            log.error("slack.command_failed", command=cmd.name, error=_line(e))
            logging.getLogger("trendbot.slack").debug("traceback", exc_info=True)
            return Answer(msg("error.unexpected"))

    def _post_card(self, pitch: Pitch, fallback_channel: str) -> str:
        brand = self.brand_of_pitch(pitch)
        target = self.settings.channel_of(brand, pitch.theme) or fallback_channel
        posted = self.backend.post_card(self.client, pitch, target, messages=self.msg_of(brand))
        return posted.slack_channel or target

    # buttons and the reject modal ---------------------------------------------------------------

    def on_decision_button(self, body: dict[str, Any]) -> None:
        action = body["actions"][0]
        if not self._first_delivery(_action_key(body), "action"):
            return
        pitch_id = int(action["value"])
        channel, ts = self._card_of(body, pitch_id)
        user = body["user"]["id"]
        self.decide(
            user=user,
            pitch_id=pitch_id,
            action=cards.DECISION_ACTIONS[action["action_id"]],
            channel=channel,
            message_ts=ts,
            home=_from_home(body),
        )
        if _from_home(body):
            self.on_home_opened({"tab": "home", "user": user})  # the page shows the decision

    def _card_of(self, body: dict[str, Any], pitch_id: int) -> tuple[str, str]:
        """The card a button is on: the message it was pressed on, or, from the Home tab, the
        pitch's card in its channel."""
        if not _from_home(body):
            ts = body["container"].get("message_ts") or body["message"]["ts"]
            return body["channel"]["id"], ts
        pitch = self.backend.pitch(pitch_id)
        return (pitch.slack_channel or "", pitch.slack_ts or "") if pitch else ("", "")

    def on_reject_button(self, body: dict[str, Any]) -> None:
        if not self._first_delivery(_action_key(body), "action"):
            return
        user, pitch_id = body["user"]["id"], int(body["actions"][0]["value"])
        channel, ts = self._card_of(body, pitch_id)
        pitch = self._decidable(pitch_id, user, channel, None, home=_from_home(body))
        if pitch is None:
            return
        modal = cards.reject_modal(
            pitch, self.msg_of(self.brand_of_pitch(pitch)), channel=channel, ts=ts
        )
        try:
            with poster.slack_errors(self.msg, "views.open", channel):
                self.client.views_open(trigger_id=body["trigger_id"], view=modal)
        except SlackError as e:
            log.warning("slack.modal_failed", pitch=pitch.id, error=str(e))

    def on_reject_submit(self, body: dict[str, Any], view: dict[str, Any]) -> None:
        if not self._first_delivery(f"view:{view['id']}:{view.get('hash', '')}", "view"):
            return
        where = json.loads(view.get("private_metadata") or "{}")
        self.decide(
            user=body["user"]["id"],
            pitch_id=int(where["pitch_id"]),
            action="reject",
            channel=where["channel"],
            message_ts=where["ts"],
            reason=cards.reject_reason(view) or None,
        )

    # decisions replied in a card's thread --------------------------------------------------------

    def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        message = thread_reply(event)
        if message is None:
            return
        thread_ts, ts = message.get("thread_ts"), message.get("ts")
        reply = parse_reply(message.get("text") or "")
        if reply is None:
            return
        channel = str(event.get("channel") or "")
        pitch_id = self._pitch_for_card(channel, str(thread_ts))
        if pitch_id is None:
            return
        key = str(body.get("event_id") or f"{channel}:{ts}")
        if not self._first_delivery(key, "event"):
            log.info("slack.duplicate_event", event_id=key)
            return
        self.decide(
            user=str(message.get("user") or ""),
            pitch_id=pitch_id,
            action=reply.action,
            channel=channel,
            message_ts=str(ts),
            reason=reply.reason,
            text=reply.text,
            thread_ts=str(thread_ts),
        )

    # the one way to decide ----------------------------------------------------------------------

    def decide(
        self,
        *,
        user: str,
        pitch_id: int,
        action: str,
        channel: str,
        message_ts: str,
        reason: str | None = None,
        text: str | None = None,
        thread_ts: str | None = None,
        home: bool = False,
    ) -> Pitch | None:
        """Check who asks and what state the pitch is in, decide, then show it on the card.
        Refusals are private: beside the card, or in the app's DM when asked from Home."""
        pitch = self._decidable(pitch_id, user, channel, thread_ts, home=home)
        if pitch is None:
            return None
        msg = self.msg_of(self.brand_of_pitch(pitch))
        try:
            decided = self.backend.decide(
                pitch_id,
                action,
                user=user,
                reason=reason,
                channel=channel,
                message_ts=message_ts,
                text=text,
            )
        except TrendbotError as e:
            failed = msg("decision_failed", error=str(e))
            self._ephemeral(channel, user, failed, thread_ts, home=home)
            return None
        log.info("slack.decision", pitch=pitch_id, action=action, user=user, brand=pitch.brand)
        at = self.backend.now()
        self._show_decision(decided, action, user, reason, at, msg)
        if action == "approve" and self.settings.slack.publish_channel:
            self._publish(decided, user, at, msg)
        return decided

    def _decidable(
        self, pitch_id: int, user: str, channel: str, thread_ts: str | None, *, home: bool
    ) -> Pitch | None:
        """The pitch, when `user` may decide on it now; else tell them why not, privately."""
        pitch = self.backend.pitch(pitch_id)
        if pitch is None:
            self._ephemeral(channel, user, self.msg("unknown_pitch"), thread_ts, home=home)
            return None
        brand = self.brand_of_pitch(pitch)
        msg = self.msg_of(brand)
        if not self.editors_for(brand, pitch.theme).check(user):
            self._ephemeral(channel, user, msg("only_editors"), thread_ts, home=home)
            return None
        if pitch.state in FINAL_STATES:
            state = msg(f"state.{pitch.state}")
            text = msg("already_decided", pitch_id=pitch_id, state=state)
            self._ephemeral(channel, user, text, thread_ts, home=home)
            return None
        return pitch

    def _show_decision(
        self, pitch: Pitch, action: str, user: str, reason: str | None, at: datetime, msg: Messages
    ) -> None:
        if not (pitch.slack_channel and pitch.slack_ts):
            return
        card = cards.decided_message(pitch, msg, action=action, user=user, at=at, reason=reason)
        try:
            with poster.slack_errors(msg, "chat.update", pitch.slack_channel):
                self.client.chat_update(channel=pitch.slack_channel, ts=pitch.slack_ts, **card)
        except SlackError as e:  # the decision is recorded; only its display is late
            log.warning("slack.card_not_updated", pitch=pitch.id, error=str(e))

    def _publish(self, pitch: Pitch, user: str, at: datetime, msg: Messages) -> None:
        target = self.settings.slack.publish_channel or ""
        try:
            with poster.slack_errors(msg, "chat.postMessage", target):
                channel = poster.resolve_channel(self.client, target, msg)
                final = cards.final_message(
                    pitch, msg, user=user, channel=pitch.slack_channel or "", at=at
                )
                self.client.chat_postMessage(channel=channel, **final)
        except SlackError as e:
            log.warning("slack.publish_failed", pitch=pitch.id, error=str(e))

    # "Draft a pitch" on a digest or the Home tab -----------------------------------------------

    def on_draft_button(self, body: dict[str, Any]) -> None:
        """Draft and post a pitch for a story an editor picked from a digest or the Home tab;
        say where it went (in the digest's thread), or why there is none."""
        if not self._first_delivery(_action_key(body), "action"):
            return
        user = body["user"]["id"]
        asked = json.loads(body["actions"][0]["value"])
        brand = self.settings.brand_named(str(asked.get("brand") or "")) or self.settings.brand
        msg = self.msg_of(brand)
        channel = (body.get("channel") or {}).get("id") or self.settings.channel_of(brand)
        home = _from_home(body)
        thread = None if home else body["container"].get("message_ts")
        if not self.editors_for(brand).check(user):
            self._ephemeral(channel, user, msg("only_editors"), thread, home=home)
            return
        try:
            pitch, new = self.backend.draft_once(int(asked["story_id"]), brand=brand.name)
            if new:
                target = self._post_card(pitch, channel)
                text = msg("digest.drafted", user=user, pitch_id=pitch.id, channel=f"<#{target}>")
            else:
                text = msg("digest.already", user=user, pitch_id=pitch.id)
        except TrendbotError as e:
            label = str(asked.get("story_id"))
            text = msg("digest.not_drafted", label=f"#{label}", reason=cards.escape(str(e)))
            self._ephemeral(channel, user, text, thread, home=home)
            return
        log.info("slack.drafted", pitch=pitch.id, user=user, brand=brand.name)
        if thread is not None:
            try:
                with poster.slack_errors(msg, "chat.postMessage", channel):
                    self.client.chat_postMessage(channel=channel, thread_ts=thread, text=text)
            except SlackError as e:
                log.warning("slack.drafted_not_said", pitch=pitch.id, error=str(e))
        else:
            self.on_home_opened({"tab": "home", "user": user})

    # "Pitch this" on a message with a link ------------------------------------------------------

    def on_pitch_this(self, body: dict[str, Any]) -> None:
        """Fetch the message's first link, find or start its story, pitch it for the channel's
        brand; answer in the message's thread with the pitch or why there is none."""
        if not self._first_delivery(f"shortcut:{body.get('action_ts')}", "shortcut"):
            return
        user = body["user"]["id"]
        channel = body["channel"]["id"]
        message = body.get("message") or {}
        thread = str(message.get("thread_ts") or message.get("ts") or body.get("message_ts"))
        named = str(body["channel"].get("name") or "")
        brand = self.settings.brand_of_channel(channel, named) or self.settings.brand
        msg = self.msg_of(brand)
        links = links_in(str(message.get("text") or ""))
        if not links:
            self._ephemeral(channel, user, msg("shortcut.no_link"), thread)
            return
        log.info("slack.pitch_this", user=user, brand=brand.name)
        try:
            shared = self.backend.share_link(links[0], brand=brand.name)
            text = self._shared_text(shared, msg)
        except TrendbotError as e:
            text = msg("shortcut.failed", url=links[0], error=cards.escape(str(e)))
        try:
            with poster.slack_errors(msg, "chat.postMessage", channel):
                self.client.chat_postMessage(channel=channel, thread_ts=thread, text=text)
        except SlackError as e:  # e.g. not in that channel: tell the person at least
            log.warning("slack.pitch_this_not_said", error=str(e))
            self._ephemeral(channel, user, text, thread)

    def _shared_text(self, shared: Shared, msg: Messages) -> str:
        label = cards.escape(shared.label)
        if shared.outcome == "pitched" and shared.pitch is not None:
            where = self._post_card(shared.pitch, "")
            pitch = shared.pitch
            head = msg("shortcut.pitched", pitch_id=pitch.id, theme=cards.escape(pitch.theme),
                       channel=f"<#{where}>")  # fmt: skip
            return f"{head}\n>{cards.escape(pitch.draft)}"
        if shared.outcome == "already" and shared.pitch is not None:
            return msg("shortcut.already", label=label, pitch_id=shared.pitch.id)
        if shared.outcome == "unsafe":
            return msg("shortcut.unsafe", label=label, reason=cards.escape(shared.reason))
        if shared.outcome == "off_theme":
            return msg("shortcut.off_theme", label=label)
        return msg("shortcut.no_story", label=label)

    # the Home tab -------------------------------------------------------------------------------

    def on_home_opened(self, event: dict[str, Any]) -> None:
        """Publish the person's Home page, fresh at each opening."""
        if event.get("tab") != "home":
            return  # the Messages tab
        user = str(event.get("user") or "")
        view = home_view(self.home_page(user))
        try:
            with poster.slack_errors(self.msg, "views.publish", user):
                self.client.views_publish(user_id=user, **view)
        except SlackError as e:
            log.warning("slack.home_failed", user=user, error=str(e))

    def home_page(self, user: str) -> HomePage:
        """What is rising for the brands `user` decides for (every brand when none: they
        follow them all), their pitches awaiting a decision, and this week's figures."""
        brands = self.settings.brands
        mine = [
            b
            for b in brands
            if any(self.editors_for(b, t).check(user) for t in (None, *(t.name for t in b.themes)))
        ] or list(brands)
        rising = [e for b in mine for e in self.backend.rising_now(brand=b.name)]
        awaiting = [(b.name, p) for b in mine for p in self.backend.awaiting(brand=b.name)]
        week: dict[str, int] = {}
        for b in mine:
            for key, count in self.backend.week(brand=b.name).items():
                week[key] = week.get(key, 0) + count
        return HomePage(
            language=mine[0].language,
            brands=tuple(b.name for b in mine),
            rising=tuple(sorted(rising, key=lambda e: -e.relevance)),
            awaiting=tuple(awaiting),
            week=week,
            updated=self.backend.now(),
        )

    # helpers ------------------------------------------------------------------------------------

    def _first_delivery(self, key: str, kind: str) -> bool:
        return self.backend.first_delivery(key, kind)

    def _pitch_for_card(self, channel: str, ts: str) -> int | None:
        pitch = self.backend.pitch_for_card(channel, ts)
        return pitch.id if pitch else None

    def _ephemeral(
        self, channel: str, user: str, text: str, thread_ts: str | None, *, home: bool = False
    ) -> None:
        """Tell one person: privately beside the message, or, for a button on their Home tab
        (no channel they are sure to be in), in the app's DM with them."""
        try:
            if home:
                with poster.slack_errors(self.msg, "chat.postMessage", user):
                    self.client.chat_postMessage(channel=user, text=text)
                return
            with poster.slack_errors(self.msg, "chat.postEphemeral", channel):
                self.client.chat_postEphemeral(
                    channel=channel, user=user, text=text, thread_ts=thread_ts
                )
        except SlackError as e:
            log.warning("slack.ephemeral_failed", user=user, error=str(e))

    # whatever failed ----------------------------------------------------------------------------

    def on_error(
        self,
        error: Exception,
        body: dict[str, Any],
        request: BoltRequest,
        response: BoltResponse | None,
    ) -> BoltResponse | None:
        """bolt's global error handler: one log line, and a private answer to the person. Returns
        the HTTP answer when bolt still has one to send (never a 500: Slack would show an error)."""
        kind = _kind(body)
        ack = request.context.ack
        acked = ack is not None and ack.response is not None
        if not acked and response is not None and kind == "command":
            _log_failure(kind, error)
            text = self.msg("error.unexpected")
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": text})
        self.report_failure(error, body)
        if response is None:  # bolt has answered Slack already
            return None
        if acked and ack is not None and ack.response is not None:
            return ack.response
        return BoltResponse(status=200, body="")

    def report_failure(self, error: Exception, body: dict[str, Any]) -> None:
        """One log line, and a private answer to whoever sent `body`."""
        kind = _kind(body)
        _log_failure(kind, error)
        self._tell_privately(kind, body, self.msg("error.unexpected"))

    def answering(self, handler: Callable[..., None]) -> Callable[..., None]:
        """`handler`, for listeners acknowledged first, with its failures reported here: when
        such a listener raises, bolt resets the sent ack and, if its waiting thread looks after
        that, answers Slack 404 after a 3-s wait (a race the CI machine lost)."""
        if "body" not in inspect.signature(handler).parameters:
            raise TypeError(
                f"{handler.__name__} must take `body`: its failures are told to its sender"
            )

        @functools.wraps(handler)
        def run(*args: Any, **kwargs: Any) -> None:
            try:
                handler(*args, **kwargs)
            except Exception as e:  # every failure gets its answer
                self.report_failure(e, kwargs.get("body") or {})

        return run

    def _tell_privately(self, kind: str, body: dict[str, Any], text: str) -> None:
        """Say `text` to whoever sent `body`, where they are: the channel, the thread, or (when a
        modal says nowhere) the editors' channel."""
        event = body.get("event") or {}
        if kind == "command":
            user, channel = body.get("user_id"), body.get("channel_id")
        elif kind == "event_callback":
            message = thread_reply(event) or event
            user, channel = message.get("user"), event.get("channel")
            self._ephemeral(str(channel or ""), str(user or ""), text, message.get("thread_ts"))
            return
        else:
            user = (body.get("user") or {}).get("id")
            channel = (body.get("channel") or {}).get("id") or self.settings.slack.channel
        if user and channel:
            self._ephemeral(str(channel), str(user), text, None)


def _skip_token_warning(record: logging.LogRecord) -> bool:
    # bolt warns that SLACK_BOT_TOKEN is unused whenever a client is given: ours carries it.
    return record.getMessage() != warning_client_prioritized_and_token_skipped()


def make_app(
    backend: Backend,
    secrets: Secrets,
    *,
    client: WebClient | None = None,
    process_before_response: bool = False,
    editors: Editors | None = None,
) -> App:
    """The bolt App wired to `backend`. Socket Mode when SLACK_APP_TOKEN is set, else HTTP."""
    msg = Messages(backend.settings.brand.language)
    signing_secret = secrets.slack_signing_secret
    if signing_secret is None and secrets.slack_app_token is None:
        raise ConfigError(msg("slack.no_signing_secret"))
    client = client or poster.make_client(secrets)
    bolt_log = logging.getLogger("trendbot.slack.bolt")
    if not bolt_log.filters:
        bolt_log.addFilter(_skip_token_warning)
    try:
        app = App(
            client=client,
            signing_secret=signing_secret.get_secret_value() if signing_secret else "",
            process_before_response=process_before_response,
            # bolt gives each request logging.getLogger(name) with the level of `logger`: named
            # after our own bolt logger, that is a no-op; named "trendbot", it reset the level of
            # every trendbot logger, and slack.command or slack.decision lines were lost.
            name=bolt_log.name,
            logger=bolt_log,
        )
    except BoltError as e:
        raise SlackError(msg("slack.auth", error=_line(e))) from None
    except (SlackClientError, URLError, OSError) as e:
        raise SlackError(msg("slack.down", error=_line(e))) from None
    bot = SlackBot(backend, client, editors=editors)
    app.error(bot.on_error)
    app.command("/trend")(ack=bot.ack_trend, lazy=[bot.answer_trend])
    first = [acknowledge_first]
    answering = bot.answering
    app.action(DECISION_BUTTONS, middleware=first)(answering(bot.on_decision_button))
    app.action(cards.REJECT_ACTION, middleware=first)(answering(bot.on_reject_button))
    app.action(DRAFT_ACTION, middleware=first)(answering(bot.on_draft_button))
    app.view(cards.REJECT_VIEW, middleware=first)(answering(bot.on_reject_submit))
    app.event("message")(bot.on_message)  # events are acknowledged by bolt, without the race
    app.event("app_home_opened")(bot.on_home_opened)
    app.shortcut(PITCH_THIS, middleware=first)(answering(bot.on_pitch_this))
    return app


def run_socket_mode(app: App, secrets: Secrets, *, block: bool = True) -> SocketModeHandler:
    """Connect over Socket Mode; `block=False` returns once connected (the scheduler runs on)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if secrets.slack_app_token is None:
        raise ConfigError(Messages()("slack.no_app_token"))
    handler = SocketModeHandler(app, app_token=secrets.slack_app_token.get_secret_value())
    if block:
        handler.start()
    else:
        handler.connect()
    return handler


def wsgi_app(app: App, *, healthy: Callable[[], bool] | None = None) -> WSGIApplication:
    """bolt's WSGI adapter on /slack/events, plus /healthz for load balancers and Docker."""
    slack = _SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH:
            ok = healthy() if healthy is not None else True
            status = "200 OK" if ok else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json")])
            return [json.dumps({"ok": ok}).encode()]
        return slack(environ, start_response)

    return application


def default_host() -> str:
    """$TRENDBOT_HOST (the Dockerfile sets 0.0.0.0), else loopback."""
    return os.environ.get(HOST_ENV) or DEFAULT_HOST


class HttpServer:
    """A running /slack/events server: call it to stop it; `port` is the one it got (port 0
    asks for a free one)."""

    def __init__(self, host: str, port: int, stop: Callable[[], None]) -> None:
        self.host, self.port, self._stop = host, port, stop

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __call__(self) -> None:
        self._stop()


def start_http(
    app: App,
    *,
    host: str | None = None,
    port: int = 3000,
    threads: int = 8,
    healthy: Callable[[], bool] | None = None,
) -> HttpServer:
    """Serve /slack/events and /healthz from a background thread on `host` (default:
    `default_host()`); returns the server, a callable that stops it. The caller's thread stays
    free to wait for a stop (a signal handler that raised into a server loop could leave a lock
    held).

    waitress when it is installed: a production WSGI server in pure Python (no compiler, runs on
    slim images), with a thread pool in ONE process, which trendbot needs (one store lease, one
    scheduler, one editor cache); gunicorn's pre-forked workers would each run the scheduler.
    Without it, the standard library's wsgiref, which is only fit for trying trendbot out.
    """
    host = host or default_host()
    application = wsgi_app(app, healthy=healthy)
    try:
        from waitress.server import create_server
    except ImportError:
        log.warning("slack.http_dev_server", hint="pip install waitress for production")
        dev = wsgiref_dev_server(application, host, port)
        threading.Thread(target=dev.serve_forever, name="slack-http", daemon=True).start()

        def stop_dev() -> None:
            dev.shutdown()
            dev.server_close()

        return HttpServer(host, dev.server_address[1], stop_dev)
    server: Any = create_server(
        application, host=host, port=port, threads=threads, ident="trendbot"
    )
    stopped = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except OSError:
            # closing the socket from the stopping thread can wake the loop on a closed fd
            if not stopped.is_set():
                raise

    threading.Thread(target=serve, name="slack-http", daemon=True).start()

    def stop() -> None:
        stopped.set()
        # the listener and every connection still open (a keep-alive, one closing): a socket
        # left to the garbage collector is a leak, and a ResourceWarning in the tests
        for channel in [server, *list(server._map.values())]:
            channel.close()
        server.task_dispatcher.shutdown()

    return HttpServer(host, int(server.effective_port), stop)


class _SlackRequestHandler:
    """bolt's WSGI adapter, except that a body bolt cannot parse (`payload=` that is not JSON, a
    JSON body that does not parse) is answered 400 in one line: bolt reads the body before it
    checks the signature, so these would otherwise be a 500 and a traceback for anyone to cause."""

    def __init__(self, app: App, path: str) -> None:
        from slack_bolt.adapter.wsgi import SlackRequestHandler

        class Handler(SlackRequestHandler):
            def dispatch(self, request: Any) -> BoltResponse:
                try:
                    bolt_request = BoltRequest(
                        body=request.get_body(),
                        query=request.query_string,
                        headers=request.get_headers(),
                    )
                except ValueError as e:  # JSON, UTF-8 and form decoding errors alike
                    log.warning("slack.bad_request", error=_line(e))
                    return BoltResponse(status=400, body=BAD_REQUEST)
                return self.app.dispatch(bolt_request)

        self._handler = Handler(app, path=path)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._handler(environ, start_response)


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _LoggingHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.debug("slack.http", request=redact(format % args))


def wsgiref_dev_server(application: WSGIApplication, host: str, port: int) -> WSGIServer:
    """The standard library's WSGI server, one thread a request: for development and tests only."""
    return make_server(
        host, port, application, server_class=_ThreadingWSGIServer, handler_class=_LoggingHandler
    )


def thread_reply(event: dict[str, Any]) -> dict[str, Any] | None:
    """The person's message in a thread that `event` brings: a reply, a reply also sent to the
    channel (`thread_broadcast`), or a reply edited into new words (`message_changed`); None for
    anything else (bots, the card itself, joins, an unfurl that changed no word)."""
    message = event
    if event.get("subtype") == "message_changed":
        message = event.get("message") or {}
        before = event.get("previous_message") or {}
        if message.get("text") == before.get("text"):
            return None
    if message.get("subtype") not in (None, "thread_broadcast") or message.get("bot_id"):
        return None
    thread_ts, ts = message.get("thread_ts"), message.get("ts")
    if not thread_ts or thread_ts == ts or not message.get("user"):
        return None
    return message


def acknowledge_first(ack: Ack, next: Callable[[], None]) -> None:
    """Listener middleware: Slack hears back at once, whatever the handler then does."""
    ack()
    next()


def _from_home(body: dict[str, Any]) -> bool:
    return (body.get("container") or {}).get("type") == "view"


def _action_key(body: dict[str, Any]) -> str:
    action = body["actions"][0]
    return f"{body['user']['id']}:{action.get('action_ts') or body.get('trigger_id')}"


def _kind(body: dict[str, Any]) -> str:
    return str(body.get("type") or ("command" if body.get("command") else "unknown"))


def _log_failure(kind: str, error: Exception) -> None:
    log.error("slack.handler_failed", kind=kind, error=_line(error))
    logging.getLogger("trendbot.slack").debug("traceback", exc_info=error)


def _line(error: BaseException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return redact(text)
