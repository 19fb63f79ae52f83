from __future__ import annotations

import pytest

from trendbot.slack.replies import Reply, parse_reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ok", Reply("approve")),
        ("OK!", Reply("approve")),
        ("go", Reply("approve")),
        ("yes, go ahead", Reply("approve")),
        ("approve", Reply("approve")),
        (":+1:", Reply("approve")),
        ("👍", Reply("approve")),
        ("oui", Reply("approve")),
        ("Validé !", Reply("approve")),
        ("valider", Reply("approve")),
        ("oui, c'est bon", Reply("approve")),
        ("<@UBOT> ok", Reply("approve")),
        ("no", Reply("reject")),
        ("non", Reply("reject")),
        ("reject: too political", Reply("reject", reason="too political")),
        ("Reject - competitor's story", Reply("reject", reason="competitor's story")),
        ("reject because it is old news", Reply("reject", reason="because it is old news")),
        ("refuser : trop politique", Reply("reject", reason="trop politique")),
        ("non, déjà vu", Reply("reject", reason="déjà vu")),
        ("snooze", Reply("snooze")),
        ("plus tard", Reply("snooze")),
        ("not our topic", Reply("not_our_topic")),
        ("pas notre sujet : on vend du pain", Reply("not_our_topic", reason="on vend du pain")),
        ("edit: Hot days, cold croissants.", Reply("edit", text="Hot days, cold croissants.")),
        (
            "modifier : Il fait chaud, nos glaces aussi",
            Reply("edit", text="Il fait chaud, nos glaces aussi"),
        ),
        ("edit: Fish &amp; chips &lt;3", Reply("edit", text="Fish & chips <3")),
        (
            "edit: see <https://example.org/a|example.org/a>",
            Reply("edit", text="see example.org/a"),
        ),
    ],
)
def test_decisions_in_english_and_french(text: str, expected: Reply) -> None:
    assert parse_reply(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "nice one",
        "ok, but change the hashtag",  # a condition is not an approval
        "no problem",
        "no problem, go",
        "okay then",
        "great idea - go",
        "edit:",  # no new text
        "I would reject it maybe",
        "non mais sérieusement ?",
    ],
)
def test_conversation_is_not_a_decision(text: str) -> None:
    assert parse_reply(text) is None
