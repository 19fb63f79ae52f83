"""The one orchestrator: a cycle takes feeds to pitches, given a clock.

    fetch:    feeds.yaml -> sources.fetch (HTTP) -> sources.parse -> store (one transaction a feed)
    process:  new items -> embed (cached by content hash) -> stories (online clustering)
              -> trends (momentum and state of live stories)
              -> themes + safety (rising stories only) -> cadence -> pitches (stored)

Every stage reads its input from the store and writes its output back, so a cycle that dies
half-way is finished by the next one, and nothing is done twice. Adapters (CLI, scheduler, Slack)
call this module and nothing below it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from trendbot.errors import ConfigError, FeedError, FetchError, ParseError
from trendbot.logs import get_logger
from trendbot.settings import FeedSettings, Settings
from trendbot.sources import health
from trendbot.sources.fetch import Fetcher, FetchRequest, FetchResult
from trendbot.sources.parse import parse_feed
from trendbot.store import Store, from_iso, iso
from trendbot.types import FeedInfo, utcnow

log = get_logger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class FeedReport:
    feed: str
    status: str  # "ok" | "not modified" | "error"
    new: int = 0
    seen_again: int = 0
    detail: str = ""


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        fetcher: Fetcher | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._fetcher = fetcher
        store.sync_feeds(settings.news_feeds)

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            f = self.settings.fetch
            self._fetcher = Fetcher(
                timeout=f.timeout,
                max_bytes=int(f.max_mb * 2**20),
                concurrency=f.concurrency,
                allow_private=f.allow_private,
            )
        return self._fetcher

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()
        self.store.close()

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # fetch -----------------------------------------------------------------------------------

    def feeds_to_fetch(self, names: Sequence[str] = (), *, force: bool = False) -> list[FeedSettings]:
        """The feeds named (all of them when none), less those disabled or backing off."""
        feeds = self.settings.news_feeds
        if names:
            unknown = sorted(set(names) - {f.name for f in feeds})
            if unknown:
                raise ConfigError(
                    f"no feed named {unknown[0]!r} in feeds.yaml "
                    f"(known: {', '.join(f.name for f in feeds)})"
                )
            return [f for f in feeds if f.name in names]
        if force:
            return list(feeds)
        now = self.clock()
        return [f for f in feeds if health.due(self._health(f.name), now)]

    def fetch(
        self,
        names: Sequence[str] = (),
        *,
        force: bool = False,
        on_report: Callable[[FeedReport], None] | None = None,
    ) -> list[FeedReport]:
        """One fetch cycle: every due feed fetched (boundedly in parallel), parsed and stored."""
        feeds = {f.name: f for f in self.feeds_to_fetch(names, force=force)}
        requests = []
        for feed in feeds.values():
            row = self.store.feed_row(feed.name) or {}
            requests.append(
                FetchRequest(
                    key=feed.name,
                    url=row.get("permanent_url") or feed.url,
                    etag=row.get("etag"),
                    last_modified=row.get("last_modified"),
                )
            )
        reports = []
        for request, outcome in self.fetcher.fetch_many(requests):
            report = self._store_outcome(feeds[request.key], outcome)
            log.info("feed.fetched", feed=report.feed, status=report.status, new=report.new,
                     detail=report.detail)
            reports.append(report)
            if on_report:
                on_report(report)
        return sorted(reports, key=lambda r: r.feed)

    def _store_outcome(self, feed: FeedSettings, outcome: FetchResult | FetchError) -> FeedReport:
        now = self.clock()
        previous = self._health(feed.name)
        interval = timedelta(minutes=feed.poll_minutes)
        if isinstance(outcome, FetchError):
            state = health.record(previous, outcome, now=now, interval=interval)
            self.store.update_feed(feed.name, **_health_row(state))
            return FeedReport(feed.name, "error", detail=_one_line(outcome))
        moved = {"permanent_url": outcome.permanent_url} if outcome.permanent_url else {}
        if outcome.status == 304 or outcome.content is None:
            state = health.record(previous, "not_modified", now=now, interval=interval)
            self.store.update_feed(feed.name, **_health_row(state), **moved)
            return FeedReport(feed.name, "not modified")
        try:
            info = parse_feed(
                outcome.content,
                url=outcome.final_url,
                feed=feed.name,
                kind=feed.kind,
                language=feed.language,
                seen=now,
                content_type=outcome.content_type,
            )
        except ParseError as e:
            state = health.record(previous, e, now=now, interval=interval)
            self.store.update_feed(feed.name, **_health_row(state))
            return FeedReport(feed.name, "error", detail=_one_line(e))
        state = health.record(previous, "ok", now=now, interval=interval)
        fields = _health_row(state) | moved
        fields |= {"etag": outcome.etag, "last_modified": outcome.last_modified}
        fields["title"] = info.title or None
        saved = self.store.save_items(feed.name, info.items, feed_fields=fields)
        return FeedReport(feed.name, "ok", new=saved.new, seen_again=saved.seen_again)

    def _health(self, name: str) -> health.FeedHealth:
        row = self.store.feed_row(name) or {}
        return health.FeedHealth(
            last_attempt=_dt(row.get("last_fetched")),
            last_success=_dt(row.get("last_success")),
            last_error=row.get("last_error"),
            consecutive_failures=int(row.get("consecutive_failures") or 0),
            next_fetch_after=_dt(row.get("next_fetch_after")),
            disabled=bool(row.get("disabled")),
        )


def _dt(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


def _health_row(state: health.FeedHealth) -> dict[str, Any]:
    return {
        "last_fetched": iso(state.last_attempt) if state.last_attempt else None,
        "last_success": iso(state.last_success) if state.last_success else None,
        "last_error": state.last_error,
        "consecutive_failures": state.consecutive_failures,
        "next_fetch_after": iso(state.next_fetch_after) if state.next_fetch_after else None,
        "disabled": int(state.disabled),
    }


def _one_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def read_one_feed(url_or_file: str, *, allow_private: bool = False) -> FeedInfo:
    """What trendbot sees in one feed (a URL or a local file), for `trendbot check-feed`."""
    path = Path(url_or_file)
    now = utcnow()
    if "://" not in url_or_file:
        if not path.is_file():
            raise FeedError("no such file, and not an http(s) URL", url=url_or_file)
        return parse_feed(path.read_bytes(), url=path.resolve().as_uri(), feed=path.stem, seen=now)
    with Fetcher(allow_private=allow_private) as fetcher:
        result = fetcher.fetch(url_or_file)
    assert result.content is not None  # no validators were sent, so no 304
    return parse_feed(
        result.content,
        url=result.final_url,
        feed="check",
        seen=now,
        content_type=result.content_type,
    )


def make_pipeline(
    settings: Settings,
    *,
    db: str | None = None,
    store: Store | None = None,
    fetcher: Fetcher | None = None,
    clock: Clock = utcnow,
) -> Pipeline:
    """Wire the real parts from settings; tests pass their own store, fetcher or clock."""
    from trendbot.settings import db_path

    store = store or Store(db or db_path(settings))
    return Pipeline(settings, store, fetcher=fetcher, clock=clock)
