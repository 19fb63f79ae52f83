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

import json
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from trendbot import (
    cadence,
    calibration,
    embed,
    growth,
    index,
    pitches,
    safety,
    stories,
    themes,
    trends,
)
from trendbot.errors import ConfigError, FeedError, FetchError, ParseError, PitchError
from trendbot.fit import Fit, assess, make_matcher, make_safety
from trendbot.logs import get_logger
from trendbot.settings import FeedSettings, Secrets, Settings, ThemeSettings
from trendbot.sources import health
from trendbot.sources.fetch import Fetcher, FetchRequest, FetchResult
from trendbot.sources.parse import parse_feed
from trendbot.store import Store, from_iso, insert_sql, iso
from trendbot.topics import TopicModel
from trendbot.topics import load as load_topics
from trendbot.types import FeedInfo, HeldStory, Item, Pitch, SourceLink, embed_text, utcnow

log = get_logger(__name__)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class FeedReport:
    feed: str
    status: str  # "ok" | "not modified" | "error"
    new: int = 0
    seen_again: int = 0
    detail: str = ""


class Interrupted(Exception):
    """The cycle stopped between two of its transactions because the process is stopping;
    what it had not done yet is still queued."""


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        *,
        fetcher: Fetcher | None = None,
        clock: Clock = utcnow,
        secrets: Secrets | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self._fetcher = fetcher
        llm_env = settings.pitches.llm.api_key_env if settings.pitches.llm else ""
        self.secrets = secrets or Secrets.from_env(llm_key_env=llm_env)
        self.brain = Brain(settings, store)
        # Set by whoever runs the pipeline (the scheduler) to stop a cycle between transactions.
        self.interrupt = threading.Event()
        self.writer = pitches.make_writer(settings.pitches, self.secrets)
        store.sync_feeds(settings.news_feeds)

    def reconfigure(self, settings: Settings) -> None:
        """Take a changed feeds.yaml (a theme or a feed added from Slack) without a restart."""
        self.settings = settings
        self.brain.reconfigure(settings)
        self.store.sync_feeds(settings.news_feeds)

    def process(self, now: datetime | None = None) -> CycleReport:
        """One processing cycle at `now`: embed, cluster, score, then pitch what deserves it."""
        now = now or self.clock()
        report = CycleReport(now)
        since = now - timedelta(days=self.settings.storage.retention_days)
        stop = self.interrupt
        report.embedded = embed_new(self.brain, self.store, since=since, interrupt=stop)
        report.clustered = cluster_new(self.brain, self.store, since=since, interrupt=stop)
        _check(stop)
        rising = score_live(self.brain, self.store, now=now, language=self.settings.brand.language)
        _check(stop)
        report.rising = len(rising)
        pitch_rising(
            self.brain,
            self.store,
            self.settings,
            self.writer,
            rising=rising,
            now=now,
            report=report,
        )
        log.info(
            "cycle.done",
            embedded=report.embedded,
            clustered=report.clustered,
            rising=report.rising,
            pitched=len(report.pitched),
            updates=report.updates,
            blocked=report.blocked,
        )
        return report

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

    def feeds_to_fetch(
        self, names: Sequence[str] = (), *, force: bool = False
    ) -> list[FeedSettings]:
        """The feeds named (all of them when none), less those disabled or backing off unless
        `force`."""
        feeds = self.settings.news_feeds
        if names:
            unknown = sorted(set(names) - {f.name for f in feeds})
            if unknown:
                raise ConfigError(
                    f"no feed named {unknown[0]!r} in feeds.yaml "
                    f"(known: {', '.join(f.name for f in feeds)})"
                )
            feeds = [f for f in feeds if f.name in names]
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
            log.info(
                "feed.fetched",
                feed=report.feed,
                status=report.status,
                new=report.new,
                detail=report.detail,
            )
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
    secrets: Secrets | None = None,
) -> Pipeline:
    """Wire the real parts from settings; tests pass their own store, fetcher or clock."""
    from trendbot.settings import db_path

    store = store or Store(db or db_path(settings))
    return Pipeline(settings, store, fetcher=fetcher, clock=clock, secrets=secrets)


# process ------------------------------------------------------------------------------------

EMBED_BATCH = 256
CLUSTER_BATCH = 5000
LIVE = timedelta(hours=48)  # a story with no new item for this long is no longer scored
LOOKBACK = timedelta(hours=trends.TrendParams().lookback_hours)  # momentum looks this far back
PITCHABLE = ("rising", "peaking")


@dataclass
class CycleReport:
    now: datetime
    embedded: int = 0
    clustered: int = 0
    live: int = 0
    rising: int = 0
    pitched: list[Pitch] = field(default_factory=list)
    updates: int = 0
    blocked: int = 0
    held: Counter[str] = field(default_factory=Counter)


class Brain:
    """The models of one database, built lazily and kept between cycles: the embedder, the
    story tracker (restored from the store), the theme matcher and the safety filter."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.model, self.model_reason = embed.resolve_model(
            settings.embedding.model, settings.languages
        )
        self.calibration = calibration.for_model(self.model)
        self._embedder: embed.Embedder | None = None
        self._tracker: stories.StoryTracker | None = None
        self._matcher: themes.ThemeMatcher | None = None
        self._safety: safety.SafetyFilter | None = None
        self._topics: TopicModel | None = None
        self.adapted_at: datetime | None = None
        self._items: index.VectorIndex[str] | None = None
        self._items_lock = threading.RLock()

    def reconfigure(self, settings: Settings) -> None:
        self.settings = settings
        self._matcher = self._safety = None  # rebuilt from the new themes and rules
        self.adapted_at = None  # the new matcher has not seen the stream yet

    @property
    def embedder(self) -> embed.Embedder:
        """The model behind the machine's vector cache: loaded at the first text never seen."""
        if self._embedder is None:
            self._embedder = embed.cached_embedder(self.model)
        return self._embedder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.embedder.encode(texts)

    def item_index(self, store: Store, now: datetime) -> index.VectorIndex[str]:
        """Every recent item's vector, for semantic search: built from the store on first use
        (`trendbot run` builds it at start-up), then kept up to date by `embed_new`."""
        with self._items_lock:
            if self._items is None:
                since = now - timedelta(days=self.settings.storage.retention_days)
                items: index.VectorIndex[str] = index.VectorIndex(self.embedder.dim)
                keys, vectors, times = self._item_vectors(store, since)
                if keys:
                    items.rebuild(keys, vectors, times)
                self._items = items
            return self._items

    def _item_vectors(
        self, store: Store, since: datetime
    ) -> tuple[list[str], np.ndarray, list[float]]:
        """Streamed into one preallocated array: a list of rows first would hold every vector
        twice more (at 100k items, 400 MB of peak memory)."""
        sql = (
            "FROM embeddings e JOIN items i ON i.id = e.item_id"
            " WHERE e.model = ? AND i.first_seen >= ?"
        )
        params = [self.model, iso(since)]
        keys: list[str] = []
        times: list[float] = []
        with store.lock:
            count = int(store.scalar(f"SELECT count(*) {sql}", params))
            vectors = np.empty((count, self.embedder.dim), np.float32)
            rows = store.db.execute(f"SELECT e.item_id, e.vector, i.first_seen {sql}", params)
            for key, blob, first_seen in rows:
                if len(keys) == len(vectors):  # another process wrote meanwhile
                    vectors = np.resize(vectors, (2 * len(vectors) + 1, self.embedder.dim))
                vectors[len(keys)] = np.frombuffer(blob, dtype=np.float32)
                keys.append(key)
                times.append(from_iso(first_seen).timestamp())
        return keys, vectors[: len(keys)], times

    def search_items(
        self, store: Store, vector: np.ndarray, k: int, *, now: datetime
    ) -> list[tuple[str, float]]:
        items = self.item_index(store, now)
        with self._items_lock:  # faiss indexes are not safe to search while they grow
            return items.search(vector, k)

    def indexed(self, ids: Sequence[str], vectors: np.ndarray, times: Sequence[float]) -> None:
        with self._items_lock:
            if self._items is not None and len(ids):
                self._items.add(list(ids), vectors, times)
                self._items.expire(max(times) - self.settings.storage.retention_days * 86400)

    @property
    def tracker(self) -> stories.StoryTracker:
        if self._tracker is None:
            self._tracker = restore_tracker(self.store, self.model, self.embedder.dim)
        return self._tracker

    @property
    def topics(self) -> TopicModel:
        if self._topics is None:
            self._topics = load_topics(self.model, self.encode)
        return self._topics

    @property
    def matcher(self) -> themes.ThemeMatcher:
        if self._matcher is None:
            self._matcher = make_matcher(
                self.settings.brand,
                self.encode,
                model=self.model,
                topics=self.topics,
                learned=[learned_of(r) for r in self.store.theme_examples()],
            )
        return self._matcher

    @property
    def safety(self) -> safety.SafetyFilter:
        if self._safety is None:
            self._safety = make_safety(
                self.settings.brand, self.encode, model=self.model, topics=self.topics
            )
        return self._safety


def _check(interrupt: threading.Event | None) -> None:
    if interrupt is not None and interrupt.is_set():
        raise Interrupted


def embed_new(
    brain: Brain, store: Store, *, since: datetime, interrupt: threading.Event | None = None
) -> int:
    """Vectors for items that have none for this model (or whose text changed): batched."""
    store.sync_queue(brain.model, since=since)
    done = 0
    while True:
        _check(interrupt)
        if not (rows := store.items_to_embed(since=since, limit=EMBED_BATCH)):
            return done
        vectors = brain.encode([embed_text(r["title"], r["summary"]) for r in rows])
        store.save_vectors(
            brain.model,
            [(r["id"], r["content_hash"], v) for r, v in zip(rows, vectors, strict=True)],
        )
        brain.indexed(
            [r["id"] for r in rows], vectors, [from_iso(r["first_seen"]).timestamp() for r in rows]
        )
        done += len(rows)


def cluster_new(
    brain: Brain, store: Store, *, since: datetime, interrupt: threading.Event | None = None
) -> int:
    """Embedded items join stories one at a time, in arrival order; membership is stored."""
    tracker = brain.tracker
    done = 0
    while True:
        _check(interrupt)
        if not (rows := store.items_to_cluster(brain.model, since=since, limit=CLUSTER_BATCH)):
            return done
        members = []
        for row in rows:
            extra = json.loads(row["extra"])
            assignment = tracker.add(
                row["id"],
                np.frombuffer(row["vector"], dtype=np.float32),
                from_iso(row["first_seen"]).timestamp(),
                title=row["title"],
                source=row["source"] or row["feed"],
                feed=row["feed"],
                language=row["language"],
                trending_traffic=extra.get("traffic") if row["kind"] == "trending" else None,
            )
            members.append((row["id"], assignment))
        save_stories(store, brain.model, tracker, members)
        done += len(rows)


def restore_tracker(store: Store, model: str, dim: int) -> stories.StoryTracker:
    """The tracker as it was: the open stories of this model, read back from the store."""
    rows = store.query(
        "SELECT * FROM stories WHERE model = ? AND closed = 0 AND merged_into IS NULL", [model]
    )
    return stories.StoryTracker(
        stories.StoryParams.for_model(model),
        dim,
        [_story_from_row(r) for r in rows],
        next_id=store.next_story_id(),
    )


def _story_from_row(row: dict[str, Any]) -> stories.Story:
    state = json.loads(row["state_json"])
    return stories.Story(
        id=row["id"],
        vector_sum=np.frombuffer(row["vector_sum"], dtype=np.float32).copy(),
        size=row["size"],
        first_seen=from_iso(row["first_seen"]).timestamp(),
        last_seen=from_iso(row["last_seen"]).timestamp(),
        label=row["label"],
        label_vector=np.frombuffer(row["label_vector"], dtype=np.float32).copy(),
        terms=state["terms"],
        terms_norm2=state["terms_norm2"],
        keywords=json.loads(row["keywords"]),
        sources=set(state["sources"]),
        feeds=set(state["feeds"]),
        languages=set(json.loads(row["languages"])),
        trending=bool(row["trending"]),
        traffic=row["traffic"],
        merged_into=row["merged_into"],
        closed=bool(row["closed"]),
    )


def _story_row(story: stories.Story, model: str) -> dict[str, Any]:
    return {
        "id": story.id,
        "model": model,
        "label": story.label,
        "keywords": json.dumps(story.keywords, ensure_ascii=False),
        "first_seen": iso(datetime.fromtimestamp(story.first_seen, UTC)),
        "last_seen": iso(datetime.fromtimestamp(story.last_seen, UTC)),
        "size": story.size,
        "sources": len(story.sources),
        "languages": json.dumps(sorted(story.languages)),
        "trending": int(story.trending),
        "traffic": story.traffic,
        "merged_into": story.merged_into,
        "closed": int(story.closed),
        "vector_sum": np.asarray(story.vector_sum, dtype=np.float32).tobytes(),
        "label_vector": np.asarray(story.label_vector, dtype=np.float32).tobytes(),
        "state_json": json.dumps(
            {
                "terms": story.terms,
                "terms_norm2": story.terms_norm2,
                "sources": sorted(story.sources),
                "feeds": sorted(story.feeds),
            },
            ensure_ascii=False,
        ),
    }


def save_stories(
    store: Store,
    model: str,
    tracker: stories.StoryTracker,
    members: Sequence[tuple[str, stories.Assignment]],
) -> None:
    """Membership and every changed story, in one transaction: all of the batch or none."""
    rows = [_story_row(tracker.get(i), model) for i in sorted(tracker.changed())]
    with store.transaction() as db:
        if rows:
            db.conn.executemany(
                insert_sql("stories", rows[0], upsert_on="id"), [list(r.values()) for r in rows]
            )
        db.conn.executemany(
            "INSERT OR REPLACE INTO story_items (item_id, model, story_id, similarity)"
            " VALUES (?, ?, ?, ?)",
            [(item_id, model, a.story_id, a.similarity) for item_id, a in members],
        )
        db.conn.executemany(
            "DELETE FROM pending WHERE stage = 'cluster' AND item_id = ?",
            [(item_id,) for item_id, _ in members],
        )
        db.conn.executemany(
            "UPDATE story_items SET story_id = ? WHERE story_id = ? AND model = ?",
            [(r["merged_into"], r["id"], model) for r in rows if r["merged_into"] is not None],
        )
    tracker.clear_changed()


def _events(rows: Sequence[tuple[Any, ...]]) -> dict[int, list[trends.Event]]:
    """Momentum events per story: each item once, at its publication time (never after it was
    seen), plus its latest sighting when it was seen again (still in the top stories)."""
    out: dict[int, list[trends.Event]] = defaultdict(list)
    for story_id, published, first_seen, last_seen, source, feed, kind, extra in rows:
        seen = from_iso(first_seen).timestamp()
        t = min(from_iso(published).timestamp(), seen)
        traffic = json.loads(extra).get("traffic") if extra else None
        out[story_id].append(trends.Event(t, source, feed, kind, traffic))
        last = from_iso(last_seen).timestamp()
        if last > seen:
            out[story_id].append(trends.Event(last, source, feed, kind, traffic, repeat=True))
    return out


def score_live(brain: Brain, store: Store, *, now: datetime, language: str) -> list[int]:
    """Momentum and state of every live story, stored; returns the ids of those rising now."""
    events = _events(store.story_events(brain.model, since=now - LOOKBACK))
    t_now = now.timestamp()
    rows = store.story_rows(brain.model, since=now - LIVE)
    states = {
        row["id"]: (
            row["state"] if row["scored_at"] else None,
            from_iso(row["state_since"]).timestamp() if row["state_since"] else None,
            bool(json.loads(row["why"] or "{}").get("risen")),
        )
        for row in rows
    }
    scored = trends.score_stories(events, states, t_now, model=growth.shipped())
    rising: list[int] = []
    updates = []
    for row in rows:
        m = scored[row["id"]]
        changed = m.state != row["state"] or not row["scored_at"]
        why: dict[str, Any] = {
            "explain": m.explain(language),
            "sparkline": trends.sparkline(trends.hourly_timeline(events.get(row["id"], []), t_now)),
            **{k: v for k, v in vars(m).items() if isinstance(v, int | float | bool | None)},
        }
        if m.growth is not None:
            why["growth"] = {
                "explain": m.growth.explain(language),
                "publishers": round(m.growth.publishers, 1),
                "hours": round(m.growth.hours, 1),
                "p_big": round(m.growth.p_big, 3),
                "error": m.growth.error,
                "drivers": m.growth.drivers(language),
            }
        updates.append(
            {
                "id": row["id"],
                "state": m.state,
                "state_since": iso(now) if changed else row["state_since"],
                "score": m.score,
                "why": json.dumps(why, ensure_ascii=False),
                "scored_at": iso(now),
            }
        )
        if m.state in PITCHABLE:
            rising.append(row["id"])
    with store.transaction() as db:
        db.conn.executemany(
            "UPDATE stories SET state = :state, state_since = :state_since, score = :score,"
            " why = :why, scored_at = :scored_at WHERE id = :id",
            updates,
        )
    return rising


ADAPT_ITEMS = 3000  # recent items the theme matcher learns the stream's shape from
ADAPT_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class StoryContext:
    """What the brand-fit stages read about one story."""

    row: dict[str, Any]
    items: list[dict[str, Any]]
    vector: np.ndarray

    @property
    def text(self) -> str:
        titles = dict.fromkeys([self.row["label"], *(i["title"] for i in self.items[:8])])
        return " ; ".join(titles)

    @property
    def why(self) -> dict[str, Any]:
        return dict(json.loads(self.row["why"] or "{}"))


def story_contexts(store: Store, rows: Sequence[dict[str, Any]]) -> list[StoryContext]:
    out = []
    for row in rows:
        vector = np.frombuffer(row["vector_sum"], dtype=np.float32)
        norm = float(np.linalg.norm(vector))
        out.append(
            StoryContext(row, store.story_items(row["id"]), vector / norm if norm else vector)
        )
    return out


def links_of(items: Sequence[dict[str, Any]]) -> tuple[SourceLink, ...]:
    return tuple(
        SourceLink(i["title"], i["url"] or "", i["source"] or i["feed"], i["language"])
        for i in items
        if i["kind"] == "news"
    )


def muted(context: StoryContext, mutes: Sequence[dict[str, Any]]) -> str | None:
    """The mute that silences this story, if any."""
    text = themes.fold(context.text + " " + " ".join(json.loads(context.row["keywords"])))
    for mute in mutes:
        if mute["kind"] == "story" and str(mute["value"]) == str(context.row["id"]):
            return f"story #{mute['value']}"
        if mute["kind"] == "words" and themes.fold(mute["value"]) in text:
            return repr(mute["value"])
    return None


def adapt_matcher(brain: Brain, store: Store, *, now: datetime) -> None:
    """Let the matcher learn the recent stream's shape; at most once per hour of clock time."""
    if brain.adapted_at is not None and now - brain.adapted_at < ADAPT_EVERY:
        return
    brain.adapted_at = now
    rows = store.query(
        "SELECT i.id, i.title FROM items i JOIN embeddings e ON e.item_id = i.id AND e.model = ?"
        " WHERE i.first_seen >= ? ORDER BY i.first_seen DESC LIMIT ?",
        [brain.model, iso(now - LOOKBACK), ADAPT_ITEMS],
    )
    vectors = store.vectors(brain.model, [r["id"] for r in rows])
    rows = [r for r in rows if r["id"] in vectors][::-1]
    if rows:
        brain.matcher.adapt([r["title"] for r in rows], np.vstack([vectors[r["id"]] for r in rows]))


def brand_fit(brain: Brain, contexts: Sequence[StoryContext]) -> list[Fit]:
    return (
        assess(
            brain.matcher,
            brain.safety,
            [c.text for c in contexts],
            np.vstack([c.vector for c in contexts]),
        )
        if contexts
        else []
    )


def pitch_input(context: StoryContext, fit: Fit, theme: ThemeSettings) -> pitches.PitchInput:
    row, why = context.row, context.why
    items = context.items
    assert fit.theme is not None
    return pitches.PitchInput(
        story_id=row["id"],
        label=row["label"],
        titles=tuple(dict.fromkeys(i["title"] for i in items if i["kind"] == "news")),
        keywords=tuple(json.loads(row["keywords"])),
        links=links_of(items),
        languages=tuple(json.loads(row["languages"])),
        why_now=why.get("explain", ""),
        score=row["score"],
        sparkline=why.get("sparkline", ""),
        theme=theme,
        relevance=fit.theme.relevance,
        theme_evidence=fit.theme.evidence,
        safety=fit.verdict.level,
        safety_reason=fit.verdict.reason,
        trending_terms=tuple(i["title"] for i in items if i["kind"] == "trending"),
    )


def _hold(store: Store, story_id: int, reason: str, detail: str, *, now: datetime) -> None:
    """Record why a story waits or was dropped, once per change of reason."""
    last = store.query(
        "SELECT reason FROM holds WHERE story_id = ? ORDER BY id DESC LIMIT 1", [story_id]
    )
    if not last or last[0]["reason"] != reason:
        store.record_hold(story_id, reason, detail, now=now)


def _story_key(row: dict[str, Any]) -> str:
    """What a thread update is about: the story's state and its sources, by fives."""
    return f"{row['state']}:{row['sources'] // 5}"


def _mark(db: Any, pitch_id: int, row: dict[str, Any], now: datetime) -> None:
    db.table("pitch_events").insert(
        {"pitch_id": pitch_id, "state": "story_seen", "at": iso(now), "reason": _story_key(row)}
    )


def _thread_news(store: Store, pitch: Pitch, context: StoryContext, *, now: datetime) -> bool:
    """Queue an update for the pitch's thread when the story moved on since the card or the last
    update (a new state, five more sources). Returns whether one was queued."""
    assert pitch.id is not None
    row = context.row
    seen = [e["reason"] for e in store.pitch_events(pitch.id) if e["state"] == "story_seen"]
    if seen and seen[-1] == _story_key(row):
        return False
    text = f"{row['state']}: {context.why.get('explain', '')}"
    with store.transaction() as db:
        db.table("thread_updates").insert({"pitch_id": pitch.id, "text": text, "created": iso(now)})
        _mark(db, pitch.id, row, now)
    return True


def pitch_rising(
    brain: Brain,
    store: Store,
    settings: Settings,
    writer: pitches.Writer,
    *,
    rising: Sequence[int],
    now: datetime,
    report: CycleReport,
) -> None:
    """Rising stories -> brand fit -> cadence -> drafted, stored pitches (in `report`)."""
    if not rising:
        return
    contexts = story_contexts(store, store.story_rows(brain.model, ids=rising))
    mutes = store.mutes()
    kept = []
    for c in contexts:
        if reason := muted(c, mutes):
            _hold(store, c.row["id"], "muted", f"Muted: {reason}.", now=now)
            report.held["muted"] += 1
        else:
            kept.append(c)
    if not kept:
        return
    adapt_matcher(brain, store, now=now)
    by_id: dict[int, tuple[StoryContext, Fit]] = {}
    candidates = []
    for context, fit in zip(kept, brand_fit(brain, kept), strict=True):
        story_id = context.row["id"]
        if fit.verdict.blocked:
            _hold(store, story_id, "blocked", fit.verdict.reason, now=now)
            report.blocked += 1
            continue
        if fit.theme is None:
            _hold(store, story_id, "no_theme", "Matches none of the brand's themes.", now=now)
            report.held["no_theme"] += 1
            continue
        if fit.theme.relevance < settings.brand.cadence.min_relevance:
            detail = f"Only loosely about {fit.theme.theme!r} ({fit.theme.relevance:.2f})."
            _hold(store, story_id, "weak_fit", detail, now=now)
            report.held["weak_fit"] += 1
            continue
        queued = context.row["queued_at"]
        if queued is None:
            queued = iso(now)
            store.db.table("stories").update(story_id, {"queued_at": queued})
        by_id[story_id] = (context, fit)
        candidates.append(
            cadence.Candidate(
                story_id=story_id,
                score=context.row["score"],
                relevance=fit.theme.relevance,
                state=context.row["state"],
                first_queued=from_iso(queued),
                already_pitched=bool(store.pitches(story_id=story_id, limit=1)),
                safety=fit.verdict.level,
            )
        )
    pitched_times = [
        p.created for p in store.pitches(since=now - timedelta(days=32)) if p.created is not None
    ]
    themes_by_name = {t.name: t for t in settings.brand.themes}
    for decision in cadence.plan(
        candidates, now=now, settings=settings.brand.cadence, pitched_times=pitched_times
    ):
        context, fit = by_id[decision.story_id]
        if decision.action == "pitch":
            assert fit.theme is not None
            story = pitch_input(context, fit, themes_by_name[fit.theme.theme])
            try:
                pitch = pitches.draft_pitch(
                    story,
                    settings.brand,
                    settings.pitches,
                    writer=writer,
                    check=brain.safety.check_draft,
                    encode=brain.encode,
                    examples=store.approved_drafts(limit=pitches.MAX_EXAMPLES),
                )
            except PitchError as e:
                _hold(store, decision.story_id, "draft_failed", str(e), now=now)
                report.held["draft_failed"] += 1
                continue
            stored = store.insert_pitch(pitch, now=now)
            assert stored.id is not None
            with store.transaction() as db:
                _mark(db, stored.id, context.row, now)
            report.pitched.append(stored)
        elif decision.action == "update":
            (previous,) = store.pitches(story_id=decision.story_id, limit=1)
            report.updates += _thread_news(store, previous, context, now=now)
        else:
            _hold(store, decision.story_id, decision.reason, decision.detail, now=now)
            report.held[decision.reason] += 1


def learned_of(row: dict[str, Any]) -> themes.LearnedExample:
    return themes.LearnedExample(
        theme=None if row["theme"] == "*" else row["theme"],
        text=row["text"],
        approved=row["polarity"] > 0,
        reason=row["reason"] or "",
    )


TOP_HELD = 10  # held stories a replay summary names, best score first


@dataclass
class ReplaySummary:
    items: int = 0
    cycles: int = 0
    stories: int = 0
    rising: set[int] = field(default_factory=set)
    pitched: int = 0
    blocked: set[int] = field(default_factory=set)
    held: Counter[str] = field(default_factory=Counter)
    best_scores: dict[int, float] = field(default_factory=dict)  # each story's best while rising
    top_held: list[HeldStory] = field(default_factory=list)  # never pitched, best score first


def replay(
    pipeline: Pipeline,
    items: Sequence[Item],
    *,
    every: timedelta = timedelta(minutes=30),
    on_cycle: Callable[[CycleReport], None] | None = None,
) -> ReplaySummary:
    """Feed a recorded stream through the real pipeline, its recorded times as the clock."""
    from trendbot.sources.replay import batches

    summary = ReplaySummary(items=len(items))
    store = pipeline.store
    for feed in sorted({i.feed for i in items}):
        store.ensure_feed(feed, url=f"replay:{feed}")
    for now, batch in batches(items, every):
        by_feed: dict[str, list[Item]] = defaultdict(list)
        for item in batch:
            by_feed[item.feed].append(item)
        for feed, feed_items in by_feed.items():
            store.save_items(feed, feed_items)
        report = pipeline.process(now)
        summary.cycles += 1
        summary.pitched += len(report.pitched)
        for story_id, score in store.rising_scores(now).items():
            summary.rising.add(story_id)
            summary.best_scores[story_id] = max(score, summary.best_scores.get(story_id, score))
        if on_cycle:
            on_cycle(report)
    summary.stories = store.story_count()
    summary.blocked = store.hold_reasons().get("blocked", set())
    # Each story once per reason it was held for (never pitched stories only).
    summary.held = Counter(
        {
            reason: len(ids)
            for reason, ids in store.hold_reasons(unpitched=True).items()
            if reason != "blocked"
        }
    )
    best = summary.best_scores
    held = [replace(h, score=best.get(h.story_id, h.score)) for h in store.held_stories()]
    summary.top_held = sorted(held, key=lambda h: -h.score)[:TOP_HELD]
    return summary
