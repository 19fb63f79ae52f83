from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from trendbot.slack import cards
from trendbot.slack.messages import Messages
from trendbot.types import Pitch, SourceLink

EN, FR = Messages("en"), Messages("fr")
AT = datetime(2025, 7, 24, 13, 0, tzinfo=UTC)


def pitch(**changes: Any) -> Pitch:
    base = Pitch(
        id=7,
        story_id=3,
        story_label="Heatwave sends Paris to the beach",
        theme="Summer",
        angle="a wink",
        draft="Too hot to bake? We did it anyway. <3 & croissants",
        hashtags=("Canicule", "#MaisonTest"),
        visual="A croissant in sunglasses",
        why_now="12 sources in 90 min, ×4 the usual rate",
        score=3.24,
        safety="safe",
        safety_reason="",
        sources=tuple(
            SourceLink(f"Headline {n}", f"https://news.example.org/{n}", f"Paper {n}")
            for n in range(5)
        ),
        languages=("fr", "en"),
        sparkline="▁▂▃▅▇",
        theme_evidence="close to 'heatwaves, holidays'",
    )
    return Pitch(**{**vars(base), **changes})


def types(card: dict[str, Any]) -> list[str]:
    return [b["type"] for b in card["blocks"]]


def text_of(card: dict[str, Any]) -> str:
    return json.dumps(card["blocks"], ensure_ascii=False)


def test_a_card_has_everything_an_editor_needs() -> None:
    card = cards.pitch_message(pitch(), EN)
    assert card["text"] == "New pitch for Summer: Heatwave sends Paris to the beach"
    assert card["metadata"] == {"event_type": "trendbot_pitch", "event_payload": {"pitch_id": 7}}
    assert types(card)[0] == "header"
    preformatted = card["blocks"][3]["elements"][0]
    assert preformatted["type"] == "rich_text_preformatted"
    assert preformatted["elements"][0]["text"] == pitch().draft  # copied as is, no escaping
    body = text_of(card)
    assert "#Canicule #MaisonTest" in body
    assert "A croissant in sunglasses" in body
    assert "12 sources in 90 min" in body and "▁▂▃▅▇" in body
    assert "✅ Brand-safe" in body
    assert "<https://news.example.org/0|Headline 0> (Paper 0)" in body
    assert "Headline 3" not in body and "2 more in the thread" in body
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("trendbot_approve", "7"),
        ("trendbot_reject", "7"),
        ("trendbot_snooze", "7"),
        ("trendbot_not_our_topic", "7"),
    ]


def test_a_caution_story_says_why_with_a_warning() -> None:
    card = cards.pitch_message(pitch(safety="caution", safety_reason="mentions a strike"), EN)
    assert "⚠️ *Caution:* mentions a strike." in text_of(card)
    assert "Brand-safe" not in text_of(card)
    # blocked since the card (its thread said so): re-drawn after a Snooze, it says so too
    card = cards.pitch_message(pitch(safety="blocked", safety_reason="Since pitched: deaths"), EN)
    assert "⛔ *Blocked:* Since pitched: deaths. Do not post it." in text_of(card)
    assert "Caution" not in text_of(card)


def test_the_card_speaks_french_for_a_french_brand() -> None:
    card = cards.pitch_message(pitch(), FR)
    body = text_of(card)
    assert card["text"].startswith("Nouvelle proposition pour Summer")
    assert "Valider" in body and "Refuser" in body and "Pas notre sujet" in body
    assert "Pourquoi maintenant" in body


def test_long_and_many_things_still_make_a_card_slack_accepts() -> None:
    many = tuple(
        SourceLink("Very long headline " * 20, f"https://news.example.org/{n}", "Paper")
        for n in range(400)
    )
    big = pitch(story_label="L" * 400, visual="V" * 5000, why_now="W" * 5000, sources=many)
    card = cards.pitch_message(big, EN)  # built with slack_sdk.models: validated on to_dict()
    assert len(card["blocks"][0]["text"]["text"]) <= 150
    thread = cards.sources_message(big, EN)
    assert len(thread["blocks"]) <= 50
    assert sum(len(json.dumps(b)) for b in thread["blocks"]) < 40_000
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in thread["blocks"])
    assert "*All sources (400)*" in text_of(thread)
    assert "more" in json.dumps(thread["blocks"][-1])  # the rest is counted, not listed


def test_mrkdwn_in_titles_is_escaped_and_links_stay_links() -> None:
    odd = SourceLink("Q&A: <b>tips</b> | more", "https://news.example.org/a?x=1&y=2", "A&B")
    line = cards.link(odd)
    assert (
        line
        == "<https://news.example.org/a?x=1&y=2|Q&amp;A: &lt;b&gt;tips&lt;/b&gt; ¦ more> (A&amp;B)"
    )
    assert cards.link(SourceLink("No link", "javascript:alert(1)")) == "No link"


def test_every_source_goes_in_the_first_thread_reply() -> None:
    thread = cards.sources_message(pitch(), EN)
    body = text_of(thread)
    assert all(f"Headline {n}" in body for n in range(5))


@pytest.mark.parametrize("action", ["approve", "reject", "not_our_topic"])
def test_a_final_decision_removes_the_buttons_and_says_who_when_why(action: str) -> None:
    card = cards.decided_message(pitch(), EN, action=action, user="U0EDITOR", at=AT, reason="meh")
    assert "actions" not in types(card)
    body = text_of(card)
    assert "<@U0EDITOR>" in body
    assert f"<!date^{int(AT.timestamp())}^" in body
    assert "Why: meh" in body
    assert "reply in the thread" not in body
    assert "@U0EDITOR" in card["text"] and "<" not in card["text"]


def test_snoozing_or_editing_keeps_the_buttons() -> None:
    for action in ("snooze", "edit"):
        card = cards.decided_message(pitch(), EN, action=action, user="U1", at=AT)
        assert "actions" in types(card)


def test_the_final_copy_carries_the_hashtags_once() -> None:
    assert cards.final_text(pitch(draft="Hot! #Canicule")) == "Hot! #Canicule\n\n#MaisonTest"
    final = cards.final_message(pitch(), EN, user="U0EDITOR", channel="C0PITCHES", at=AT)
    assert "Ready to post" in final["blocks"][0]["text"]["text"]
    assert "<#C0PITCHES>" in text_of(final)


@pytest.mark.parametrize("msg", [EN, FR])
def test_the_reject_modal_fits_slack_and_remembers_the_card(msg: Messages) -> None:
    view = cards.reject_modal(pitch(), msg, channel="C0PITCHES", ts="1.000100")
    assert view["callback_id"] == cards.REJECT_VIEW
    assert len(view["title"]["text"]) <= 24
    assert json.loads(view["private_metadata"]) == {
        "pitch_id": 7,
        "channel": "C0PITCHES",
        "ts": "1.000100",
    }
    submitted = {"state": {"values": {"reason": {"reason": {"value": " too political "}}}}}
    assert cards.reject_reason(submitted) == "too political"
