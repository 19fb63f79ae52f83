"""Block Kit for pitch cards, their threads, decisions and the reject modal.

Built with `slack_sdk.models` so that a card Slack would refuse (a header over 150 characters,
too many blocks) fails in our tests rather than in the channel. Every function returns the keyword
arguments of one Web API call (`chat.postMessage`, `chat.update`, `views.open`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    RichTextBlock,
    RichTextElementParts,
    RichTextPreformattedElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from trendbot.slack.messages import Messages
from trendbot.types import Pitch, SourceLink

PITCH_EVENT = "trendbot_pitch"  # message metadata: how a restart finds a card it posted
REJECT_ACTION = "trendbot_reject"
REJECT_VIEW = "trendbot_reject"
# action_id -> the decision it asks for (Reject opens a modal first)
DECISION_ACTIONS = {
    "trendbot_approve": "approve",
    "trendbot_snooze": "snooze",
    "trendbot_not_our_topic": "not_our_topic",
}
FINAL_ACTIONS = frozenset({"approve", "reject", "not_our_topic"})  # the buttons go away
CARD_SOURCES = 3  # links on the card itself; the thread lists them all
HEADER_MAX = 150
SECTION_MAX = 3000
FIELD_MAX = 2000
REASON_MAX = 500
THREAD_SECTIONS = 10  # 30,000 characters of links: under a message's 40,000


def escape(text: str) -> str:
    """Text as mrkdwn shows it: Slack reads &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def link(source: SourceLink) -> str:
    title = escape(clip(source.title or source.url, 200)).replace("|", "¦")
    url = source.url.replace(">", "%3E").replace("|", "%7C")
    by = f" ({escape(source.source)})" if source.source else ""
    return f"<{url}|{title}>{by}" if url.startswith(("http://", "https://")) else title + by


def when(moment: datetime) -> str:
    """A time each reader sees in their own time zone, with a UTC fallback."""
    fallback = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def hashtags(pitch: Pitch) -> str:
    return " ".join(f"#{tag.lstrip('#')}" for tag in pitch.hashtags if tag.strip("# "))


def final_text(pitch: Pitch) -> str:
    """What gets published: the draft, with the hashtags it does not already carry."""
    missing = [t for t in hashtags(pitch).split() if t.lower() not in pitch.draft.lower()]
    return f"{pitch.draft}\n\n{' '.join(missing)}" if missing else pitch.draft


def pitch_message(
    pitch: Pitch, msg: Messages, *, status: Sequence[str] = (), buttons: bool = True
) -> dict[str, Any]:
    """chat.postMessage / chat.update arguments for a pitch card."""
    blocks: list[Block] = [
        HeaderBlock(text=clip(msg("card.header", label=pitch.story_label), HEADER_MAX)),
        ContextBlock(elements=[MarkdownTextObject(text=t) for t in _card_context(pitch, msg)]),
        SectionBlock(text=msg("card.draft")),
        RichTextBlock(
            elements=[
                RichTextPreformattedElement(elements=[RichTextElementParts.Text(text=pitch.draft)])
            ]
        ),
        SectionBlock(fields=_fields(pitch, msg)),
        SectionBlock(text=clip(msg("card.why_now", why_now=_why_now(pitch)), SECTION_MAX)),
        _safety(pitch, msg),
    ]
    if pitch.sources:
        blocks.append(SectionBlock(text=_card_sources(pitch, msg)))
    if buttons and pitch.id is not None:
        blocks.append(_buttons(pitch.id, msg))
    if status:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=s) for s in status]))
    footer = _footer(pitch, msg, hint=buttons)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return {
        "text": msg("card.fallback", theme=pitch.theme, label=pitch.story_label),
        "blocks": [b.to_dict() for b in blocks],
        "metadata": {"event_type": PITCH_EVENT, "event_payload": {"pitch_id": pitch.id}},
    }


def decided_message(
    pitch: Pitch,
    msg: Messages,
    *,
    action: str,
    user: str,
    at: datetime,
    reason: str | None = None,
) -> dict[str, Any]:
    """chat.update arguments: the card with who decided, when and why; final ones lose buttons."""
    status = [msg(f"decided.{action}", user=user, when=when(at))]
    if reason:
        status.append(msg("decided.reason", reason=escape(clip(reason, REASON_MAX))))
    card = pitch_message(pitch, msg, status=status, buttons=action not in FINAL_ACTIONS)
    card["text"] = msg("decided.fallback", status=_plain(status[0]), label=pitch.story_label)
    return card


def sources_message(pitch: Pitch, msg: Messages) -> dict[str, Any]:
    """The card's first thread reply: every source article."""
    lines = [f"• {link(s)}" for s in pitch.sources]
    chunks, shown = _chunks(lines, SECTION_MAX, max_chunks=THREAD_SECTIONS)
    blocks: list[Block] = [SectionBlock(text=msg("sources.title", count=len(lines)))]
    blocks += [SectionBlock(text=chunk) for chunk in chunks]
    if shown < len(lines):
        more = msg("sources.more", count=len(lines) - shown)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return {
        "text": msg("sources.fallback", label=pitch.story_label),
        "blocks": [b.to_dict() for b in blocks],
    }


def update_message(pitch: Pitch, text: str, msg: Messages) -> dict[str, Any]:
    """A thread reply for a story that keeps rising."""
    block = SectionBlock(text=clip(text, SECTION_MAX))
    return {
        "text": msg("update.fallback", label=pitch.story_label),
        "blocks": [block.to_dict()],
    }


def final_message(
    pitch: Pitch, msg: Messages, *, user: str, channel: str, at: datetime
) -> dict[str, Any]:
    """The approved copy, for slack.publish_channel."""
    blocks: list[Block] = [
        HeaderBlock(text=clip(msg("final.header", label=pitch.story_label), HEADER_MAX)),
        RichTextBlock(
            elements=[
                RichTextPreformattedElement(
                    elements=[RichTextElementParts.Text(text=final_text(pitch))]
                )
            ]
        ),
    ]
    if pitch.visual:
        blocks.append(
            SectionBlock(text=clip(msg("card.visual", visual=escape(pitch.visual)), SECTION_MAX))
        )
    context = msg(
        "final.context", theme=escape(pitch.theme), user=user, channel=channel, when=when(at)
    )
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=context)]))
    return {
        "text": msg("final.fallback", label=pitch.story_label),
        "blocks": [b.to_dict() for b in blocks],
    }


def reject_modal(pitch: Pitch, msg: Messages, *, channel: str, ts: str) -> dict[str, Any]:
    """views.open's `view`: asks the reason; private_metadata says which card to update."""
    view = View(
        type="modal",
        callback_id=REJECT_VIEW,
        title=msg("modal.title"),
        submit=msg("modal.submit"),
        close=msg("modal.close"),
        private_metadata=json.dumps({"pitch_id": pitch.id, "channel": channel, "ts": ts}),
        blocks=[
            SectionBlock(
                text=clip(msg("modal.intro", label=escape(pitch.story_label)), SECTION_MAX)
            ),
            InputBlock(
                block_id="reason",
                label=msg("modal.reason"),
                element=PlainTextInputElement(
                    action_id="reason",
                    multiline=True,
                    max_length=REASON_MAX,
                    placeholder=msg("modal.placeholder"),
                ),
            ),
        ],
    )
    return view.to_dict()


def reject_reason(view: dict[str, Any]) -> str:
    value = view.get("state", {}).get("values", {}).get("reason", {}).get("reason", {})
    return str(value.get("value") or "").strip()


# pieces -----------------------------------------------------------------------------------------


def _card_context(pitch: Pitch, msg: Messages) -> list[str]:
    parts = [msg("card.theme", theme=escape(pitch.theme))]
    if pitch.angle:
        parts.append(msg("card.angle", angle=escape(pitch.angle)))
    extra = [msg("card.score", score=f"{pitch.score:.1f}")]
    if pitch.languages:
        extra.append(" · ".join(lang.upper() for lang in pitch.languages))
    parts.append(" · ".join(extra))
    if pitch.theme_evidence:
        parts.append(escape(clip(pitch.theme_evidence, FIELD_MAX)))
    return parts


def _fields(pitch: Pitch, msg: Messages) -> list[MarkdownTextObject]:
    tags = hashtags(pitch)
    fields = [
        msg("card.hashtags", hashtags=escape(tags)) if tags else msg("card.no_hashtags"),
    ]
    if pitch.visual:
        fields.append(msg("card.visual", visual=escape(pitch.visual)))
    return [MarkdownTextObject(text=clip(f, FIELD_MAX)) for f in fields]


def _why_now(pitch: Pitch) -> str:
    spark = f" `{pitch.sparkline}`" if pitch.sparkline else ""
    return escape(pitch.why_now) + spark


def _safety(pitch: Pitch, msg: Messages) -> Block:
    if pitch.safety == "safe":
        return ContextBlock(elements=[MarkdownTextObject(text=msg("card.safe"))])
    return SectionBlock(text=safety_warning(pitch, msg))


def safety_warning(pitch: Pitch, msg: Messages) -> str:
    """A pitch's caution, or its block since it was pitched, with the reason."""
    reason = escape(clip(pitch.safety_reason or pitch.safety, 1000)).rstrip(".") + "."
    return msg(f"card.{'blocked' if pitch.blocked else 'caution'}", reason=reason)


def _card_sources(pitch: Pitch, msg: Messages) -> str:
    lines = [f"• {link(s)}" for s in pitch.sources[:CARD_SOURCES]]
    if len(pitch.sources) > CARD_SOURCES:
        lines.append(msg("card.more_sources", count=len(pitch.sources) - CARD_SOURCES))
    text = msg("card.sources", links="\n".join(lines))
    return clip(text, SECTION_MAX)


def _buttons(pitch_id: int, msg: Messages) -> ActionsBlock:
    value = str(pitch_id)
    return ActionsBlock(
        block_id="trendbot_decision",
        elements=[
            ButtonElement(
                text=msg("button.approve"),
                action_id="trendbot_approve",
                value=value,
                style="primary",
            ),
            ButtonElement(
                text=msg("button.reject"), action_id=REJECT_ACTION, value=value, style="danger"
            ),
            ButtonElement(text=msg("button.snooze"), action_id="trendbot_snooze", value=value),
            ButtonElement(
                text=msg("button.not_our_topic"), action_id="trendbot_not_our_topic", value=value
            ),
        ],
    )


def _footer(pitch: Pitch, msg: Messages, *, hint: bool) -> str:
    parts = [msg("card.footer" if hint else "card.id", pitch_id=pitch.id)]
    if pitch.writer == "llm":
        parts.append(msg("card.writer_llm"))
    elif pitch.writer_note:
        parts.append(msg("card.writer_note", note=escape(clip(pitch.writer_note, 300))))
    return clip(" · ".join(parts), FIELD_MAX)


def _chunks(lines: list[str], limit: int, *, max_chunks: int) -> tuple[list[str], int]:
    """Lines joined into at most `max_chunks` texts of `limit` characters; and how many fit."""
    chunks: list[str] = []
    current, used = "", 0
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            if len(chunks) == max_chunks:
                return chunks, used
            current = ""
        current = f"{current}\n{line}" if current else line
        used += 1
    if current:
        chunks.append(current)
    return chunks, used


def _plain(mrkdwn: str) -> str:
    """A status line for notifications, where <!date…|fallback> and <@U…> are not rendered."""
    text = re.sub(r"<!date\^[^|>]*\|([^>]*)>", r"\1", mrkdwn)
    return re.sub(r"<@([A-Z0-9]+)>", r"@\1", text)
