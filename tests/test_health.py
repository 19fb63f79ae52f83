"""Feed health and back-off, with explicit times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trendbot.errors import FetchError, ParseError
from trendbot.sources.health import MAX_BACKOFF, FeedHealth, backoff, due, enable, record

NOW = datetime(2025, 10, 1, 12, 0, tzinfo=UTC)
EVERY_15 = timedelta(minutes=15)


def fail(state: FeedHealth, error: Exception, at: datetime = NOW) -> FeedHealth:
    assert isinstance(error, (FetchError, ParseError))
    return record(state, error, now=at, interval=EVERY_15)


def test_a_new_feed_is_due() -> None:
    assert due(FeedHealth(), NOW)


def test_success_schedules_the_next_poll() -> None:
    state = record(FeedHealth(), "ok", now=NOW, interval=EVERY_15)
    assert state.last_success == state.last_attempt == NOW
    assert state.next_fetch_after == NOW + EVERY_15
    assert not due(state, NOW + timedelta(minutes=14))
    assert due(state, NOW + EVERY_15)


def test_not_modified_counts_as_success() -> None:
    failing = fail(FeedHealth(), FetchError("server error (500)", status=500))
    state = record(failing, "not_modified", now=NOW, interval=EVERY_15)
    assert state.consecutive_failures == 0 and state.last_error is None
    assert state.last_success == NOW and state.next_fetch_after == NOW + EVERY_15


def test_failures_back_off_exponentially_up_to_a_cap() -> None:
    state = FeedHealth()
    waits = []
    at = NOW
    for _ in range(8):
        state = fail(
            state, FetchError("server error (502)", url="https://e.example/", status=502), at
        )
        assert state.next_fetch_after is not None
        waits.append(state.next_fetch_after - at)
        at = state.next_fetch_after
    minutes = [int(w.total_seconds() // 60) for w in waits]
    assert minutes == [30, 60, 120, 240, 360, 360, 360, 360]
    assert state.consecutive_failures == 8 and not state.disabled
    assert state.last_error == "server error (502): 'https://e.example/'"
    assert state.last_status == 502

    recovered = record(state, "ok", now=at, interval=EVERY_15)
    assert recovered.consecutive_failures == 0 and recovered.last_status is None
    assert recovered.next_fetch_after == at + EVERY_15


def test_parse_errors_back_off_too() -> None:
    state = fail(FeedHealth(), ParseError("not an RSS or Atom feed", url="https://e.example/"))
    assert state.consecutive_failures == 1 and state.last_status is None
    assert state.next_fetch_after == NOW + 2 * EVERY_15
    assert state.last_error is not None and state.last_error.startswith("not an RSS or Atom feed")


def test_retry_after_is_honoured() -> None:
    state = fail(FeedHealth(), FetchError("rate limited (429)", status=429, retry_after=7200))
    assert state.next_fetch_after == NOW + timedelta(hours=2)  # longer than the back-off
    short = fail(FeedHealth(), FetchError("rate limited (429)", status=429, retry_after=5))
    assert short.next_fetch_after == NOW + 2 * EVERY_15  # never sooner than the back-off
    absurd = fail(FeedHealth(), FetchError("down (503)", status=503, retry_after=10**9))
    assert absurd.next_fetch_after == NOW + timedelta(days=1)


def test_gone_disables_the_feed() -> None:
    state = fail(
        FeedHealth(), FetchError("feed is gone (410): remove it from feeds.yaml", status=410)
    )
    assert state.disabled and not due(state, NOW + timedelta(days=30))
    assert state.last_error is not None and "410" in state.last_error
    # a later success (fetched by hand) does not silently re-enable it; enable() does
    assert record(state, "ok", now=NOW, interval=EVERY_15).disabled
    again = enable(state)
    assert not again.disabled and again.consecutive_failures == 0 and due(again, NOW)


def test_backoff_for_feeds_polled_less_often_than_the_cap() -> None:
    daily = timedelta(days=1)
    assert backoff(daily, 3) == daily
    assert backoff(EVERY_15, 0) == EVERY_15
    assert backoff(EVERY_15, 1000) == MAX_BACKOFF


def test_multiline_errors_keep_one_line() -> None:
    error = ParseError("not a feed")
    error.__cause__ = ValueError("first line\nsecond line")
    state = fail(FeedHealth(), error)
    assert state.last_error == "not a feed: ValueError: first line"
