import io
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime

from rich.console import Console

from trendbot.console import held_table, print_pitch, print_summary, stories_table, why_not
from trendbot.replay import ReplaySummary
from trendbot.types import HeldStory, Hold, Pitch, SourceLink, StoryView, ThemeFit
from trendbot.words import Messages

WHEN = datetime(2025, 10, 19, 16, 0, tzinfo=UTC)
PITCH = Pitch(
    id=7,
    story_id=3,
    story_label="Thieves steal crown jewels from the Louvre [bold]in 4 minutes[/bold]",
    theme="culture",
    angle="Heist-proof pastries",
    draft="Four minutes, priceless jewels. Our croissants vanish faster. #Louvre",
    hashtags=("Louvre", "#heist"),
    visual="An empty velvet cushion under a spotlight",
    why_now="12 sources in 90 min, ×4 the usual rate",
    score=4.23,
    safety="safe",
    safety_reason="",
    sources=tuple(
        SourceLink(f"Headline {n}", f"https://news{n}.example/a", f"Publisher {n}")
        for n in range(5)
    ),
    sparkline="▁▁▂▃▅▇█",
    created=datetime(2025, 10, 19, 15, 0, tzinfo=UTC),
)


def render(*things: object, width: int = 100) -> tuple[str, Console]:
    console = Console(record=True, width=width, color_system="truecolor", file=io.StringIO())
    for thing in things:
        console.print(thing)
    return console.export_text(), console


def card(pitch: Pitch, language: str = "en", when: datetime | None = WHEN) -> tuple[str, str]:
    console = Console(record=True, width=100, color_system="truecolor", file=io.StringIO())
    print_pitch(console, pitch, when=when, language=language)
    styled = console.export_text(styles=True, clear=False)
    return console.export_text(), styled


def flat(text: str) -> str:
    """The card's words on one line: the borders and the wrapping gone."""
    return " ".join(text.replace("│", " ").replace("╭", " ").replace("╰", " ").split())


def test_pitch_card_shows_everything_an_editor_needs() -> None:
    text, _ = card(PITCH)
    words = flat(text)
    assert "📈 Pitch #7" in text and "2025-10-19 16:00 UTC" in text
    assert "[bold]in 4 minutes[/bold]" in words  # a headline is text, never markup
    assert "Theme: culture · Angle: Heist-proof pastries · score 4.2" in words
    # The post as it goes out: the draft, plus the hashtag it does not carry yet.
    assert "Our croissants vanish faster. #Louvre #heist" in words
    assert "Hashtags #Louvre #heist" in words
    assert "Visual idea An empty velvet cushion under a spotlight" in words
    assert "Why now 12 sources in 90 min, ×4 the usual rate ▁▁▂▃▅▇█" in words
    assert "✅ brand-safe" in words
    assert "• Headline 2 (Publisher 2) news2.example" in words
    assert "Headline 3" not in words and "…and 2 more" in words


def test_caution_is_yellow_with_its_reason() -> None:
    text, styled = card(replace(PITCH, safety="caution", safety_reason="Crime story"))
    assert "⚠ caution: Crime story. Read the sources first." in flat(text)
    assert "brand-safe" not in text
    line = next(row for row in styled.splitlines() if "caution" in row)
    assert "\x1b[1;33m⚠ caution" in line  # bold yellow
    # blocked since the card (the thread said so): red, and said plainly
    text, styled = card(replace(PITCH, safety="blocked", safety_reason="Since pitched: deaths"))
    assert "⛔ blocked: Since pitched: deaths. Do not post it." in flat(text)
    line = next(row for row in styled.splitlines() if "blocked" in row)
    assert "\x1b[1;31m⛔ blocked" in line  # bold red


def test_card_in_french_without_a_time() -> None:
    pitch = replace(PITCH, id=None, hashtags=(), visual="", created=None)
    text, _ = card(pitch, language="fr-FR", when=None)
    words = flat(text)
    assert "📈 Proposition" in text and "#" not in text.splitlines()[0]
    assert "UTC" not in text
    assert "Thème : culture" in words and "Pourquoi maintenant" in words
    assert "Hashtags (aucun)" in words and "Idée de visuel" not in words
    assert "…et 2 autres" in words


def test_card_falls_back_to_the_creation_time() -> None:
    text, _ = card(PITCH, when=None)
    assert "2025-10-19 15:00 UTC" in text


def summary() -> ReplaySummary:
    return ReplaySummary(
        items=2725,
        cycles=672,
        stories=903,
        rising={1, 2, 3},
        pitched=9,
        blocked={4, 5},
        held=Counter(queued=40, no_theme=12, weird_new_reason=1),
    )


def test_summary_counts_and_reasons() -> None:
    console = Console(record=True, width=100, file=io.StringIO())
    print_summary(console, summary())
    words = flat(console.export_text())
    for expected in (
        "2,725 items replayed",
        "672 cycles",
        "903 stories",
        "3 rising at some point",
        "9 pitched",
        "2 blocked by brand safety",
        "53 stories held back, by reason: queued 40, no theme fits 12, weird new reason 1",
    ):
        assert expected in words


def test_summary_lists_the_best_held_stories_with_their_reason() -> None:
    held = [
        HeldStory(5, "Missile strike on the port", 7.25, hold(5, "blocked", "war: 'missile'.")),
        HeldStory(6, "Heatwave in Paris", 4.5, hold(6, "daily_limit", "All made.")),
        HeldStory(7, "A very long label " * 10, 2.0, hold(7, "no_theme", "Matches none.")),
    ]
    console = Console(record=True, width=120, file=io.StringIO(), force_terminal=True)
    print_summary(console, replace(summary(), top_held=held))
    text = console.export_text()
    lines = [" ".join(line.strip("│ ").split()) for line in text.splitlines()]
    start = lines.index(
        "Rose but not pitched: those that fit your themes first, then near misses, then best score"
    )
    assert start > lines.index("53 stories held back, by reason: queued 40, no theme fits 12, "
                               "weird new reason 1")  # fmt: skip
    # each with its id, for `trendbot pitch ID`
    assert lines[start + 1] == "7.2 #5 Missile strike on the port blocked: war: 'missile'"
    assert lines[start + 2] == "4.5 #6 Heatwave in Paris daily limit reached"
    assert lines[start + 3].startswith("2.0 #7 A very long label") and "…" in lines[start + 3]
    assert lines[start + 3].endswith("no theme fits")
    assert lines[start + 4].startswith("Every story held back, dated: `trendbot held --since`")
    # in a log (no terminal to widen), every label and reason is whole, over several lines
    console = Console(record=True, width=80, file=io.StringIO())
    print_summary(console, replace(summary(), top_held=held))
    text = console.export_text()
    assert "…" not in text
    assert flat(text).count("label") == 10
    console = Console(record=True, width=120, file=io.StringIO())
    print_summary(console, summary())  # nothing held: no list
    assert "best score" not in console.export_text()


def test_held_says_which_theme_a_story_fits() -> None:
    """A doorbell maker's "Fit a theme (8)" named no theme: `trendbot held` says which, as the
    matcher reads the story now, with its id for `trendbot pitch ID`."""
    fits = HeldStory(
        9, "Porch pirates strike early", 3.0, hold(9, "caution", "Care."), "porch", 0.42
    )
    text, _ = render(held_table([fits], wrap=True, dated=True), width=160)
    assert "#9 Porch pirates strike early →" in flat(text) and "porch 0.42 now" in flat(text)
    text, _ = render(held_table([fits], language="fr", wrap=True, dated=True), width=160)
    assert "porch 0.42 maintenant" in flat(text)
    text, _ = render(held_table([replace(fits, theme="")], wrap=True, dated=True), width=160)
    assert "→" not in text


def test_summary_in_french() -> None:
    console = Console(record=True, width=100, file=io.StringIO())
    print_summary(console, summary(), language="fr")
    text = console.export_text()
    assert "2\u202f725  articles rejoués" in text  # a French thousands separator
    words = flat(text)
    assert "sujets retenus, par raison : en file 40, aucun thème 12" in words


def test_summary_with_nothing_held_names_no_reasons() -> None:
    console = Console(record=True, width=100, file=io.StringIO())
    print_summary(console, replace(summary(), held=Counter()))
    assert "0 stories held back" in flat(console.export_text())
    assert "by reason" not in console.export_text()


def view(n: int, **fields: object) -> StoryView:
    base = StoryView(
        id=n,
        label=f"Story number {n}",
        state="rising",
        score=5.25,
        why_now="",
        size=20,
        sources=12,
        first_seen=WHEN,
        last_seen=WHEN,
        sparkline="▁▂▃▅█",
        themes=(ThemeFit("weather", 0.8, ""),),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def hold(story_id: int, reason: str, detail: str = "") -> Hold:
    return Hold(story_id, reason, detail, WHEN)


def test_stories_table() -> None:
    views = [
        view(1, label="Hurricane Melissa nears Jamaica", pitch_id=4),
        view(2, state="fading", safety="caution", themes=()),
        view(3, state="peaking", safety="blocked", muted=True, score=0.5, sources=3),
        view(4, held=hold(4, "daily_limit", "Today's pitches are all made (max_per_day 3).")),
        view(5, held=hold(5, "blocked", "war and terrorism: 'missile' in 'Missile strike'.")),
    ]
    text, _ = render(stories_table(views), width=200)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    # each story's id first, for `trendbot pitch ID`: two new users found it only with SQL
    assert lines[0] == "# Score State Sources Last 24 h Story Theme Why not pitched"
    assert lines[1] == "1 5.2 rising 12 ▁▂▃▅█ Hurricane Melissa nears Jamaica weather pitched #4"
    assert lines[2] == "2 5.2 fading 12 ▁▂▃▅█ ⚠ Story number 2 — not rising"
    assert lines[3] == "3 0.5 peaking 3 ▁▂▃▅█ ⛔ Story number 3 (muted) weather not decided yet"
    assert lines[4] == "4 5.2 rising 12 ▁▂▃▅█ Story number 4 weather daily limit reached"
    assert lines[5] == (
        "5 5.2 rising 12 ▁▂▃▅█ Story number 5 weather"
        " blocked: war and terrorism: 'missile' in 'Missile strike'"
    )
    # narrower, a long reason is cut, never wrapped: `--json` and `/trend why` have it whole
    text, _ = render(stories_table(views), width=120)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert len(lines) == 6 and lines[5].endswith("…") and "blocked: war" in lines[5]


def test_why_not_in_words() -> None:
    assert why_not(view(1, held=hold(1, "quiet_hours", "Quiet hours until 07:00."))) == (
        "quiet hours"
    )
    weak = hold(1, "weak_fit", "Closest theme 'weather' at 0.31, under min_relevance 0.35.")
    assert why_not(view(1, held=weak)) == (
        "weak theme fit: Closest theme 'weather' at 0.31, under min_relevance 0.35"
    )
    assert why_not(view(1, held=weak), language="fr") == (
        "lien trop faible avec un thème : Closest theme 'weather' at 0.31, under min_relevance 0.35"
    )
    assert why_not(view(1, held=hold(1, "new_reason"))) == "new reason"
    assert why_not(view(1, pitch_id=9, held=weak), language="fr") == "proposé n°9"


def test_stories_table_long_labels_stay_on_one_line_and_french() -> None:
    text, _ = render(stories_table([view(1, label="word " * 40)], language="fr"), width=120)
    lines = text.splitlines()
    assert len(lines) == 2 and " ".join(lines[1].split()[-4:]) == "weather pas encore décidé"
    narrow, _ = render(stories_table([view(1, label="word " * 40)], language="fr"), width=80)
    assert len(narrow.splitlines()) == 2
    assert "…" in lines[1] and "en hausse" in lines[1] and "Sujet" in lines[0]


def test_empty_stories_table_says_so() -> None:
    text, _ = render(stories_table([]))
    assert "No live stories yet." in text


def test_the_catalogue_speaks_the_brands_language() -> None:
    """What cli.py's `pitch` command says, and a Slack word, in each language."""
    saved = Messages("fr-FR")("console.saved", pitch_id=3)
    assert saved.startswith("Enregistrée comme proposition n°3 :")
    assert Messages("en")("console.preview", id=7).endswith("`trendbot pitch 7 --save` queues it.")
