"""Digest and Home tab blocks: valid Block Kit (slack_sdk checks lengths), the right buttons."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from trendbot.digest import Digest, Entry, Period
from trendbot.slack.views import DIGEST_EVENT, DRAFT_ACTION, HomePage, digest_message, home_view
from trendbot.types import Pitch

T = datetime(2025, 9, 10, 12, 30, tzinfo=UTC)
PERIOD = Period("Daybreak", datetime(2025, 9, 8, 12, 30, tzinfo=UTC), T)


def entry(n: int, theme: str, **extra: object) -> Entry:
    return Entry(n, f"Story {n} " + "x" * 400, theme, 0.5, "9 sources in 2 h", brand="Daybreak",
                 **extra)  # type: ignore[arg-type]  # fmt: skip


def pitch(n: int) -> Pitch:
    return Pitch(story_id=n, story_label=f"Story {n}", theme="pop", angle="", draft="Draft " * 20,
                 hashtags=(), visual="", why_now="", score=4.0, safety="safe", safety_reason="",
                 sources=(), id=n)  # fmt: skip


def actions(blocks: list[dict[str, object]]) -> list[tuple[str, str]]:
    found = []
    for block in blocks:
        for element in [block.get("accessory"), *(block.get("elements") or [])]:  # type: ignore[list-item]
            if isinstance(element, dict) and element.get("type") == "button":
                found.append((element["action_id"], element["value"]))
    return found


def test_a_digest_lists_stories_by_theme_with_a_draft_button_where_none_was_pitched() -> None:
    digest = Digest(PERIOD, (entry(1, "pop"),
                             entry(2, "pop", pitch_id=7), entry(3, "sport", caution="a lawsuit")),
                    "en")  # fmt: skip
    message = digest_message(digest)
    text = json.dumps(message["blocks"])
    key = "digest:Daybreak:2025-09-10T12:30+00:00"
    assert message["metadata"] == {"event_type": DIGEST_EVENT, "event_payload": {"key": key}}
    drafts = [(a, json.loads(v)) for a, v in actions(message["blocks"])]
    assert drafts == [(DRAFT_ACTION, {"story_id": 1, "brand": "Daybreak"}),
                      (DRAFT_ACTION, {"story_id": 3, "brand": "Daybreak"})]  # fmt: skip
    assert "9 sources in 2 h" in text and "pitched: #7" in text and "a lawsuit" in text
    assert (
        text.index("*pop*") < text.index("Story 2") < text.index("*sport*") < text.index("Story 3")
    )
    empty = digest_message(Digest(PERIOD, (), "fr"))
    assert "Rien n'est monté sur les thèmes de Daybreak" in json.dumps(
        empty["blocks"], ensure_ascii=False
    )


def test_the_home_tab_shows_rising_awaiting_with_buttons_and_the_week() -> None:
    awaiting = tuple(("Glow", pitch(n)) for n in range(1, 13))
    page = HomePage("en", ("Daybreak", "Glow"), (entry(1, "pop"),), awaiting,
                    {"proposed": 12, "approved": 3}, T)  # fmt: skip
    view = home_view(page)["view"]
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    pitched = [a for a in actions(view["blocks"]) if a[0] != DRAFT_ACTION]
    assert {v for _, v in pitched} == {str(n) for n in range(1, 11)}  # ten shown, then "more"
    assert {a for a, _ in pitched} == {"trendbot_approve", "trendbot_reject", "trendbot_snooze",
                                       "trendbot_not_our_topic"}  # fmt: skip
    text = json.dumps(view["blocks"])
    assert "Awaiting a decision (12)" in text and "and 2 more" in text
    assert "12 pitched" in text and "3 approved" in text and "0 rejected" in text
