"""Parsing: golden pairs (tests/data/feeds/NAME next to NAME.json), the real Le Monde RSS files,
and the normalising helpers.

The golden JSON files are what `parse_feed` returns today, checked by hand once. After a change
to parsing that is meant to change them, regenerate and review the diff:

    .venv/bin/python tests/test_parse.py      # rewrites tests/data/feeds/*.json
    git diff tests/data/feeds/
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from trendbot.errors import ParseError
from trendbot.sources.parse import (
    TRACKING_PARAMS,
    canonical_url,
    normalise_title,
    parse_feed,
    parse_traffic,
    plain_text,
    shorten,
)
from trendbot.types import FeedInfo

FEEDS = Path(__file__).parent / "data" / "feeds"
LEMONDE = Path(__file__).parents[2] / "shared" / "data" / "lemonde_rss_samples"
SEEN = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)

# fixture -> the arguments parse_feed gets for it (as the pipeline would pass them)
GOLDEN: dict[str, dict[str, Any]] = {
    "google_news.rss": {"url": "https://news.google.com/rss?hl=en-US&gl=US&ceid=US:en"},
    "atom.xml": {"url": "https://blog.example.org/feed.atom", "content_type": "application/xml"},
    "trends_fr.rss": {"url": "https://trends.google.com/trending/rss?geo=FR", "kind": "trending"},
    "trends_us.rss": {"url": "https://trends.google.com/trends/trendingsearches/daily/rss?geo=US"},
    "rdf.xml": {"url": "https://nachrichten.example.de/rss"},
    "bozo.xml": {"url": "http://www.gazette.example.com/rss", "content_type": "text/html"},
    "latin1.xml": {"url": "https://gazette-perigord.example.fr/rss", "content_type": "text/xml"},
}


def parse_fixture(name: str) -> FeedInfo:
    return parse_feed(
        (FEEDS / name).read_bytes(), feed=name.split(".")[0], seen=SEEN, **GOLDEN[name]
    )


def as_json(info: FeedInfo) -> dict[str, Any]:
    items = []
    for item in info.items:
        fields = asdict(item)
        fields["published"] = item.published.isoformat()
        fields["seen"] = item.seen.isoformat()
        items.append({"id": item.id, **fields})
    return {"title": info.title, "link": info.link, "language": info.language, "items": items}


def golden_path(name: str) -> Path:
    return FEEDS / f"{name}.json"


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_parse_matches_golden(name: str) -> None:
    expected = json.loads(golden_path(name).read_text(encoding="utf-8"))
    assert as_json(parse_fixture(name)) == expected


def test_google_news_uses_the_publisher_and_strips_it_from_titles() -> None:
    info = parse_fixture("google_news.rss")
    assert len(info.items) == 20
    first = info.items[0]
    assert first.source == "Axios"
    assert first.title == "Trump and Hegseth's plan for a MAGA military reset, told in 11 quotes"
    assert first.summary == ""  # the description only repeated headline and publisher
    assert first.url.startswith("https://news.google.com/rss/articles/") and "oc=" not in first.url
    assert all(not i.title.endswith(f" - {i.source}") for i in info.items)
    assert {i.language for i in info.items} == {"en"}  # <language>en-US</language>


def test_a_google_news_feed_is_ranked_others_only_when_told() -> None:
    # Google News lists its lead story first: the position is a ranking, which growth reads
    assert [i.rank for i in parse_fixture("google_news.rss").items] == list(range(1, 21))
    # a blog lists its newest post first: a position that says nothing about reach
    assert {i.rank for i in parse_fixture("atom.xml").items} == {None}
    content = (FEEDS / "atom.xml").read_bytes()
    told = parse_feed(content, url="https://blog.example.org/feed.atom", feed="a", seen=SEEN,
                      ranked=True)  # fmt: skip
    assert [i.rank for i in told.items] == [1, 2, 3, 4]
    gn = (FEEDS / "google_news.rss").read_bytes()
    off = parse_feed(gn, url="https://news.google.com/rss", feed="g", seen=SEEN, ranked=False)
    assert {i.rank for i in off.items} == {None}
    # a topic or search feed has its own #1, not the day's lead story: not ranked unless told
    for url in ("https://news.google.com/rss/headlines/section/topic/SPORTS?hl=en-US",
                "https://news.google.com/rss/search?q=coffee"):  # fmt: skip
        assert {i.rank for i in parse_feed(gn, url=url, feed="g", seen=SEEN).items} == {None}


def test_trends_keep_traffic_pictures_and_every_news_item() -> None:
    psg, greve, nobel = parse_fixture("trends_fr.rss").items
    assert psg.kind == "trending" and psg.title == "psg"
    assert psg.extra["traffic"] == 10_000 and psg.extra["traffic_raw"] == "10 k+"
    assert psg.extra["geo"] == "FR"
    assert [n["source"] for n in psg.extra["news"]] == ["L'Équipe", "Le Parisien", "Ouest-France"]
    assert "xtor" not in psg.extra["news"][0]["url"]
    assert "&amp;" not in psg.extra["news"][1]["title"]
    assert len({psg.id, greve.id, nobel.id}) == 3  # the feed gives them all the same <link>
    assert nobel.extra["news"] == [] and nobel.summary == ""

    shutdown, spotify = parse_fixture("trends_us.rss").items  # the older namespace
    assert shutdown.extra["traffic"] == 2_000_000 and spotify.extra["traffic"] == 200_000
    assert shutdown.extra["news"][0]["title"].startswith("Government shutdown begins")
    assert (
        spotify.extra["news"][0]["title"]
        == "Spotify's Daniel Ek announces that he'll step aside as CEO"
    )


def test_trends_feed_is_trending_even_when_declared_news() -> None:
    content = (FEEDS / "trends_fr.rss").read_bytes()
    info = parse_feed(content, url="https://x.example/", feed="t", kind="news", seen=SEEN)
    assert {i.kind for i in info.items} == {"trending"}
    assert info.items[0].extra["geo"] == "FR"  # from the channel link when the URL has none


def test_encodings_dates_and_languages() -> None:
    latin = parse_fixture("latin1.xml")
    assert latin.items[0].title == "Fête de la châtaigne : année record à Sarlat"
    assert latin.language == "fr"

    atom = parse_fixture("atom.xml")
    cargo, seeds, future, notes = atom.items
    assert cargo.published == datetime(2025, 10, 1, 6, 15, tzinfo=UTC)  # +02:00 -> UTC
    assert cargo.url == "https://blog.example.org/2025/10/cargo-bikes?page=2"  # relative, resolved
    assert seeds.published == datetime(2025, 9, 30, 17, 45, tzinfo=UTC)  # from <updated>
    assert future.published == SEEN  # 2031 is a wrong clock, not news from the future
    assert notes.url == "" and notes.id != cargo.id
    assert atom.language is None and cargo.language == "en"  # detected
    assert "track()" not in seeds.summary  # <script> text is not content

    german = parse_fixture("rdf.xml")
    assert german.language == "de" and german.items[0].author == "Marta Schulz"

    override = parse_feed(
        (FEEDS / "rdf.xml").read_bytes(),
        url="https://x.example/",
        feed="x",
        seen=SEEN,
        language="fr-CA",
    )
    assert {i.language for i in override.items} == {"fr"}


def test_bozo_feed_is_recovered() -> None:
    info = parse_fixture("bozo.xml")
    assert [i.title for i in info.items] == [
        "Harvest festival draws record crowds to the market square",
        "Bridge repairs to close the high street for two weeks",
    ]
    assert info.items[0].url == "http://www.gazette.example.com/news/harvest-festival?id=42"
    assert info.items[1].published == SEEN  # "not a date at all"


def test_published_a_little_ahead_is_kept() -> None:
    ahead = SEEN + timedelta(minutes=3)
    content = (
        "<rss version='2.0'><channel><title>t</title><item><title>Skewed clock headline</title>"
        f"<link>https://e.example/1</link><pubDate>{ahead:%a, %d %b %Y %H:%M:%S} GMT</pubDate>"
        "</item></channel></rss>"
    ).encode()
    item = parse_feed(content, url="https://e.example/rss", feed="e", seen=SEEN).items[0]
    assert item.published == ahead


@pytest.mark.parametrize(
    ("content", "content_type", "words"),
    [
        (b"", None, "empty"),
        (b"   \n", "application/rss+xml", "empty"),
        ((FEEDS / "page.html").read_bytes(), "text/html; charset=utf-8", "web page"),
        ((FEEDS / "page.html").read_bytes(), None, "web page"),
        ((FEEDS / "garbage.bin").read_bytes(), "application/octet-stream", "not an RSS or Atom"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "application/json", "not an RSS"),
    ],
)
def test_not_a_feed(content: bytes, content_type: str | None, words: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(
            content, url="https://e.example/feed", feed="e", seen=SEEN, content_type=content_type
        )
    message = str(raised.value)
    assert words in message and "https://e.example/feed" in message
    assert "\n" not in message


def test_web_page_error_points_to_its_feed() -> None:
    with pytest.raises(
        ParseError, match=r"its feed seems to be https://news\.example/rss/all\.xml"
    ):
        parse_feed(
            (FEEDS / "page.html").read_bytes(), url="https://news.example/", feed="e", seen=SEEN
        )


def test_content_naming_a_local_file_is_not_read_from_disk(tmp_path: Path) -> None:
    secret = tmp_path / "secret.xml"
    secret.write_text(
        "<rss version='2.0'><channel><title>local</title><item><title>secret</title></item>"
        "</channel></rss>"
    )
    with pytest.raises(ParseError):
        parse_feed(str(secret).encode(), url="https://e.example/", feed="e", seen=SEEN)


def test_seen_must_be_aware() -> None:
    with pytest.raises(ValueError):
        parse_feed(b"<rss/>", url="https://e.example/", feed="e", seen=datetime(2025, 1, 1))


# -- Le Monde, read from the shared data (never copied into the repository) ----------------------


def lemonde_files() -> list[Path]:
    if not LEMONDE.is_dir():
        pytest.skip(f"{LEMONDE} is absent")
    return sorted(LEMONDE.glob("*.xml"))


def test_lemonde_feeds() -> None:
    files = lemonde_files()
    assert len(files) == 16
    seen = datetime(2022, 3, 16, 0, 0, tzinfo=UTC)  # the evening after they were saved
    for path in files:
        info = parse_feed(path.read_bytes(), url=f"https://www.lemonde.fr/rss/{path.name}",
                          feed=path.stem, seen=seen)  # fmt: skip
        assert info.language == "fr" and "Le Monde" in info.title
        assert len(info.items) >= 15, path.name
        for item in info.items:
            assert item.title and item.title == item.title.strip() and "<" not in item.title
            assert item.published.tzinfo is UTC and item.published < seen  # a real date, in UTC
            assert item.url.startswith("https://www.lemonde.fr/") and "#" not in item.url
            params = {k.lower() for k, _ in parse_qsl(urlsplit(item.url).query)}
            assert not params & TRACKING_PARAMS and not any(
                p.startswith(("utm_", "at_")) for p in params
            )
            assert item.language == "fr" and item.kind == "news"
            assert len(item.summary) <= 1000 and "&nbsp;" not in item.summary
            assert item.source == "lemonde.fr"  # 16 topic feeds, one publisher


# -- helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://Example.COM:443/a/b?utm_source=x&id=3&UTM_Medium=y#top",
            "https://example.com/a/b?id=3",
        ),
        ("http://example.com", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        (
            "https://www.lemonde.fr/a.html?at_medium=rss&at_campaign=une&xtor=RSS-3208&page=2",
            "https://www.lemonde.fr/a.html?page=2",
        ),
        (
            "https://e.com/p?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ocid=5&cmpid=6&q=a%20b",
            "https://e.com/p?q=a%20b",
        ),
        (
            "https://news.google.com/rss/articles/CBMi123?oc=5",
            "https://news.google.com/rss/articles/CBMi123",
        ),
        ("https://e.com/p?oc=5", "https://e.com/p?oc=5"),  # oc is Google News' only
        ("https://e.com/p?b=2&a=1&a=0", "https://e.com/p?b=2&a=1&a=0"),  # order kept
        ("  https://e.com/x  ", "https://e.com/x"),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
        ("/relative/path", "/relative/path"),
        ("http://[::1]:80/x", "http://[::1]/x"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_normalise_title() -> None:
    assert normalise_title("Élection : Macron réélu !") == "election macron reelu"
    assert normalise_title("  Breaking—NEWS:  it's   here…") == "breaking news it s here"
    assert normalise_title("Straße") == normalise_title("STRASSE")
    assert normalise_title("") == ""


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("200,000+", 200_000),
        ("2,000,000+", 2_000_000),
        ("10 k+", 10_000),
        ("10K+", 10_000),
        ("1천+", 1_000),
        ("5만+", 50_000),
        ("2 Mio.+", 2_000_000),
        ("1,5 M+", 1_500_000),
        ("200.000+", 200_000),
        ("200\u202f000+", 200_000),
        ("500+", 500),
        ("lots", None),
        ("10 zillion+", None),
    ],
)
def test_parse_traffic(raw: str, expected: int | None) -> None:
    assert parse_traffic(raw) == expected


def test_plain_text_and_shorten() -> None:
    assert plain_text("<p>Caf&eacute; &amp; <b>bar</b></p><p>next</p>") == "Café & bar next"
    assert plain_text("Fish &amp;amp; chips", is_html=False) == "Fish &amp; chips"
    assert plain_text("a < b and c > d", is_html=False) == "a < b and c > d"
    text = "word " * 300
    short = shorten(text.strip(), 100)
    assert len(short) <= 100 and short.endswith("word…")
    assert shorten("short", 100) == "short"


def test_parse_imports_neither_httpx_nor_heavy_libraries() -> None:
    code = (
        "import sys, trendbot.sources.parse, trendbot.sources.health, trendbot.sources.opml;"
        "print(sorted(m for m in ('httpx', 'torch', 'sqlite_utils', 'faiss') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def regenerate_golden() -> None:
    for name in sorted(GOLDEN):
        data = as_json(parse_fixture(name))
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        golden_path(name).write_text(text, encoding="utf-8")
        print(f"wrote {golden_path(name).relative_to(Path.cwd())}: {len(data['items'])} items")


if __name__ == "__main__":
    regenerate_golden()
