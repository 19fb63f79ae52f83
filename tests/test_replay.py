"""`trendbot replay`, `export` and `demo`: recorded streams through the real pipeline (real
encoder, real SQLite files), driven through the CLI as a user would."""

from __future__ import annotations

import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from headlines import HEATWAVE, NOISE, SHOOTING, THEMES

from trendbot.cli import cli
from trendbot.errors import FeedError
from trendbot.replay import TOP_HELD, top_held
from trendbot.sources.replay import ARCHIVE_FEED, read_stream
from trendbot.types import HeldStory, Hold

T0 = datetime(2025, 7, 15, 9, 0, tzinfo=UTC)  # 11:00 in Paris: outside quiet hours

BRAND = {
    "brand": {
        "name": "Maison Brioche",
        "language": "fr",
        "themes": THEMES,
        "cadence": {"queue_minutes": 0, "min_score": 1.0},
    }
}


def snapshot(at: datetime, rank: int, source: str, title: str) -> dict[str, Any]:
    return {"seen_at": at.strftime("%Y-%m-%dT%H:%M:%SZ"), "rank": rank, "title": title,
            "source": source}  # fmt: skip


def archive() -> list[dict[str, Any]]:
    """News-archive lines: everyday news through the morning, then a heatwave burst and a
    shooting; each heatwave headline is listed again in the next snapshot, as the archive does."""
    rows = [snapshot(T0 - timedelta(hours=10 - n), n, "Agence", t) for n, t in enumerate(NOISE)]
    for n, (source, title) in enumerate(HEATWAVE):
        rows.append(snapshot(T0 + timedelta(minutes=5 * n), n, source, title))
        rows.append(snapshot(T0 + timedelta(minutes=5 * n + 30), n, source, title))
    for n, (source, title) in enumerate(SHOOTING):
        rows.append(snapshot(T0 + timedelta(minutes=5 * n + 2), 10 + n, source, title))
    return rows


def write_lines(path: Path, rows: list[dict[str, Any]]) -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text(json.dumps(BRAND, ensure_ascii=False), encoding="utf-8")  # JSON is YAML
    return path


def trendbot(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def test_read_stream_one_item_per_headline_in_clock_order(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "archive.jsonl.gz", archive()[::-1])
    items = read_stream(path)
    assert len(items) == len(archive())  # repeats are sightings: the store makes them one item
    assert [i.seen for i in items] == sorted(i.seen for i in items)
    assert {i.feed for i in items} == {ARCHIVE_FEED}
    window = read_stream(path, start=T0, end=T0 + timedelta(minutes=10))
    assert {i.seen for i in window} == {T0 + timedelta(minutes=m) for m in (0, 2, 5, 7)}
    # the archive's rank is the item's position in that snapshot (no rank: unranked)
    assert {(i.title, i.rank) for i in window} >= {(HEATWAVE[1][1], 1), (SHOOTING[0][1], 10)}
    assert {i.rank for i in items if i.title == HEATWAVE[0][1]} == {None}  # rank 0 in the file


def test_a_bad_line_is_one_line_naming_the_file_and_the_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "stream.jsonl", archive()[:2])
    with path.open("a", encoding="utf-8") as f:
        f.write('{"title": "no time, no source"}\n')
    result = CliRunner().invoke(cli, ["--config", str(config(tmp_path)), "replay", str(path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert str(path) in lines[0] and "line 3" in lines[0]


def test_an_rss_corpus_counts_a_newspaper_s_topic_feeds_as_one_publisher(tmp_path: Path) -> None:
    def saved(feed: str, n: int, link: str, title: str) -> dict[str, Any]:
        at = (T0 + timedelta(minutes=n)).isoformat()
        return {"feed": feed, "seen_at": at, "published": at, "title": title, "link": link}

    path = write_lines(tmp_path / "corpus.jsonl", [
        saved("sport", 1, "https://www.lemonde.fr/sport/a.html", "Le XV de France bat l'Irlande"),
        saved("une", 2, "https://www.lemonde.fr/sport/a.html", "Le XV de France bat l'Irlande"),
        saved("politique", 3, "https://www.lemonde.fr/p/b.html", "Le Sénat adopte le budget"),
        saved("news", 4, "https://rss.example.com/c", "A heatwave grips the south of Europe"),
    ])  # fmt: skip
    items = read_stream(path)
    assert [i.source for i in items] == ["lemonde.fr"] * 3 + ["example.com"]
    assert [i.language for i in items] == ["fr", "fr", "fr", "en"]  # read, not assumed


def test_a_replay_of_one_site_says_why_nothing_rose(tmp_path: Path) -> None:
    """Le Monde's topic feeds are one publisher: a month of them never rises, and the summary
    says why, where a Google News stream with the same headlines would rise."""
    one_site = [
        {"feed": "planete", "published": (T0 + timedelta(minutes=5 * n)).isoformat(),
         "title": title, "link": f"https://www.lemonde.fr/planete/{n}.html"}
        for n, (_, title) in enumerate(HEATWAVE)
    ]  # fmt: skip
    path = write_lines(tmp_path / "corpus.jsonl", one_site)
    cfg = config(tmp_path)
    result = trendbot("--config", str(cfg), "--db", str(tmp_path / "a.db"), "replay", str(path))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.replace("│", " ").split())
    assert "0 en hausse à un moment" in said
    assert "Rien n'est monté : tous les articles viennent d'une seule source (lemonde.fr)" in said
    # the same headlines from their publishers rise, and no such line is printed
    many = write_lines(tmp_path / "archive.jsonl", archive())
    result = trendbot("--config", str(cfg), "--db", str(tmp_path / "b.db"), "replay", str(many))
    assert "Proposition #1" in result.output and "Rien n'est monté" not in result.output


def test_a_stream_mixing_formats_names_the_line_and_what_it_lacks(tmp_path: Path) -> None:
    corpus = {
        "feed": "une",
        "published": T0.isoformat(),
        "title": "Un titre",
        "link": "https://a.fr/x",
    }
    path = write_lines(tmp_path / "mixed.jsonl", [*archive()[:2], corpus])
    with pytest.raises(
        FeedError, match=r"line 3: .*news archive record lacks rank, seen_at, source"
    ):
        read_stream(path)


@pytest.mark.slow
def test_replay_prints_each_pitch_at_its_time_then_exports_and_replays_again(
    tmp_path: Path,
) -> None:
    cfg, db = config(tmp_path), tmp_path / "replay.db"
    stream = write_lines(tmp_path / "archive.jsonl.gz", archive())
    result = trendbot("--config", str(cfg), "--db", str(db), "replay", str(stream))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Proposition #1" in out and "Proposition #2" not in out
    assert f"{T0:%Y-%m-%d} 09:" in out  # the card's time is the recorded clock's
    assert re.search(rf"\b{len(archive())}\s+articles rejoués", out)
    # after the counts, the best stories held back, each with its latest reason
    start = out.index("En hausse mais pas proposés : ceux qui vont à vos thèmes d'abord")
    held = out[start:].splitlines()
    assert any(re.search(r"│\s+\d+\.\d  #\d+ \w.*  bloqué : ", line) for line in held), held
    pitches = rows(db, "SELECT theme, safety FROM pitches")
    assert pitches == [("meteo", "safe")]
    assert rows(db, "SELECT count(*) FROM holds WHERE reason = 'blocked'")[0][0] >= 1
    # each heatwave headline is one item, seen twice
    assert rows(db, "SELECT count(*) FROM items")[0][0] == len(NOISE + HEATWAVE + SHOOTING)
    seen_twice = rows(db, "SELECT count(*) FROM item_sightings WHERE last_seen > first_seen")
    assert seen_twice[0][0] == len(HEATWAVE)

    # the team's own history, exported, replays to the same items and the same pitch
    exported = tmp_path / "history.jsonl"
    result = trendbot("--config", str(cfg), "--db", str(db), "export", str(exported))
    assert result.exit_code == 0, result.output
    assert len(exported.read_text(encoding="utf-8").splitlines()) == len(
        NOISE + HEATWAVE + SHOOTING
    )
    again = tmp_path / "again.db"
    result = trendbot("--config", str(cfg), "--db", str(again), "replay", str(exported))
    assert result.exit_code == 0, result.output
    titles = "SELECT title, source, first_seen FROM items ORDER BY title"
    assert rows(again, titles) == rows(db, titles)
    assert rows(again, "SELECT theme, safety FROM pitches") == pitches

    # a period before the burst: nothing to pitch, and said so
    result = trendbot(
        "--config", str(cfg), "--db", str(tmp_path / "before.db"), "replay", str(stream),
        "--from", "2025-07-14", "--to", f"{T0:%Y-%m-%dT%H:%M}",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Proposition" not in result.output
    assert re.search(rf"\b{len(NOISE)}\s+articles rejoués", result.output)


def test_a_replay_names_the_stories_its_themes_lost_before_the_blocked_ones() -> None:
    """The ten best held stories of a month were all politics and wars, blocked: the ones a
    marketer looks for (their themes', held for a caution, the day's limit, too late) come
    first, best score first in each group."""

    def held(story_id: int, reason: str, score: float) -> HeldStory:
        return HeldStory(story_id, f"story {story_id}", score, Hold(story_id, reason, "", T0))

    stories = [held(1, "blocked", 13.4), held(2, "no_theme", 11.0), held(3, "stale", 2.9),
               held(4, "caution", 6.0),
               *(held(10 + n, "blocked", 9.0 - n) for n in range(12))]  # fmt: skip
    top = [h.story_id for h in top_held(stories)]
    assert top[:3] == [4, 3, 1] and len(top) == TOP_HELD and 2 in top
    # read by the themes: a caution that fits one first, then the near misses;
    # a caution or a loose fit far from every theme (an iPhone story for a toy brand) after
    loose = [held(20, "weak_fit", 12.0), held(21, "weak_fit", 3.0), held(22, "weak_fit", 2.0),
             held(23, "caution", 11.5)]  # fmt: skip
    shares = {4: 1.2, 3: 1.0, 20: 0.34, 21: 0.8, 22: 0.9, 23: 0.2, 1: 1.5}
    top = [h.story_id for h in top_held(stories + loose, shares)]
    assert top[:4] == [4, 3, 21, 22] and 20 not in top[:4] and 23 not in top[:4]
    assert top[4:6] == [1, 20]  # then best score: blocked, fitting or not, is not the themes'
    # nor a death or a disaster, nor a story that had no theme when it was held
    tragic = [held(30, "tragedy", 20.0), held(31, "no_theme", 19.0)]
    top = [h.story_id for h in top_held(tragic + loose, {30: 1.3, 31: 0.8, 21: 0.8})]
    assert top == [21, 30, 31, 20, 23, 22]
    # a story held as a weak fit is a near miss at best, even if its later headlines fit: under
    # the fitting ones its "weak theme fit" read as a contradiction
    grown = held(24, "weak_fit", 50.0)
    top = [h.story_id for h in top_held([*stories, *loose, grown], shares | {24: 1.4})]
    assert top[:3] == [4, 3, 24]
    assert [h.story_id for h in top_held([grown, held(4, "caution", 6.0)])] == [4, 24]


def test_replay_of_an_empty_period_is_one_line(tmp_path: Path) -> None:
    stream = write_lines(tmp_path / "archive.jsonl", archive())
    result = CliRunner().invoke(
        cli,
        ["--config", str(config(tmp_path)), "--db", str(tmp_path / "t.db"), "replay",
         str(stream), "--from", "2030-01-01"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0 and "nothing to replay" in result.output


OUTSIDE_ENV = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "TRENDBOT_CONFIG",
               "TRENDBOT_DB")  # fmt: skip


@pytest.mark.slow
def test_demo_replays_the_bundled_fortnight_offline_and_pitches(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in OUTSIDE_ENV}
    env |= {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "COLUMNS": "100"}
    db = tmp_path / "demo.db"
    done = subprocess.run(
        [sys.executable, "-m", "trendbot.cli", "--db", str(db), "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # no feeds.yaml here: the example brand is used
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # never pitched blocked; a story may turn so after its card (its thread says so)
    pitched = rows(
        db,
        "SELECT count(*), sum(safety = 'blocked' AND safety_reason NOT LIKE 'Since pitched:%')"
        " FROM pitches",
    )[0]
    assert pitched[0] >= 1 and not pitched[1]
    assert done.stdout.count("Pitch #") == pitched[0]  # the example brand is English
    assert "Replay summary" in done.stdout
    replayed = rows(db, "SELECT count(*) FROM items")[0][0]
    assert replayed > 2000 and rows(db, "SELECT count(*) FROM stories")[0][0] > 100
