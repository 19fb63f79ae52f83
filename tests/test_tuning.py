"""`trendbot themes try`: the brand's themes scored as the product scores them, against a
recorded stream or the stored stories, in seconds once the vectors are cached. Through the CLI,
with the real multilingual model (the Maison Brioche brand is French)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from rich.console import Console
from test_replay import archive, config, write_lines
from test_themes import encode, gaming_scene, reader

from trendbot.cli import cli
from trendbot.console import print_tried
from trendbot.settings import parse_settings
from trendbot.tuning import StoryText, feed_for, try_themes


def themes_try(cfg: Path, *args: str) -> Result:
    result = CliRunner().invoke(cli, ["--config", str(cfg), "themes", "try", *args])
    assert result.exit_code == 0, result.output
    return result


def panel(output: str, theme: str) -> str:
    """The text of one theme's panel, borders removed."""
    start = output.index(f"│ {theme}: ")
    end = output.index("╰", start)
    return " ".join(line.strip("│ ") for line in output[start:end].splitlines())


@pytest.mark.slow
def test_a_recorded_stream_shows_matches_near_misses_and_why_then_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    cfg = config(tmp_path)
    stream = write_lines(tmp_path / "archive.jsonl.gz", archive())
    first = themes_try(cfg, str(stream))
    meteo = panel(first.output, "meteo")
    assert re.match(r"meteo: [12] of \d+ stories match \(relevance ≥ 0\.\d\d\)", meteo), meteo
    best = meteo[meteo.index("Best matches") : meteo.index("Near misses")]
    assert "Canicule" in best and "keywords 'canicule'" in best and "kind of news" in best
    assert "Off-theme, closest in meaning" in meteo
    sport = panel(first.output, "sport")
    assert "sport: 0 of" in sport and "none: add examples and keywords" in sport
    summary = first.output.strip().splitlines()[-1]
    assert re.search(r"\d+ stories from \d+ items of archive\.jsonl\.gz", summary)
    assert re.search(r"\(\d+ texts encoded, 0 from the cache\)", summary)

    # the tuning loop: a stricter bar in feeds.yaml, and the same stories again in no time
    strict = json.loads(cfg.read_text(encoding="utf-8"))
    strict["brand"]["cadence"]["min_relevance"] = 0.95
    cfg.write_text(json.dumps(strict, ensure_ascii=False), encoding="utf-8")
    second = themes_try(cfg, str(stream))
    meteo = panel(second.output, "meteo")
    assert "meteo: 0 of" in meteo
    near = meteo[meteo.index("Near misses (below 0.95)") : meteo.index("Off-theme")]
    assert "Canicule" in near and "short of min_relevance 0.95" in near
    assert "0 texts encoded" in second.output and "model not loaded" in second.output


@pytest.mark.slow
def test_stored_stories_of_a_replay_score_like_the_pitches_it_made(tmp_path: Path) -> None:
    cfg, db = config(tmp_path), tmp_path / "replay.db"
    stream = write_lines(tmp_path / "archive.jsonl", archive())
    replayed = CliRunner().invoke(
        cli, ["--config", str(cfg), "--db", str(db), "replay", str(stream)]
    )
    assert replayed.exit_code == 0, replayed.output
    result = themes_try(cfg, "--db", str(db), "--since", "7d", "--json")
    # the replay's stories are old: counted back from where the data ends, said on stderr
    report = json.loads(result.stdout[result.stdout.index("{") :])
    assert report["model"] == "use-multilingual" and report["stories"] >= 3
    meteo, sport = report["themes"]
    assert meteo["theme"] == "meteo" and meteo["matched"] >= 1
    pitched = meteo["best"][0]
    assert pitched["relevance"] >= report["min_relevance"]
    assert "canicule" in pitched["story"].lower() and pitched["safety"] == "safe"
    assert sport["matched"] == 0 and set(sport) >= {"near_misses", "off_theme", "blocked"}
    # the shooting is matched to no theme, and blocked wherever it shows
    shown = [
        s for t in report["themes"] for k in ("best", "near_misses", "off_theme") for s in t[k]
    ]
    assert all(s["safety"] == "blocked" for s in shown if "fusillade" in s["story"].lower())


def test_mistakes_are_one_line(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    stream = write_lines(tmp_path / "archive.jsonl", archive())
    both = CliRunner().invoke(
        cli, ["--config", str(cfg), "themes", "try", str(stream), "--since", "7d"]
    )
    assert both.exit_code == 2 and "give FILE or --since, not both" in both.output
    empty = CliRunner().invoke(
        cli, ["--config", str(cfg), "--db", str(tmp_path / "new.db"), "themes", "try"]
    )
    assert empty.exit_code == 1
    assert len(empty.output.strip().splitlines()) == 1
    assert "no stories stored in the 7d" in empty.output and "themes try FILE" in empty.output
    nothing = CliRunner().invoke(
        cli, ["--config", str(cfg), "themes", "try", str(stream), "--from", "2030-01-01"]
    )
    assert nothing.exit_code == 1 and "nothing to score in that period" in nothing.output


@pytest.mark.slow
def test_brand_picks_whose_themes_are_tried(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    data = json.loads(cfg.read_text(encoding="utf-8"))
    first = data.pop("brand")
    chaleur = first["themes"][0] | {"name": "chaleur", "keywords": ["Glacier Martin"]}
    second = first | {"name": "Glace", "themes": [chaleur], "safety": {"competitors": ["Martin"]}}
    cfg.write_text(json.dumps(data | {"brands": [first, second]}), encoding="utf-8")
    stream = write_lines(tmp_path / "archive.jsonl", archive())
    tried = themes_try(cfg, str(stream), "--brand", "glace", "--json")
    report = json.loads(tried.stdout)  # the JSON alone on stdout, the warning beside it
    assert [t["theme"] for t in report["themes"]] == ["chaleur"]
    assert "keyword 'Glacier Martin' is also in safety.competitors" in tried.stderr
    unknown = CliRunner().invoke(
        cli, ["--config", str(cfg), "themes", "try", str(stream), "--brand", "Nope"]
    )
    assert unknown.exit_code == 2 and "no brand named 'Nope'" in unknown.output
    assert "Glace" in unknown.output


def test_the_weakest_matches_and_what_narrow_would_keep_are_shown() -> None:
    """A corner theme written as a whole kind matches its kind's other news near the bar: the
    report lists the weakest matches (where those show first) and says how many `narrow: true`
    would keep, without applying it. The gaming scene of tests/test_themes.py."""
    gaming = {
        "name": "gaming",
        "description": "tech news about video games, consoles and gamers",
        "examples": ["tech console game release", "gamers line up for the console launch"],
    }
    tech, stream = gaming_scene()
    console = "tech console game launch"
    now = datetime(2025, 11, 1, tzinfo=UTC)
    stories = [
        StoryText(i, t, t, encode([t])[0], 1, 1, now) for i, t in enumerate([*tech, console])
    ]

    def tried(theme: dict[str, object]) -> Any:
        brand = parse_settings(
            {
                "feeds": [{"name": "f", "url": "https://example.org/rss"}],
                "brand": {"name": "Arcade", "language": "en", "themes": [theme]},
            }
        ).brand
        [report] = try_themes(
            brand, stories, stream, encode(stream), encode=encode, model="minilm",
            topics=reader(tech=("tech", 40.0)), shown=2,
        ).themes  # fmt: skip
        return report

    loose = tried(gaming)
    assert loose.kind == "tech" and loose.matched > 4  # phone prices and reviews match too
    assert loose.best[0].story.label == console
    bar = 0.35
    weakest = [s.relevance for s in loose.weakest]
    assert len(weakest) == 2 and bar <= weakest[0] <= weakest[1] <= loose.best[-1].relevance
    assert {s.story.label for s in loose.weakest}.isdisjoint(s.story.label for s in loose.best)
    assert loose.as_narrow is not None and 1 <= loose.as_narrow < loose.matched / 2
    # marked narrow, the phones are gone and there is nothing left to suggest
    narrow = tried(gaming | {"narrow": True})
    assert narrow.as_narrow is None and narrow.matched == loose.as_narrow
    assert narrow.best[0].story.label == console
    # with places no story names: nothing matches, and its near misses say why, not a gap
    placed = tried(gaming | {"places": ["Tokyo"]})
    assert placed.matched == 0 and placed.near
    assert placed.near[0].why.endswith("; names none of its places (Tokyo)"), placed.near[0].why


def test_a_theme_whose_texts_are_not_clearly_its_kind_is_asked_plainly_about_narrow() -> None:
    """Half of a gaming theme's own texts read as tech news, the rest as other kinds: more
    likely a corner of tech than all of it, and the panel says so with the share (a theme
    whose texts all read as tech gets the plain question)."""
    kinds = ("phone", "tablet", "laptop", "router", "watch", "camera")
    tech = [f"tech {w} {v} {a}" for w in kinds for v in ("update", "review", "price", "launch")
            for a in ("today", "again", "soon")]  # fmt: skip
    who = ("city council", "storm warning", "bakery owner", "football coach", "museum curator",
           "school board", "farm market", "river flood")  # fmt: skip
    what = ("meets today", "speaks monday", "opens friday", "plans ahead", "wins praise")
    stream = [*tech, *(f"{a} {b} {c}" for a in who for b in what for c in ("this week", "later"))]
    now = datetime(2025, 11, 1, tzinfo=UTC)
    texts = [*tech, "tech console game launch"]
    stories = [StoryText(i, t, t, encode([t])[0], 1, 1, now) for i, t in enumerate(texts)]
    topics = reader(tech=("tech", 40.0), console=("culture", 20.0))

    def panel_of(examples: list[str]) -> tuple[Any, str]:
        about = "tech news about video games, consoles and gamers"
        theme = {"name": "gaming", "description": about, "examples": examples}
        brand = parse_settings(
            {
                "feeds": [{"name": "f", "url": "https://example.org/rss"}],
                "brand": {"name": "Arcade", "language": "en", "themes": [theme]},
            }
        ).brand
        report = try_themes(
            brand, stories, stream, encode(stream), encode=encode, model="minilm", topics=topics
        )
        console = Console(width=100, record=True)
        print_tried(console, report)
        return report.themes[0], " ".join(panel(console.export_text(), "gaming").split())

    mixed, text = panel_of(["tech console game release", "gamers line up for the console launch",
                            "players queue for the handheld"])  # fmt: skip
    assert mixed.unclear and mixed.clarity == pytest.approx(0.5, abs=0.05)
    assert mixed.as_narrow is not None and mixed.as_narrow < mixed.matched
    assert "gaming's own texts read as tech news only 50%: if it is a corner of tech news" in text
    clear, text = panel_of(["tech console game release", "tech gamers line up"])
    assert not clear.unclear and clear.clarity is not None and clear.clarity > 0.9
    assert "If gaming is a corner of tech news" in text and "own texts" not in text


def test_a_theme_of_a_kind_the_stream_hardly_carries_is_told_to_add_a_feed() -> None:
    """A stream of tech news and local notices has no sports news: a football theme can match
    nothing there however it is written, and the report says so and names a feed that has it
    (Google News' sports section); the tech theme's stream is plenty."""
    tech = [f"tech {w} {v}" for w in ("phone", "tablet", "laptop") for v in ("update", "review")]
    who = ("city council", "bakery owner", "museum curator", "farm market", "school board",
           "storm warning", "river flood", "library")  # fmt: skip
    what = ("meets today", "opens friday", "plans ahead", "wins praise", "speaks monday", "ends")
    stream = [*tech, *(f"{a} {b}" for a in who for b in what), "football coach wins"]
    now = datetime(2025, 11, 1, tzinfo=UTC)
    stories = [StoryText(i, t, t, encode([t])[0], 1, 1, now) for i, t in enumerate(stream)]
    brand = parse_settings(
        {
            "feeds": [{"name": "f", "url": "https://example.org/rss"}],
            "brand": {
                "name": "Kickoff",
                "language": "en",
                "themes": [
                    {"name": "matchday", "description": "football coach and the match",
                     "keywords": ["football"]},
                    {"name": "gadgets", "description": "tech phone and laptop news"},
                ],
            },
        }
    ).brand  # fmt: skip
    topics = reader(tech=("tech", 40.0), football=("sports", 40.0), coach=("sports", 40.0))
    report = try_themes(brand, stories, stream, encode(stream), encode=encode, model="minilm",
                        topics=topics)  # fmt: skip
    matchday, gadgets = report.themes
    assert (matchday.kind, matchday.of_kind) == ("sports", 1)
    assert matchday.feed.startswith("https://news.google.com/rss/headlines/section/topic/SPORTS?")
    assert gadgets.kind == "tech" and gadgets.of_kind == len(tech) and gadgets.feed == ""
    # a kind with no section of its own gets a search on the theme's first keyword
    [style] = brand.model_copy(
        update={"themes": [brand.themes[0].model_copy(update={"keywords": ["red carpet"]})]}
    ).themes
    assert feed_for("style", style, "fr").endswith("search?q=red+carpet&hl=fr&gl=FR&ceid=FR:fr")
