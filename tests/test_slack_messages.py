from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from trendbot.growth import FEATURES
from trendbot.words import TEXTS, Messages, fields_of

PACKAGE = Path(__file__).parent.parent / "trendbot"


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_each_text_has_both_languages_with_the_same_fields(key: str) -> None:
    english, french = TEXTS[key]
    assert english.strip() and french.strip()
    assert fields_of(english) == fields_of(french)


def test_the_brand_language_picks_the_wording() -> None:
    assert Messages("fr")("button.approve") == "Valider"
    assert Messages("fr-CA")("button.approve") == "Valider"
    assert Messages("en")("button.approve") == "Approve"
    assert Messages("de")("button.approve") == "Approve"  # not translated: English
    assert Messages(None)("button.approve") == "Approve"


def test_every_key_the_package_uses_exists() -> None:
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""msg\(\s*["']([a-z_.]+)["']""", source))
        used |= set(re.findall(r"""Messages\([^()]*\)\(\s*["']([a-z_.]+)["']""", source))
        prefixes |= set(re.findall(r"""msg\(\s*f["']([a-z_.]+\.)\{""", source))
        prefixes |= {p + "." for p in re.findall(r"""_label\(msg, ["']([a-z_.]+)["']""", source)}
    assert len(used) > 150
    assert used <= set(TEXTS), sorted(used - set(TEXTS))
    # the scan reaches beyond Slack: the CLI, the terminal and the "why now" lines
    assert {"console.saved", "console.preview", "trend.sources", "growth.reach"} <= used
    # keys built at run time: every value they are built from has a text
    assert prefixes <= {
        "decided.",
        "state.",
        "story.",
        "usage.",
        "working.",
        "why.",
        "held.",
        "growth.part.",
        "console.hold.",
        "card.",
        "thread.",
    }, prefixes
    for level in ("caution", "blocked"):  # a pitch's safety, on its card and in its thread
        assert f"card.{level}" in TEXTS and f"thread.{level}" in TEXTS
    for action in ("approve", "reject", "snooze", "not_our_topic", "edit"):
        assert f"decided.{action}" in TEXTS
    for state in ("proposed", "posted", "approved", "rejected", "snoozed", "expired"):
        assert f"state.{state}" in TEXTS
    for state in ("new", "rising", "peaking", "fading"):
        assert f"story.{state}" in TEXTS
    for name in ("search", "why", "pitch", "theme_add", "feed_add", "mute", "unmute", "top"):
        assert f"usage.{name}" in TEXTS
    for slow in ("pitch", "feed_add"):
        assert f"working.{slow}" in TEXTS
    for feature in FEATURES:
        assert f"growth.part.{feature}" in TEXTS
    # every reason the pipeline and cadence hold a story for has words on Slack and in the
    # terminal (whose table column wants them shorter)
    held = {k.removeprefix("held.") for k in TEXTS if k.startswith("held.")}
    assert held == {k.removeprefix("console.hold.") for k in TEXTS if k.startswith("console.hold.")}


def test_the_slack_wording_is_the_catalogue() -> None:
    from trendbot.slack import messages

    assert messages.TEXTS is TEXTS and messages.Messages is Messages


def test_numbers_follow_the_language() -> None:
    assert Messages("fr").number("12,345.5") == "12\u202f345,5"
    assert Messages("en").number("12,345.5") == "12,345.5"


def test_reading_the_wording_does_not_load_slack_bolt() -> None:
    code = (
        "import sys, trendbot.slack.messages, trendbot.slack.replies; "
        "print('slack_bolt' in sys.modules, 'slack_sdk' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
