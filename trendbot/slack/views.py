"""Block Kit for the brand digest and the App Home tab (Slack-free data in, API arguments out)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from trendbot.digest import Digest, Entry
from trendbot.slack.cards import (
    DECISION_ACTIONS,
    HEADER_MAX,
    REJECT_ACTION,
    SECTION_MAX,
    clip,
    escape,
    when,
)
from trendbot.slack.messages import Messages
from trendbot.types import Pitch

DIGEST_EVENT = "trendbot_digest"  # message metadata: how a restart finds a digest it posted
DRAFT_ACTION = "trendbot_draft_now"
HOME_PITCHES = 10  # a Home tab holds 100 blocks; ten pitches is what an editor works through


def _entry_text(entry: Entry, msg: Messages) -> str:
    parts = [msg("digest.entry", label=escape(entry.label), why_now=escape(entry.why_now))]
    if entry.pitch_id is not None:
        parts.append(msg("digest.pitched", pitch_id=entry.pitch_id))
    if entry.caution:
        parts.append(msg("digest.caution", reason=escape(entry.caution)))
    return clip(" · ".join(parts), SECTION_MAX)


def _entry_block(entry: Entry, msg: Messages) -> SectionBlock:
    if entry.pitch_id is not None:
        return SectionBlock(text=_entry_text(entry, msg))
    button = ButtonElement(
        text=msg("button.draft_now"),
        action_id=DRAFT_ACTION,
        value=json.dumps({"story_id": entry.story_id, "brand": entry.brand}),
    )
    return SectionBlock(text=_entry_text(entry, msg), accessory=button)


def digest_message(digest: Digest) -> dict[str, Any]:
    """chat.postMessage arguments for one brand's digest."""
    msg = Messages(digest.language)
    period = digest.period
    since = when(period.start)
    blocks: list[Block] = [
        HeaderBlock(text=clip(msg("digest.header", brand=period.brand, since=since), HEADER_MAX))
    ]
    if not digest.entries:
        blocks.append(
            SectionBlock(text=msg("digest.empty", brand=escape(period.brand), since=since))
        )
    theme = None
    for entry in digest.entries:
        if entry.theme != theme:
            theme = entry.theme
            blocks.append(
                ContextBlock(
                    elements=[MarkdownTextObject(text=msg("digest.theme", theme=escape(theme)))]
                )
            )
        blocks.append(_entry_block(entry, msg))
    return {
        "text": msg("digest.fallback", brand=period.brand, count=len(digest.entries), since=since),
        "blocks": [b.to_dict() for b in blocks],
        "metadata": {"event_type": DIGEST_EVENT, "event_payload": {"key": period.key}},
    }


@dataclass(frozen=True)
class HomePage:
    """What one user sees on the Home tab."""

    language: str
    brands: tuple[str, ...]
    rising: tuple[Entry, ...]
    awaiting: tuple[tuple[str, Pitch], ...]  # (brand, pitch) waiting for a decision
    week: dict[str, int] = field(default_factory=dict)  # proposed / approved / rejected
    updated: datetime | None = None


def _decision_buttons(pitch_id: int, msg: Messages) -> ActionsBlock:
    labels = {
        "approve": "button.approve",
        "snooze": "button.snooze",
        "not_our_topic": "button.not_our_topic",
    }
    buttons = [
        ButtonElement(
            text=msg(labels[decision]),
            action_id=action,
            value=str(pitch_id),
            style="primary" if decision == "approve" else None,
        )
        for action, decision in DECISION_ACTIONS.items()
    ]
    buttons.insert(1, ButtonElement(text=msg("button.reject"), action_id=REJECT_ACTION,
                                    value=str(pitch_id), style="danger"))  # fmt: skip
    return ActionsBlock(block_id=f"trendbot_home_{pitch_id}", elements=buttons)


def home_view(page: HomePage) -> dict[str, Any]:
    """views.publish arguments (without user_id) for the Home tab."""
    msg = Messages(page.language)
    blocks: list[Block] = [HeaderBlock(text=msg("home.header"))]
    context = [msg("home.brands", brands=escape(", ".join(page.brands)))]
    if page.updated is not None:
        context.append(when(page.updated))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t) for t in context]))
    blocks.append(SectionBlock(text=msg("home.rising")))
    if not page.rising:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=msg("home.no_rising"))]))
    blocks.extend(_entry_block(entry, msg) for entry in page.rising[:HOME_PITCHES])
    blocks.append(DividerBlock())
    blocks.append(SectionBlock(text=msg("home.awaiting", count=len(page.awaiting))))
    if not page.awaiting:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=msg("home.no_awaiting"))]))
    for brand, pitch in page.awaiting[:HOME_PITCHES]:
        assert pitch.id is not None
        head = msg(
            "home.pitch",
            pitch_id=pitch.id,
            label=escape(pitch.story_label),
            theme=escape(pitch.theme),
            brand=escape(brand),
        )
        blocks.append(SectionBlock(text=clip(f"{head}\n>{escape(pitch.draft)}", SECTION_MAX)))
        blocks.append(_decision_buttons(pitch.id, msg))
    if len(page.awaiting) > HOME_PITCHES:
        more = msg("home.more", count=len(page.awaiting) - HOME_PITCHES)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    blocks.append(DividerBlock())
    week = {k: page.week.get(k, 0) for k in ("proposed", "approved", "rejected")}
    blocks.append(SectionBlock(text=msg("home.week", **week)))
    view = View(type="home", blocks=blocks)
    view.validate_json()
    return {"view": view.to_dict()}
