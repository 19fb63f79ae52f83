"""/trend: parsing, and every subcommand answered through the bolt app with a real store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from slack_backend import SeedStory, SlackEnv, open_env
from slackkit import CHANNEL, command_body, dispatch

from trendbot.slack.commands import Command, parse_command

OUTSIDER = "U0OUTSIDER"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[SlackEnv]:
    with open_env(tmp_path) as opened:
        seed(opened)
        yield opened


def seed(env: SlackEnv) -> None:
    for story in (
        SeedStory("Heatwave sends Paris to the beach", ["Paris swelters", "Record heat in Paris"],
                  score=3.5, theme="Summer"),
        SeedStory("Champions League final tonight", ["Final preview", "Fans gather for final"],
                  score=2.5, theme="Sport"),
        SeedStory("Bakers strike over flour prices", ["Bakers walk out", "Flour prices soar"],
                  score=1.5, safety="caution", safety_reason="a strike: people are angry"),
    ):  # fmt: skip
        env.backend.add_story(story)


def ask(env: SlackEnv, text: str, *, user: str = "U0EDITOR") -> dict[str, Any]:
    """The ack's answer (fast subcommands)."""
    response = dispatch(env.app, command_body(text, user=user))
    assert response.status == 200
    return json.loads(response.body) if response.body else {}


def ask_slow(
    env: SlackEnv, text: str, *, user: str = "U0EDITOR"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ack, then the answer a lazy listener posts to the response URL."""
    count = len(env.fake.calls("response"))
    body = command_body(text, user=user, response_url=env.fake.response_url(f"r{count}"))
    response = dispatch(env.app, body)
    assert response.status == 200
    answer = env.fake.wait_for("response", count + 1)[count].args
    return (json.loads(response.body) if response.body else {}), answer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command("help")),
        ("top 3 summer share", Command("top", arg="summer", n=3, share=True)),
        ("recherche canicule", Command("search", arg="canicule")),
        (
            "theme add Rain: umbrellas, storms",
            Command("theme_add", arg="Rain", description="umbrellas, storms"),
        ),
        (
            "feed add <https://example.org/rss|example.org/rss>",
            Command("feed_add", arg="https://example.org/rss"),
        ),
        ("top 0", Command("invalid", usage="usage.top", word="top")),
        ("themes please", Command("invalid", usage="usage.no_args", word="themes")),
        ("dance", Command("invalid", usage="usage.unknown", word="dance")),
    ],
)
def test_parse(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


def test_help(env: SlackEnv) -> None:
    for text in ("", "help"):
        answer = ask(env, text)
        assert answer["response_type"] == "ephemeral"
        assert "`/trend top [N] [theme]`" in answer["text"]


def test_top_lists_rising_stories_by_score(env: SlackEnv) -> None:
    text = ask(env, "top 2")["text"]
    assert text.startswith("*Rising now*")
    assert text.index("Heatwave") < text.index("Champions League")
    assert "Bakers" not in text
    assert "⚠️ caution" in ask(env, "top")["text"]


def test_top_in_a_theme_and_shared(env: SlackEnv) -> None:
    answer = ask(env, "top 5 spo share")
    assert answer["response_type"] == "in_channel"
    assert "in *Sport*" in answer["text"] and "Champions League" in answer["text"]
    assert "Heatwave" not in answer["text"]


def test_bad_input_gets_one_line_saying_what_to_type(env: SlackEnv) -> None:
    assert (
        ask(env, "top 99")["text"]
        == "Type `/trend top [N] [theme]` with N from 1 to 20, e.g. `/trend top 3`."
    )
    assert ask(env, "top knitting")["text"] == "No theme called `knitting`. Themes: Summer, Sport."
    assert ask(env, "dance")["text"].startswith("I don't know `dance`.")
    assert ask(env, "why")["text"].startswith("Type `/trend why STORY`")
    for text in ("search", "pitch", "mute", "unmute", "theme add Rain", "feed add nope"):
        answer = ask(env, text)["text"]
        assert answer.startswith("Type `/trend ") and "\n" not in answer


def test_search_answers_after_the_ack(env: SlackEnv) -> None:
    ack, answer = ask_slow(env, "search flour")
    assert ack == {}
    assert answer["response_type"] == "ephemeral"
    assert "Bakers strike" in answer["text"] and "Heatwave" not in answer["text"]
    _, nothing = ask_slow(env, "search knitting share")
    assert nothing["text"] == "No story about “knitting” in the last days."


def test_why_explains_a_story(env: SlackEnv) -> None:
    text = ask(env, "why 1")["text"]
    assert "*Heatwave sends Paris to the beach* (id `1`): rising, score 3.5" in text
    assert "Why now:" in text and "▁▂▃▅▇" in text
    assert "Summer (0.80, seed)" in text
    assert "<https://news.example.org/s1i0|Paris swelters>" in text
    assert "caution: a strike" in ask(env, "why bakers")["text"]
    assert ask(env, "why 999")["text"].startswith("No story matches `999`.")


def test_why_says_why_a_rising_story_was_not_pitched(env: SlackEnv) -> None:
    assert "*Not pitched yet:* the next cycle decides." in ask(env, "why 1")["text"]
    at = datetime(2025, 7, 24, 12, tzinfo=UTC)
    env.store.record_hold(1, "queued", "Best of the queue waits.", now=at)
    env.store.record_hold(1, "daily_limit", "Today's pitches are all made (max_per_day 3).", now=at)
    text = ask(env, "why 1")["text"]
    assert (
        "*Not pitched:* daily limit reached: Today's pitches are all made (max_per_day 3)"
        " (<!date^1753358400^{ago}|2025-07-24 12:00 UTC>)"
    ) in text
    assert "queued" not in text  # the latest reason only
    env.store.record_hold(2, "brand_new_reason", "Something else.", now=at)
    assert "*Not pitched:* brand new reason: Something else" in ask(env, "why 2")["text"]
    pitch = env.backend.draft_pitch(1)
    assert f"*Pitched:* pitch #{pitch.id}" in ask(env, "why 1")["text"]


def test_pitch_is_a_private_preview_that_saves_nothing(env: SlackEnv) -> None:
    ack, answer = ask_slow(env, "pitch champions league")
    assert ack["text"] == "Drafting a pitch for `champions league`…"
    assert answer["response_type"] == "ephemeral"
    text = answer["text"]
    assert text.startswith("👀 *Preview:* a pitch for *Champions League final tonight*")
    assert "```Everyone is talking about Champions League final tonight." in text
    assert text.endswith(
        "_Preview only — not queued: nothing was saved. To queue it for the editors, type "
        "`/trend pitch 2 save`._"
    )
    assert env.store.pitches() == [] and env.fake.messages(CHANNEL) == []


def test_pitch_save_queues_it_and_posts_a_card(env: SlackEnv) -> None:
    assert parse_command("pitch 2 save") == Command("pitch", arg="2", save=True)
    assert parse_command("proposer 2 garder share") == Command(
        "pitch", arg="2", save=True, share=True
    )
    ack, answer = ask_slow(env, "pitch champions league save")
    assert ack["text"] == "Drafting a pitch for `champions league`…"
    assert answer["text"] == (
        f"Queued: pitch #1 for *Champions League final tonight* is in <#{CHANNEL}> for the "
        "editors to approve; it counts toward today's pitches."
    )
    [card] = [m for m in env.fake.messages(CHANNEL) if m.get("metadata")]
    assert card["metadata"]["event_payload"] == {"pitch_id": 1}
    assert [p.state for p in env.store.pitches()] == ["posted"]


def test_themes_and_adding_one(env: SlackEnv) -> None:
    assert "• *Summer*: heatwaves, holidays" in ask(env, "themes")["text"]
    assert ask(env, "theme add Rain: umbrellas, storms")["text"].startswith("Theme *Rain* added")
    assert "• *Rain*: umbrellas, storms" in ask(env, "themes")["text"]
    assert "exists already" in ask(env, "theme add rain: again")["text"]
    refused = ask(env, "theme add Snow: skiing", user=OUTSIDER)["text"]
    assert refused.startswith("Only editors can change themes")
    assert "Snow" not in ask(env, "themes")["text"]


def test_feeds_show_their_health(env: SlackEnv) -> None:
    store = env.store
    for name in ("ok-feed", "failing-feed", "paused-feed", "new-feed"):
        store.ensure_feed(name, url=f"https://{name}.example.org/rss")
    store.update_feed("ok-feed", last_success=datetime(2025, 7, 24, 12, tzinfo=UTC).isoformat())
    store.update_feed("failing-feed", last_error="HTTP 503", consecutive_failures=2)
    store.update_feed("paused-feed", last_error="HTTP 404", consecutive_failures=9, disabled=1)
    text = ask(env, "feeds")["text"]
    assert "✅ *ok-feed* (news): last read <!date^1753358400^{ago}|2025-07-24 12:00 UTC>" in text
    assert "⚠️ *failing-feed* (news): failing: HTTP 503" in text
    assert "⛔ *paused-feed* (news): paused after repeated failures: HTTP 404" in text
    assert "⏳ *new-feed* (news): not read yet" in text


def test_adding_a_feed(env: SlackEnv) -> None:
    ack, answer = ask_slow(env, "feed add https://news.example.com/rss.xml")
    assert ack["text"].startswith("Checking https://news.example.com/rss.xml")
    assert answer["text"].startswith("Feed *news.example.com* added")
    assert env.store.feed_row("news.example.com") is not None
    _, bad = ask_slow(env, "feed add https://example.com/not-a-feed")
    assert bad["text"].startswith("⚠️ not a feed trendbot can read")
    assert "\n" not in bad["text"]


def test_only_editors_add_feeds(env: SlackEnv) -> None:
    ack = ask(env, "feed add https://other.example.com/rss", user=OUTSIDER)
    assert ack["text"].startswith("Only editors can change themes and feeds.")
    assert env.store.feed_row("other.example.com") is None
    assert env.fake.calls("response") == []  # and no second answer after the ack


def test_mute_and_unmute(env: SlackEnv) -> None:
    assert ask(env, "mute 1")["text"].startswith("🔇 Muted story 1")
    assert "🔇 Muted" in ask(env, "why 1")["text"]
    assert "🔇 muted" in ask(env, "top")["text"]
    assert ask(env, "mute Royal Wedding")["text"].startswith("🔇 Muted “royal wedding”")
    assert [(m["kind"], m["value"]) for m in env.store.mutes()] == [
        ("story", "1"),
        ("words", "royal wedding"),
    ]
    assert ask(env, "unmute 1")["text"] == "🔈 Unmuted `1`."
    assert ask(env, "unmute 1")["text"] == "Nothing muted matches `1`: nothing changed."


def test_stats(env: SlackEnv) -> None:
    first, second = env.posted_pitch(), env.posted_pitch(label="Other")
    env.backend.decide(first.id or 0, "approve", user="U0EDITOR")
    env.backend.decide(second.id or 0, "reject", user="U0EDITOR", reason="meh")
    text = ask(env, "stats share")["text"]
    assert "Pitches: 2 this week, 2 this month" in text
    assert "Approved 1, rejected 1: approval rate 50%" in text
    assert "to pitch: n/a; from pitch to decision: 0 min" in text


def test_a_bug_still_gets_an_answer(env: SlackEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(env.backend, "top_stories", broken)
    assert ask(env, "top")["text"].startswith("⚠️ Something went wrong on our side")


def test_a_french_brand_gets_french_answers(tmp_path: Path) -> None:
    with open_env(tmp_path, language="fr") as env:
        seed(env)
        assert "les N sujets qui montent" in ask(env, "aide")["text"]
        assert ask(env, "top 1")["text"].startswith("*Ce qui monte*")
        assert "en hausse" in ask(env, "top 1")["text"]
        assert ask(env, "danse")["text"].startswith("Je ne connais pas `danse`.")
