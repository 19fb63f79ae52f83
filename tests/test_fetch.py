"""Fetching against a real HTTP server on 127.0.0.1 (tests/feedserver.py), asserting on the wire."""

from __future__ import annotations

import gzip
import ipaddress
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from feedserver import FEEDS, LAST_MODIFIED, FeedServer, Response

from trendbot.errors import FetchError
from trendbot.sources.fetch import (
    USER_AGENT,
    Fetcher,
    FetchRequest,
    FetchResult,
    is_public_address,
    parse_retry_after,
)
from trendbot.sources.parse import parse_feed

SEEN = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(allow_private=True, timeout=5) as f:
        yield f


def test_fetch_a_file_with_our_headers(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.url("/feeds/atom.xml")
    result = fetcher.fetch(url)
    assert result.status == 200
    assert result.content == (FEEDS / "atom.xml").read_bytes()
    assert result.url == result.final_url == url and result.permanent_url is None
    assert result.content_type == "application/xml"
    assert result.etag and result.last_modified == LAST_MODIFIED
    (request,) = feed_server.requests
    assert request.headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("trendbot/") and "(+https://" in USER_AGENT
    assert "gzip" in request.headers["accept-encoding"]
    assert "application/rss+xml" in request.headers["accept"]
    assert "if-none-match" not in request.headers and "if-modified-since" not in request.headers


def test_conditional_get_with_etag(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.url("/feeds/google_news.rss")
    first = fetcher.fetch(url)
    second = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == 304 and second.content is None
    assert second.etag == first.etag and second.last_modified == first.last_modified
    sent = feed_server.requests_to("/feeds/google_news.rss")[1].headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == first.last_modified
    assert [s.status for s in feed_server.sent] == [200, 304]


def test_conditional_get_with_last_modified_only(feed_server: FeedServer, fetcher: Fetcher) -> None:
    body = (FEEDS / "rdf.xml").read_bytes()
    url = feed_server.route("/lm", Response(body=body, headers={"Last-Modified": LAST_MODIFIED}))
    first = fetcher.fetch(url)
    assert first.etag is None and first.last_modified == LAST_MODIFIED
    assert fetcher.fetch(url, last_modified=first.last_modified).status == 304
    older = format_datetime(datetime(2020, 1, 1, tzinfo=UTC), usegmt=True)
    assert fetcher.fetch(url, last_modified=older).status == 200


def test_a_feed_that_changes_between_fetches(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route(
        "/changing",
        feed_server.file_response("changing_v1.rss"),
        feed_server.file_response("changing_v2.rss"),
    )
    first = fetcher.fetch(url)
    second = fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    assert second.status == 200 and second.etag != first.etag
    assert second.content is not None and first.content is not None
    before = parse_feed(first.content, url=url, feed="c", seen=SEEN).items
    after = parse_feed(second.content, url=url, feed="c", seen=SEEN).items
    assert len(before) == 1 and len(after) == 2
    assert after[1].id == before[0].id  # the same article, seen again


def test_gzip(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/gz", feed_server.file_response("google_news.rss", gzip=True))
    result = fetcher.fetch(url)
    assert result.content == (FEEDS / "google_news.rss").read_bytes()
    assert feed_server.sent[0].headers["content-encoding"] == "gzip"


def test_permanent_redirects_are_reported(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.redirect("/old", "/older", status=301)
    feed_server.redirect("/older", "feeds/atom.xml", status=308)  # relative Location
    result = fetcher.fetch(feed_server.url("/old"))
    assert result.status == 200 and result.url == feed_server.url("/old")
    assert result.final_url == feed_server.url("/feeds/atom.xml")
    assert result.permanent_url == result.final_url
    assert [r.path for r in feed_server.requests] == ["/old", "/older", "/feeds/atom.xml"]


@pytest.mark.parametrize("statuses", [(302,), (307,), (301, 302), (303, 308)])
def test_temporary_redirects_are_not_remembered(
    feed_server: FeedServer, fetcher: Fetcher, statuses: tuple[int, ...]
) -> None:
    paths = [f"/hop{i}" for i in range(len(statuses))] + ["/feeds/rdf.xml"]
    for status, here, there in zip(statuses, paths, paths[1:], strict=False):
        feed_server.redirect(here, feed_server.url(there), status=status)
    result = fetcher.fetch(feed_server.url("/hop0"))
    assert result.final_url == feed_server.url("/feeds/rdf.xml")
    assert result.permanent_url is None


def test_redirect_loop(feed_server: FeedServer, fetcher: Fetcher) -> None:
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="redirect loop"):
        fetcher.fetch(feed_server.url("/a"))
    assert len(feed_server.requests) == 2


def test_redirect_limit(feed_server: FeedServer) -> None:
    for i in range(6):
        feed_server.redirect(f"/r{i}", f"/r{i + 1}")
    feed_server.redirect("/r6", "/feeds/rdf.xml")
    with (
        Fetcher(allow_private=True, max_redirects=5) as fetcher,
        pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"),
    ):
        fetcher.fetch(feed_server.url("/r0"))
        assert fetcher.fetch(feed_server.url("/r2")).status == 200  # exactly 5 hops


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (410, "feed is gone (410): remove it from feeds.yaml"),
        (404, "feed not found (404)"),
        (403, "access denied (403)"),
        (500, "server error (500)"),
        (418, "unexpected HTTP status 418"),
    ],
)
def test_http_errors(feed_server: FeedServer, fetcher: Fetcher, status: int, words: str) -> None:
    url = feed_server.route("/err", Response(status=status, body=b"nope"))
    with pytest.raises(FetchError) as raised:
        fetcher.fetch(url)
    assert raised.value.status == status and raised.value.retry_after is None
    assert words in str(raised.value) and url in str(raised.value)


def test_retry_after_in_seconds_and_as_a_date(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route("/busy", Response(status=429, headers={"Retry-After": "120"}))
    with pytest.raises(FetchError, match="rate limited") as raised:
        fetcher.fetch(url)
    assert raised.value.status == 429 and raised.value.retry_after == 120

    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    url = feed_server.route("/down", Response(status=503, headers={"Retry-After": later}))
    with pytest.raises(FetchError) as raised:
        fetcher.fetch(url)
    assert raised.value.status == 503
    assert raised.value.retry_after is not None and 3000 < raised.value.retry_after <= 3600


def test_parse_retry_after() -> None:
    now = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after(" 30 ", now) == 30
    assert parse_retry_after("Wed, 01 Oct 2025 12:10:00 GMT", now) == 600
    assert parse_retry_after("Wed, 01 Oct 2025 11:00:00 GMT", now) == 0  # past: retry now
    assert parse_retry_after("soon", now) is None


def test_slow_response_times_out(feed_server: FeedServer) -> None:
    url = feed_server.route("/slow", Response(body=b"<rss/>", delay=10))
    with (
        Fetcher(allow_private=True, timeout=0.3) as fetcher,
        pytest.raises(FetchError, match=r"timed out after 0\.3 s") as raised,
    ):
        fetcher.fetch(url)
    assert "ReadTimeout" in str(raised.value)


def test_a_trickle_of_bytes_is_cut_off(feed_server: FeedServer) -> None:
    # every piece arrives well within the read timeout, the whole never does
    url = feed_server.route("/drip", Response(body=b"x" * 60 * 1024, drip=0.05))
    with (
        Fetcher(allow_private=True, timeout=0.5) as fetcher,
        pytest.raises(FetchError, match=r"took longer than 1\.5 s"),
    ):
        fetcher.fetch(url)


@pytest.mark.parametrize("content_length", [True, False])
def test_oversized_body(feed_server: FeedServer, content_length: bool) -> None:
    url = feed_server.route("/big", Response(body=b"x" * 300_000, content_length=content_length))
    with (
        Fetcher(allow_private=True, max_bytes=100 * 1024) as fetcher,
        pytest.raises(FetchError, match="feed is larger than 100 KiB"),
    ):
        fetcher.fetch(url)


def test_gzip_bomb_is_measured_decompressed(feed_server: FeedServer) -> None:
    bomb = Response(body=b"\0" * 2**20, gzip=True)
    url = feed_server.route("/bomb", bomb)
    with (
        Fetcher(allow_private=True, max_bytes=64 * 1024) as fetcher,
        pytest.raises(FetchError, match="larger than 64 KiB"),
    ):
        fetcher.fetch(url)
    assert len(gzip.compress(bomb.body)) < 64 * 1024  # small on the wire


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("page.html", "text/html; charset=utf-8"), ("garbage.bin", "application/octet-stream")],
)
def test_any_content_type_is_returned_for_parse_to_judge(
    feed_server: FeedServer, fetcher: Fetcher, name: str, content_type: str
) -> None:
    result = fetcher.fetch(feed_server.url(f"/feeds/{name}"))
    assert result.content == (FEEDS / name).read_bytes()
    assert result.content_type == content_type


def test_latin1_feed_end_to_end(feed_server: FeedServer, fetcher: Fetcher) -> None:
    url = feed_server.route(
        "/latin1", feed_server.file_response("latin1.xml", headers={"Content-Type": "text/xml"})
    )
    result = fetcher.fetch(url)
    assert result.content is not None
    info = parse_feed(
        result.content, url=result.final_url, feed="l", seen=SEEN, content_type=result.content_type
    )
    assert info.title == "Gazette du Périgord"
    assert info.items[1].title == "Noël : le marché ouvrira dès le 28 novembre"


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with (
        Fetcher(allow_private=True, timeout=2) as fetcher,
        pytest.raises(FetchError, match="cannot connect"),
    ):
        fetcher.fetch(f"http://127.0.0.1:{port}/feed")


@pytest.mark.parametrize("url", ["not a url", "http://", "https:///path", "http://[::1"])
def test_invalid_urls(url: str) -> None:
    with Fetcher() as fetcher, pytest.raises(FetchError):
        fetcher.fetch(url)


# -- address guard --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/feeds/atom.xml",
        "http://localhost:{port}/feeds/atom.xml",
        "http://[::1]:{port}/feeds/atom.xml",
        "http://10.1.2.3/feed",
        "http://192.168.1.1/feed",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{port}/feed",
        "http://0.0.0.0:{port}/feed",
        "http://224.0.0.1/feed",
    ],
)
def test_private_addresses_are_refused(feed_server: FeedServer, url: str) -> None:
    port = feed_server.url("").rsplit(":", 1)[1]
    with (
        Fetcher(timeout=1) as fetcher,
        pytest.raises(FetchError, match="private or local address") as raised,
    ):
        fetcher.fetch(url.format(port=port))
    assert raised.value.status is None
    assert feed_server.requests == []  # refused before connecting


def test_private_addresses_are_allowed_when_asked(feed_server: FeedServer) -> None:
    port = feed_server.url("").rsplit(":", 1)[1]
    with Fetcher(allow_private=True) as fetcher:
        assert fetcher.fetch(f"http://localhost:{port}/feeds/atom.xml").status == 200
        assert fetcher.fetch(f"http://127.0.0.1:{port}/feeds/atom.xml").status == 200


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/feed.xml", "gopher://x/"])
def test_only_http_and_https(url: str) -> None:
    with (
        Fetcher(allow_private=True) as fetcher,
        pytest.raises(FetchError, match="only http:// and https://"),
    ):
        fetcher.fetch(url)


def test_every_redirect_hop_is_checked() -> None:
    # a public address (no DNS needed) that redirects to the cloud metadata service;
    # the one place a transport stands in for a server: nothing public is reachable from tests
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    with (
        Fetcher(transport=httpx.MockTransport(handler)) as fetcher,
        pytest.raises(FetchError, match=r"169\.254\.169\.254"),
    ):
        fetcher.fetch("http://93.184.215.14/feed")
    assert seen == ["http://93.184.215.14/feed"]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2001:4860:4860::8888", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("100.64.0.1", False),
        ("100.100.100.200", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("2002:7f00:1::", False),  # 6to4 around 127.0.0.1
        ("64:ff9b::a00:1", False),  # NAT64 around 10.0.0.1
        ("64:ff9b::808:808", True),
        ("239.1.1.1", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


# -- many feeds at once ---------------------------------------------------------------------------


def test_fetch_many_yields_each_as_it_finishes(feed_server: FeedServer) -> None:
    feed_server.route("/slow", Response(body=b"<rss/>", delay=10))
    feed_server.route("/gone", Response(status=410))
    names = ["atom.xml", "rdf.xml", "google_news.rss", "trends_fr.rss"]
    requests = [FetchRequest(key="slow", url=feed_server.url("/slow"))]
    requests += [FetchRequest(key=n, url=feed_server.url(f"/feeds/{n}")) for n in names]
    requests += [
        FetchRequest(key="gone", url=feed_server.url("/gone")),
        FetchRequest(key="bad", url="not a url"),
    ]
    with Fetcher(allow_private=True, timeout=1, concurrency=2) as fetcher:
        results = list(fetcher.fetch_many(requests))
    assert sorted(r.key for r, _ in results) == sorted(r.key for r in requests)
    outcome = {r.key: o for r, o in results}
    assert all(isinstance(outcome[n], FetchResult) for n in names)
    gone, slow = outcome["gone"], outcome["slow"]
    assert isinstance(gone, FetchError) and gone.status == 410
    assert isinstance(slow, FetchError) and "timed out" in str(slow)
    assert isinstance(outcome["bad"], FetchError)
    assert results[-1][0].key == "slow"  # the others did not wait for it


def test_fetch_many_sends_each_feeds_validators(feed_server: FeedServer) -> None:
    url = feed_server.url("/feeds/atom.xml")
    with Fetcher(allow_private=True) as fetcher:
        first = fetcher.fetch(url)
        ((request, result),) = fetcher.fetch_many(
            [FetchRequest("atom", url, etag=first.etag, last_modified=first.last_modified)]
        )
    assert request.key == "atom" and isinstance(result, FetchResult) and result.status == 304
    with Fetcher() as fetcher:
        assert list(fetcher.fetch_many([])) == []
