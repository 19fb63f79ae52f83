import base64
import io
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from matplotlib import image

from trendbot.errors import TrendbotError
from trendbot.report import report_data, write_report
from trendbot.store import Store, iso
from trendbot.types import Item, Pitch, SourceLink

T0 = datetime(2025, 10, 19, tzinfo=UTC)
SINCE, NOW = T0, T0 + timedelta(days=3)
PNG = b"\x89PNG\r\n\x1a\n"
MODEL = "test-model"


def news(n: int, at: datetime, title: str) -> Item:
    return Item(
        feed="news",
        guid=f"g{n}",
        url=f"https://example.com/{n}",
        title=title,
        summary="",
        published=at,
        seen=at,
        source=f"Publisher {n % 3}",
    )


def add_story(store: Store, story_id: int, label: str, items: list[Item]) -> None:
    with store.transaction() as db:
        db.execute(
            "INSERT INTO stories (id, model, label, first_seen, last_seen, size)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [story_id, MODEL, label, iso(items[0].seen), iso(items[-1].seen), len(items)],
        )
        db.executemany(
            "INSERT INTO story_items (item_id, model, story_id, similarity) VALUES (?, ?, ?, ?)",
            [(item.id, MODEL, story_id, 0.9) for item in items],
        )


def pitch(story_id: int, label: str) -> Pitch:
    return Pitch(
        story_id=story_id,
        story_label=label,
        theme="culture",
        angle="",
        draft="A draft.",
        hashtags=("Louvre",),
        visual="",
        why_now="5 sources in 90 min",
        score=2.5,
        safety="safe",
        safety_reason="",
        sources=(SourceLink("A headline", "https://example.com/1", "AP News"),),
    )


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    """Three days: a Louvre story on day one (12 items over 3 hours), a storm story on day two
    (6 items), 10 unrelated items; two pitches, one approved on day one, one rejected on day
    three; and one item and one pitch outside the period. On each engine."""
    with Store(database) as s:
        s.ensure_feed("news", url="https://example.com/rss")
        louvre = [
            news(n, T0 + timedelta(hours=10, minutes=15 * n), f"Louvre heist {n} $5M in 💎")
            for n in range(12)
        ]
        storm = [
            news(100 + n, T0 + timedelta(days=1, hours=6 + n), f"Storm Melissa update {n}")
            for n in range(6)
        ]
        other = [news(200 + n, T0 + timedelta(hours=7 * n), f"Other news {n}") for n in range(10)]
        before = [news(300, T0 - timedelta(days=2), "Last week's news")]
        s.save_items("news", [*louvre, *storm, *other, *before])
        add_story(s, 1, "Thieves take 💎 from the Louvre: $88M {or $100M <b>heist</b>", louvre)
        add_story(s, 2, "Storm Melissa nears Jamaica", storm)
        first = s.insert_pitch(pitch(1, "Louvre <heist> & jewels"), now=T0 + timedelta(hours=12))
        second = s.insert_pitch(pitch(2, "Storm Melissa"), now=T0 + timedelta(days=1, hours=9))
        s.insert_pitch(pitch(2, "Old pitch"), now=T0 - timedelta(days=1))
        assert first.id and second.id
        s.set_pitch_state(first.id, "approved", now=T0 + timedelta(hours=13), user="U1")
        s.set_pitch_state(
            second.id, "rejected", now=T0 + timedelta(days=2, hours=1), user="U2", reason="grim"
        )
        yield s


def images(page: str) -> list[bytes]:
    return [base64.b64decode(b) for b in re.findall(r'src="data:image/png;base64,([^"]+)"', page)]


def test_figures_come_from_the_period_only(store: Store) -> None:
    data = report_data(store, since=SINCE, now=NOW)
    assert data.items == 28  # 12 + 6 + 10, not last week's item
    assert data.bins.hours == 1 and data.bins.count == 72
    assert data.news[10] == 4  # four Louvre items at 10:00, 10:15, 10:30, 10:45, none other
    assert [s.id for s in data.stories] == [1, 2]
    assert [s.total for s in data.stories] == [12, 6]
    assert data.story_count == 2
    assert [d.day for d in data.days] == [19, 20, 21]
    assert data.decisions["proposed"] == [1, 1, 0]
    assert data.decisions["approved"] == [1, 0, 0]
    assert data.decisions["rejected"] == [0, 0, 1]
    assert data.pitch_count == 2
    assert [p.state for p in data.pitches] == ["rejected", "approved"]
    assert data.pitches[0].reason == "grim" and data.pitches[0].decided_by == "U2"


def test_long_periods_get_wider_bins(store: Store) -> None:
    store.save_items("news", [news(400, NOW - timedelta(days=13, hours=23), "Old news")])
    data = report_data(store, since=NOW - timedelta(days=14), now=NOW)
    assert data.bins.hours == 2 and data.bins.count == 168
    assert data.story_bins.hours == 6
    assert sum(data.news) == 30  # now with last week's items


def test_the_time_axis_frames_the_part_of_the_period_with_data(store: Store) -> None:
    # 500 days asked, 5 days of data (from last week's item): not squashed against one edge
    data = report_data(store, since=NOW - timedelta(days=500), now=NOW)
    assert (data.since, data.now) == (T0 - timedelta(days=2, hours=1), NOW)
    assert sum(data.news) == 29 and data.bins.hours == 1
    # and on the right: nothing after the last item (63 h) for a year
    data = report_data(store, since=SINCE, now=NOW + timedelta(days=365))
    assert (data.since, data.now) == (SINCE, T0 + timedelta(hours=64))
    assert data.days[-1].day == 21


def test_html_page_has_the_charts_and_the_pitch_table(store: Store, tmp_path: Path) -> None:
    out = write_report(store, since=SINCE, now=NOW, out=tmp_path / "r" / "report.html")
    page = out.read_text(encoding="utf-8")
    pngs = images(page)
    assert len(pngs) == 3  # items, stories, decisions
    assert all(p.startswith(PNG) for p in pngs)
    assert image.imread(io.BytesIO(pngs[0])).shape[1] == 1100
    assert "2025-10-19 00:00 → 2025-10-22 00:00 UTC" in page
    assert "<li>Storm Melissa nears Jamaica <small>(6 items)</small></li>" in page
    assert "$88M {or $100M &lt;b&gt;heist&lt;/b&gt;" in page
    table = page[page.index("<table>") :]
    assert "Louvre &lt;heist&gt; &amp; jewels" in table  # escaped, not markup
    assert '<span class="state approved">approved</span>' in table
    assert "2025-10-21 01:00 by U2: grim" in table
    assert '<tr class="draft"><td></td><td colspan="7">A draft.</td></tr>' in table
    assert "Old pitch" not in page
    assert "<b>28</b>new items" in page and "50%" in page  # one approved, one rejected


def test_png_report_is_one_valid_image(store: Store, tmp_path: Path) -> None:
    out = write_report(store, since=SINCE, now=NOW, out=tmp_path / "report.png")
    content = out.read_bytes()
    assert content.startswith(PNG)
    pixels = image.imread(io.BytesIO(content))
    assert pixels.shape[1] == 1100
    assert pixels.shape[0] > 1200  # the title, three charts and the table, stacked


def test_empty_store_gives_a_clear_page(tmp_path: Path) -> None:
    with Store(tmp_path / "empty.db") as store:
        out = write_report(store, since=SINCE, now=NOW, out=tmp_path / "empty.html")
        png = write_report(store, since=SINCE, now=NOW, out=tmp_path / "empty.png")
    page = out.read_text(encoding="utf-8")
    assert "Nothing to report" in page and "trendbot fetch" in page
    assert images(page) == []
    assert png.read_bytes().startswith(PNG)


def test_items_without_stories_or_pitches_say_so(tmp_path: Path) -> None:
    with Store(tmp_path / "t.db") as store:
        store.ensure_feed("news")
        store.save_items("news", [news(1, T0 + timedelta(hours=1), "Only news")])
        page = write_report(store, since=SINCE, now=NOW, out=tmp_path / "r.html").read_text()
    assert len(images(page)) == 1
    assert "No stories yet" in page and "No pitches in this period." in page


def test_wrong_period_and_unwritable_file_are_one_line_errors(store: Store, tmp_path: Path) -> None:
    with pytest.raises(TrendbotError, match="give a start before the end"):
        write_report(store, since=NOW, now=SINCE, out=tmp_path / "r.html")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(TrendbotError, match="cannot write the report") as error:
        write_report(store, since=SINCE, now=NOW, out=blocker / "r.html")
    assert "\n" not in str(error.value)


def test_other_formats_are_refused_before_any_work(store: Store, tmp_path: Path) -> None:
    with pytest.raises(TrendbotError) as error:
        write_report(store, since=SINCE, now=NOW, out=tmp_path / "report.pdf")
    assert str(error.value) == (
        "cannot write a report as .pdf: give a file name ending in .html (a page) or .png"
        f" (an image): '{tmp_path / 'report.pdf'}'"
    )
    assert not (tmp_path / "report.pdf").exists()


def test_matplotlib_is_imported_only_to_draw() -> None:
    code = "import sys, trendbot.report; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
