"""An article shared in Slack, fetched from a real local server with the feeds' guards."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from feedserver import FeedServer, Response

from trendbot.errors import FetchError
from trendbot.sources.article import SHARED_FEED, article_item, links_in
from trendbot.sources.fetch import Fetcher

SEEN = datetime(2025, 9, 9, 18, 0, tzinfo=UTC)
PAGE = """<!doctype html><html lang="en-US"><head>
<meta charset="utf-8"><title>Apple event live: iPhone 17 unveiled | Example News</title>
<meta property="og:title" content="Apple unveils the iPhone 17 and a thinner iPhone Air">
<meta property="og:description" content="The new phones go on sale next week &amp; start at $799.">
<meta property="og:site_name" content="Example News">
<meta property="og:url" content="https://news.example.com/tech/iphone-17?utm_source=slack">
<meta property="article:published_time" content="2025-09-09T17:30:00Z">
</head><body><h1>ignored</h1></body></html>"""


def test_links_in_a_slack_message() -> None:
    text = "look <https://a.example/x?id=1|this> and <https://b.example/y> or https://c.example/z."
    assert links_in(text) == [
        "https://a.example/x?id=1",
        "https://b.example/y",
        "https://c.example/z",
    ]
    assert links_in("no link here, <@U123> <#C123|general>") == []


def test_a_shared_article_becomes_an_item(feed_server: FeedServer) -> None:
    feed_server.route(
        "/article", Response(body=PAGE.encode(), headers={"Content-Type": "text/html"})
    )
    with Fetcher(allow_private=True) as fetcher:
        got = fetcher.fetch(feed_server.url("/article"))
    assert got.content is not None
    item = article_item(got.final_url, got.content, content_type=got.content_type, seen=SEEN)
    assert item.feed == SHARED_FEED and item.language == "en"
    assert item.title == "Apple unveils the iPhone 17 and a thinner iPhone Air"
    assert item.summary == "The new phones go on sale next week & start at $799."
    assert item.url == "https://news.example.com/tech/iphone-17"  # canonical, tracking dropped
    assert item.source == "Example News" and item.published == datetime(
        2025, 9, 9, 17, 30, tzinfo=UTC
    )


def test_a_page_without_a_title_or_not_html_is_refused_in_one_line() -> None:
    with pytest.raises(FetchError, match="no title: is it an article"):
        article_item("https://x.example/", b"<html><body>hi</body></html>", seen=SEEN)
    with pytest.raises(FetchError, match=r"not a web page \(application/pdf\)"):
        article_item("https://x.example/a.pdf", b"%PDF", content_type="application/pdf", seen=SEEN)


def test_the_shortcut_keeps_the_feeds_guard_on_private_addresses(feed_server: FeedServer) -> None:
    with Fetcher() as fetcher, pytest.raises(FetchError, match="private or local address"):
        fetcher.fetch(feed_server.url("/article"))
