"""Delivery: new pitches and their thread updates go to Slack when a bot token is set, else to
the terminal; whatever Slack refused waits for the next round, never dropped. Also the digest."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from trendbot.core import Trendbot
from trendbot.digest import Digest
from trendbot.errors import SlackError
from trendbot.logs import get_logger
from trendbot.settings import Secrets
from trendbot.store import iso
from trendbot.types import Pitch, PitchState

log = get_logger("trendbot.scheduler")


class Delivery:
    """Where pitches go: Slack when a bot token is set, else the terminal."""

    def __init__(self, bot: Trendbot, secrets: Secrets, *, printer: Callable[[Pitch], None]):
        self.bot = bot
        self.secrets = secrets
        self.printer = printer
        self.client: Any = None
        if secrets.slack_enabled:
            from trendbot.slack.poster import make_client

            # a proxy, or a fake Slack in tests; never needed against the real Slack
            self.client = make_client(secrets, base_url=os.environ.get("TRENDBOT_SLACK_API_URL"))

    def deliver(self) -> int:
        """Post (or print) every pitch not delivered yet, then pending thread updates."""
        store = self.bot.store
        settings = self.bot.settings
        done = 0
        for pitch in reversed(store.pitches(states=[PitchState.PROPOSED])):
            if pitch.slack_ts:
                continue
            # the brand's channel, or its theme's own; a brand gone from feeds.yaml: the first's
            brand = settings.brand_named(pitch.brand) or settings.brand
            channel = settings.channel_of(brand, pitch.theme)
            if self.client is None or not channel:
                self.printer(pitch)
                assert pitch.id is not None
                store.set_pitch_slack(pitch.id, channel="terminal", ts=iso(self.bot.now()))
                store.set_pitch_state(
                    pitch.id, PitchState.POSTED, now=self.bot.now(), channel="terminal"
                )
            else:
                from trendbot.slack.messages import Messages
                from trendbot.slack.poster import post_pitch

                msg = Messages(brand.language)
                try:
                    post_pitch(self.client, store, pitch, channel, messages=msg)
                except SlackError as e:
                    log.warning("deliver.slack_down", pitch=pitch.id, error=str(e))
                    return done  # Slack is down: everything waits for the next round, in order
            done += 1
        if self.client is not None:
            from trendbot.slack.poster import post_update

            for update in store.unposted_thread_updates():
                carded = store.pitch(update.pitch_id)
                if carded is None or not carded.slack_ts or carded.slack_channel == "terminal":
                    store.mark_thread_update_posted(update.id, "-")
                    continue
                try:
                    ts = post_update(self.client, carded, update.text)
                except SlackError as e:
                    log.warning("deliver.update_failed", pitch=carded.id, error=str(e))
                    break
                store.mark_thread_update_posted(update.id, ts)
        return done

    def digests(self) -> int:
        """Each brand's digest when its time came and it is not out yet (Slack, else the
        terminal); how many went out. A period is posted once across restarts and crashes."""
        sent = 0
        for brand in self.bot.settings.brands:
            period = self.bot.digest_due(brand.name)
            if period is None:
                continue
            digest = self.bot.digest(period)
            channel = self.bot.settings.channel_of(brand)
            if not digest.entries:  # nothing rose on its themes: no message to skim past
                self.bot.digest_printed(digest, how="empty")
                log.info("digest.empty", brand=brand.name, period=period.key)
                continue
            if self.client is None or not channel:
                print(digest_text(digest), flush=True)
                self.bot.digest_printed(digest)
            else:
                from trendbot.slack.messages import Messages

                try:
                    self.bot.post_digest(self.client, digest, messages=Messages(brand.language))
                except SlackError as e:  # noted as posting, or not at all: the next round retries
                    log.warning("digest.failed", brand=brand.name, error=str(e))
                    continue
            sent += 1
        return sent


def digest_text(digest: Digest) -> str:
    """A digest as plain text, for the terminal."""
    from trendbot.slack.messages import Messages

    msg = Messages(digest.language)
    since = f"{digest.period.start:%Y-%m-%d %H:%M} UTC"
    title = msg("digest.fallback", brand=digest.period.brand, count=len(digest.entries),
                since=since)  # fmt: skip
    lines = [title]
    for entry in digest.entries:
        line = f"• [{entry.theme}] {entry.label} · {entry.why_now}"
        if entry.pitch_id is not None:
            line += f" · pitch #{entry.pitch_id}"
        lines.append(line)
    return "\n".join(lines)
