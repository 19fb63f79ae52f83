"""OPML exports (Feedly, Inoreader) -> feeds."""

from __future__ import annotations

from pathlib import Path

import pytest

from trendbot.errors import ConfigError
from trendbot.sources.opml import OpmlFeed, read_opml

FEEDS = Path(__file__).parent / "data" / "feeds"


def test_feedly_export() -> None:
    feeds = read_opml(FEEDS / "feedly.opml")
    assert feeds == [
        OpmlFeed("Le Monde", "https://www.lemonde.fr/rss/une.xml", ("News",)),
        OpmlFeed(  # filed under News and Tech: once, with both tags
            "BBC News - World", "https://feeds.bbci.co.uk/news/world/rss.xml", ("News", "Tech")
        ),
        OpmlFeed("The Verge", "https://www.theverge.com/rss/index.xml", ("Tech", "Gadgets")),
        OpmlFeed("Untitled feed", "https://blog.example.org/feed.atom", ()),
    ]


def test_inoreader_export_with_categories_and_language() -> None:
    lequipe, trends = read_opml(str(FEEDS / "inoreader.opml"))
    assert (
        lequipe.name == "L'Équipe" and lequipe.url == "https://dwh.lequipe.fr/api/edito/rss?path=/"
    )
    assert lequipe.tags == ("Sport", "Football", "Brand") and lequipe.language == "fr"
    assert trends.tags == () and trends.language is None


def test_bytes_are_accepted() -> None:
    content = b'<opml version="2.0"><body><outline xmlUrl="https://e.example/rss"/></body></opml>'
    assert read_opml(content) == [OpmlFeed("https://e.example/rss", "https://e.example/rss")]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"<opml><body><outline", "not valid XML (line 1, column 13)"),
        (b"", "not valid XML"),
        ((FEEDS / "page.html").read_bytes(), "not valid XML"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML file (it starts with <rss>"),
        (b"<opml version='2.0'><head/></opml>", "no <body>"),
        (b"<opml><body><outline text='empty folder'/></body></opml>", "no feeds in the OPML file"),
    ],
)
def test_bad_opml_names_the_file(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "subscriptions.opml"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as raised:
        read_opml(path)
    message = str(raised.value)
    assert message.startswith(str(path)) and words in message and "\n" not in message


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="cannot read the OPML file"):
        read_opml("/nonexistent/feeds.opml")
