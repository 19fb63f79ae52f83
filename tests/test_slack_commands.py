"""/trend: parsing, and every subcommand answered through the bolt app by the real core
(`trendbot.core.Trendbot` over a database the real pipeline processed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from feedserver import FeedServer
from slackkit import (
    CHANNEL,
    SlackEnv,
    command_body,
    config,
    dispatch,
    open_env,
    processed,
)

from trendbot.slack.commands import Command, parse_command

pytestmark = pytest.mark.slow  # the real core loads the bundled embedding model
__all__ = ["processed"]  # a module-scoped fixture: the database, processed once

OUTSIDER = "U0OUTSIDER"


@pytest.fixture
def env(processed: Path, tmp_path: Path) -> Iterator[SlackEnv]:
    with open_env(processed, tmp_path) as opened:
        yield opened


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


def test_top_lists_rising_stories_first(env: SlackEnv) -> None:
    heat, strike = env.story("heatwave"), env.story("flour")
    text = ask(env, "top 2")["text"]
    assert text.startswith("*Rising now*")
    assert heat.state == "rising" and text.index(heat.label) < text.index(strike.label)
    assert "museum" not in text


def test_top_in_a_theme_and_shared(env: SlackEnv) -> None:
    answer = ask(env, "top 5 spo share")
    assert answer["response_type"] == "in_channel"
    assert "in *Sport*" in answer["text"] and env.story("Champions").label in answer["text"]
    assert env.story("flour").label not in answer["text"]


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
    assert answer["text"].splitlines()[1].find(env.story("flour").label) > 0  # the best match


def test_why_explains_a_story(env: SlackEnv) -> None:
    story = env.story("Champions")
    text = ask(env, f"why {story.id}")["text"]
    assert f"*{story.label}* (id `{story.id}`)" in text
    assert "Why now:" in text and story.sparkline in text
    assert "Sport (0." in text
    assert "<https://news.example/30|Champions League final: PSG beat Inter" in text
    assert ask(env, "why 999")["text"].startswith("No story matches `999`.")


def test_why_says_why_a_rising_story_was_not_pitched(env: SlackEnv) -> None:
    strike = env.story("flour")
    text = ask(env, f"why {strike.id}")["text"]
    assert "*Not pitched:* " in text and "Matches none of the brand" in text  # the pipeline's
    at = datetime(2025, 7, 15, 9, 45, tzinfo=UTC)
    made = "Today's pitches are all made (max 3)."
    env.store.record_hold(strike.id, "daily_limit", made, now=at, brand=env.settings.brand.name)
    text = ask(env, f"why {strike.id}")["text"]
    assert (
        "*Not pitched:* daily limit reached: Today's pitches are all made (max 3)"
        " (<!date^1752572700^{ago}|2025-07-15 09:45 UTC>)"
    ) in text
    assert "Matches none" not in text  # the latest reason only
    heat = env.story("heatwave")
    [pitch] = env.store.pitches(story_id=heat.id)
    assert f"*Pitched:* pitch #{pitch.id}" in ask(env, f"why {heat.id}")["text"]


def test_pitch_is_a_private_preview_that_saves_nothing(env: SlackEnv) -> None:
    story = env.story("Champions")
    before = env.store.pitches()  # what processing itself pitched
    messages = env.fake.messages(CHANNEL)
    ack, answer = ask_slow(env, "pitch champions league")
    assert ack["text"] == "Drafting a pitch for `champions league`…"
    assert answer["response_type"] == "ephemeral"
    text = answer["text"]
    assert text.startswith(f"👀 *Preview:* a pitch for *{story.label}*")
    assert "```" in text and "#MaisonTest" in text
    assert text.endswith(
        "_Preview only — not queued: nothing was saved. To queue it for the editors, type "
        f"`/trend pitch {story.id} save`._"
    )
    assert env.store.pitches() == before and env.fake.messages(CHANNEL) == messages


def test_a_blocked_story_is_previewed_with_why_and_cannot_be_queued(
    processed: Path, tmp_path: Path
) -> None:
    settings = config()
    settings["brand"]["safety"] = {"blocked_terms": ["strike"]}
    with open_env(processed, tmp_path, settings=settings) as env:
        _blocked_story_preview(env)


def _blocked_story_preview(env: SlackEnv) -> None:
    story = env.story("flour")  # bakers on strike: the brand's blocked term
    before = env.store.pitches()
    _, answer = ask_slow(env, f"pitch {story.id}")
    text = answer["text"]
    assert text.startswith(f"👀 *Preview:* a pitch for *{story.label}*") and "```" in text
    assert "⛔" in text and text.endswith(
        "_Preview only: brand safety blocks this story, so it cannot be queued._"
    )
    assert answer["response_type"] == "ephemeral"
    # nor shown to the channel when asked to share it
    _, shared = ask_slow(env, f"pitch {story.id} share")
    assert shared["response_type"] == "ephemeral" and "⛔" in shared["text"]
    _, refused = ask_slow(env, f"pitch {story.id} save")
    assert "not brand-safe" in refused["text"]
    assert env.store.pitches() == before


def test_pitch_save_queues_it_and_posts_a_card(env: SlackEnv) -> None:
    assert parse_command("pitch 2 save") == Command("pitch", arg="2", save=True)
    assert parse_command("proposer 2 garder share") == Command(
        "pitch", arg="2", save=True, share=True
    )
    story = env.story("Champions")
    before = {p.id for p in env.store.pitches()}  # what processing itself pitched
    ack, answer = ask_slow(env, "pitch champions league save")
    assert ack["text"] == "Drafting a pitch for `champions league`…"
    [new] = [p for p in env.store.pitches() if p.id not in before]
    assert answer["text"] == (
        f"Queued: pitch #{new.id} for *{story.label}* is in <#{CHANNEL}> for the "
        "editors to approve; it counts toward today's pitches."
    )
    [_card] = [
        m
        for m in env.fake.messages(CHANNEL)
        if (m.get("metadata") or {}).get("event_payload") == {"pitch_id": new.id}
    ]
    stored = env.store.pitch(new.id or 0)
    assert stored is not None and stored.state == "posted"


def test_themes_and_adding_one(env: SlackEnv) -> None:
    assert "• *Summer*: heatwaves, holidays" in ask(env, "themes")["text"]
    assert ask(env, "theme add Rain: umbrellas, storms")["text"].startswith("Theme *Rain* added")
    assert "• *Rain*: umbrellas, storms" in ask(env, "themes")["text"]
    assert "exists already" in ask(env, "theme add rain: again")["text"]
    refused = ask(env, "theme add Snow: skiing", user=OUTSIDER)["text"]
    assert refused.startswith("Only editors can change themes")
    assert "Snow" not in ask(env, "themes")["text"]


def test_feeds_show_their_health(env: SlackEnv) -> None:
    assert "⏳ *news* (news): not read yet" in ask(env, "feeds")["text"]
    env.store.update_feed("news", last_error="HTTP 503", consecutive_failures=2)
    assert "⚠️ *news* (news): failing: HTTP 503" in ask(env, "feeds")["text"]
    env.store.update_feed("news", consecutive_failures=9, disabled=1)
    assert "⛔ *news* (news): paused after repeated failures" in ask(env, "feeds")["text"]
    env.store.update_feed(
        "news", last_success=datetime(2025, 7, 24, 12, tzinfo=UTC).isoformat(), last_error=None,
        consecutive_failures=0, disabled=0,
    )  # fmt: skip
    text = ask(env, "feeds")["text"]
    assert "✅ *news* (news): last read <!date^1753358400^{ago}|2025-07-24 12:00 UTC>" in text


def test_adding_a_feed(env: SlackEnv, feed_server: FeedServer) -> None:
    url = feed_server.url("/feeds/google_news.rss")
    ack, answer = ask_slow(env, f"feed add {url}")
    assert ack["text"].startswith(f"Checking {url}")
    assert answer["text"].startswith("Feed *") and " added" in answer["text"]
    assert len(env.bot.feeds()) == 2
    _, bad = ask_slow(env, f"feed add {feed_server.url('/feeds/garbage.bin')}")
    assert bad["text"].startswith("⚠️ ")
    assert "\n" not in bad["text"] and len(env.bot.feeds()) == 2


def test_only_editors_add_feeds(env: SlackEnv) -> None:
    ack = ask(env, "feed add https://other.example.com/rss", user=OUTSIDER)
    assert ack["text"].startswith("Only editors can change themes and feeds.")
    assert len(env.bot.feeds()) == 1
    assert env.fake.calls("response") == []  # and no second answer after the ack


def test_mute_and_unmute(env: SlackEnv) -> None:
    heat = env.story("heatwave")
    assert ask(env, f"mute {heat.id}")["text"].startswith(f"🔇 Muted story #{heat.id}")
    assert "🔇 Muted" in ask(env, f"why {heat.id}")["text"]
    assert "🔇 muted" in ask(env, "top")["text"]
    assert ask(env, "mute Royal Wedding")["text"].startswith("🔇 Muted 'Royal Wedding'")
    assert [(m.kind, m.value) for m in env.store.mutes()] == [
        ("story", str(heat.id)),
        ("words", "Royal Wedding"),
    ]
    assert ask(env, f"unmute {heat.id}")["text"] == f"🔈 Unmuted `{heat.id}`."
    assert ask(env, f"unmute {heat.id}")["text"] == (
        f"Nothing muted matches `{heat.id}`: nothing changed."
    )


def test_stats(env: SlackEnv) -> None:
    already = len(env.store.pitches())  # what processing itself pitched, undecided
    first, second = env.posted_pitch(), env.posted_pitch("Champions")
    env.clock.now += timedelta(minutes=30)
    env.bot.decide(first.id or 0, "approve", user="U0EDITOR")
    env.bot.decide(second.id or 0, "reject", user="U0EDITOR", reason="meh")
    text = ask(env, "stats share")["text"]
    made = already + 2
    assert f"Pitches: {made} this week, {made} this month" in text
    assert "Approved 1, rejected 1: approval rate 50%" in text
    assert "to pitch: 3" in text and "from pitch to decision: 30 min" in text


def test_a_bug_still_gets_an_answer(env: SlackEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(env.bot, "top_stories", broken)
    assert ask(env, "top")["text"].startswith("⚠️ Something went wrong on our side")


def test_a_french_brand_gets_french_answers(processed: Path, tmp_path: Path) -> None:
    with open_env(processed, tmp_path, language="fr") as env:
        assert "les N sujets qui montent" in ask(env, "aide")["text"]
        assert ask(env, "top 1")["text"].startswith("*Ce qui monte*")
        assert "en hausse" in ask(env, "top 1")["text"]
        assert ask(env, "danse")["text"].startswith("Je ne connais pas `danse`.")
