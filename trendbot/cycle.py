"""The one orchestrator: a cycle takes feeds to pitches, given a clock.

    fetch:    feeds.yaml -> sources.fetch (HTTP) -> sources.parse -> store (one transaction a feed)
    process:  new items -> embed (cached by content hash) -> stories (online clustering)
              -> trends (momentum and state of live stories)
              -> themes + safety (rising stories only) -> cadence -> pitches (stored)

Every stage reads its input from the store and hands back what it decided, which the store
applies in one transaction; so a cycle that dies half-way is finished by the next one, and
nothing is done twice. Adapters (CLI, scheduler, Slack) call this module or the core, never the
store's SQL.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from trendbot import cadence, drafts, growth, pitches, safety, trends
from trendbot.brain import Brain
from trendbot.brandfit import (
    LIVE,
    LOOKBACK,
    StoryContext,
    adapt_matcher,
    brand_fit,
    judged_stories,
    muted,
    names_of,
    pitch_input,
    story_contexts,
)
from trendbot.errors import (
    ConfigError,
    FeedError,
    FetchError,
    LeadLost,
    ParseError,
    PitchError,
)
from trendbot.fit import Fit, places_of
from trendbot.logs import get_logger
from trendbot.settings import BrandSettings, FeedSettings, Secrets, Settings
from trendbot.sources import health
from trendbot.sources.fetch import Fetcher, FetchRequest, FetchResult
from trendbot.sources.parse import parse_feed
from trendbot.store import Store, StoryRow, StoryScore, from_iso, iso
from trendbot.types import FINAL_STATES, FeedInfo, Pitch, embed_text, utcnow
from trendbot.words import Messages

log = get_logger(__name__)
LEAD = "story-tracker"  # the lead lock: stories, pitches, deliveries, digests, housekeeping
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
        # One cycle at a time: the scheduler's, or one a Slack handler runs for a shared link.
        self.cycle_lock = threading.Lock()
        # Who this process is among the workers of one database (PostgreSQL), and whether it
        # runs the story tracker: one worker does, the others embed (see `process`).
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leading = False
        self._epoch = -1  # the lead lock this process holds, as counted by the store
        self._lead_lock = threading.Lock()
        self.writer = pitches.make_writer(settings.pitches, self.secrets)
        store.sync_feeds(settings.news_feeds)
        store.adopt_brands([b.name for b in settings.brands], renames=False)

    def reconfigure(self, settings: Settings) -> None:
        """Take a changed feeds.yaml (a theme or a feed added from Slack) without a restart."""
        self.settings = settings
        self.brain.reconfigure(settings)
        self.store.sync_feeds(settings.news_feeds)
        self.adopt_brands()

    def adopt_brands(self) -> None:
        """A brand renamed in feeds.yaml keeps its rows. `trendbot run` only: a one-off command
        with another feeds.yaml must not rename the brands of the database it looks at."""
        names = [b.name for b in self.settings.brands]
        orphaned = self.store.adopt_brands(names)
        if orphaned:  # several brands and one renamed: which new name is whose, we cannot tell
            log.warning("brands.orphaned", brands=orphaned, known=names)

    def process(self, now: datetime | None = None) -> CycleReport:
        """One processing cycle at `now`: embed, cluster, score, then pitch what deserves it.
        With several workers on one database, one of them leads (the story tracker and the
        pitches, in arrival order); the others only embed, each its claimed batch."""
        with self.cycle_lock:
            now = now or self.clock()
            if not self.lead():
                since = now - timedelta(days=self.settings.storage.retention_days)
                report = CycleReport(now)
                report.embedded = embed_new(
                    self.brain, self.store, since=since, interrupt=self.interrupt,
                    worker=self.worker,
                )  # fmt: skip
                return report
            try:
                return self._process(now)
            except LeadLost as e:  # another worker took over mid-cycle: its stories now
                self.brain.forget_tracker()
                self.leading = False
                log.warning("cycle.lead_lost", worker=self.worker)
                raise Interrupted(str(e)) from e

    def lead(self) -> bool:
        """Whether this worker leads now. One that just took the lead (again) reads the stories
        again: the worker that led before changed them since this one read them."""
        with self._lead_lock:  # the cycle's thread, and a Slack handler's shared-link cycle
            leading = self.store.lead(LEAD)
            epoch = self.store.lead_epoch(LEAD)
            if leading and epoch != self._epoch and self.store.multi_writer:
                self.brain.forget_tracker()
            self.leading, self._epoch = leading, epoch
            return leading

    def _process(self, now: datetime) -> CycleReport:
        report = CycleReport(now)
        since = now - timedelta(days=self.settings.storage.retention_days)
        stop = self.interrupt
        report.embedded = embed_new(
            self.brain, self.store, since=since, interrupt=stop, worker=self.worker
        )
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

    def housekeeping(self, now: datetime | None = None) -> None:
        housekeeping(self.store, self.settings, now=now or self.clock())

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
        if not force:  # one worker per interval fetches a feed: the one that claims it
            now = self.clock()
            rounds = -(-len(feeds) // self.settings.fetch.concurrency)  # fetched so many at once
            until = now + timedelta(seconds=rounds * 2 * self.settings.fetch.timeout + 30)
            self.store.lead(f"alive:{self.worker}")  # held for as long as this process lives
            claims = self.store.feed_claims(now=now)
            dead = {w for w in set(claims.values()) - {self.worker} if not self.store.alive(w)}
            feeds = {
                name: f
                for name, f in feeds.items()
                if self.store.claim_feed(
                    name, self.worker, now=now, until=until,
                    dead=claims.get(name, "") if claims.get(name) in dead else "",
                )
            }  # fmt: skip
        requests = []
        for feed in feeds.values():
            row = self.store.feed_row(feed.name)
            requests.append(
                FetchRequest(
                    key=feed.name,
                    url=(row.permanent_url if row else None) or feed.url,
                    etag=row.etag if row else None,
                    last_modified=row.last_modified if row else None,
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
                ranked=feed.ranked,
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
        row = self.store.feed_row(name)
        if row is None:
            return health.FeedHealth()
        return health.FeedHealth(
            last_attempt=row.last_fetched,
            last_success=row.last_success,
            last_error=row.last_error,
            consecutive_failures=row.consecutive_failures,
            next_fetch_after=row.next_fetch_after,
            disabled=row.disabled,
        )


def _health_row(state: health.FeedHealth) -> dict[str, Any]:
    return {
        "last_fetched": iso(state.last_attempt) if state.last_attempt else None,
        "last_success": iso(state.last_success) if state.last_success else None,
        "last_error": state.last_error,
        "consecutive_failures": state.consecutive_failures,
        "next_fetch_after": iso(state.next_fetch_after) if state.next_fetch_after else None,
        "disabled": int(state.disabled),
        "claimed_by": None,  # fetched: the claim ends with the outcome, in its transaction
        "claimed_until": None,
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
PITCHABLE = ("rising", "peaking")
# How far back a brand's quiet hours may have kept a story waiting (the cadence drops it sooner,
# once it is stale: queue + quiet hours + its margin)
MORNING = timedelta(hours=24)


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


def _check(interrupt: threading.Event | None) -> None:
    if interrupt is not None and interrupt.is_set():
        raise Interrupted


def embed_new(
    brain: Brain,
    store: Store,
    *,
    since: datetime,
    interrupt: threading.Event | None = None,
    worker: str = "",
) -> int:
    """Vectors for items that have none for this model (or whose text changed): batched, each
    batch claimed for `worker` (other workers embed other batches)."""
    store.sync_queue(brain.model, since=since)
    done = 0
    while True:
        _check(interrupt)
        if not (rows := store.items_to_embed(since=since, limit=EMBED_BATCH, worker=worker)):
            return done
        vectors = brain.encode([embed_text(r.title, r.summary) for r in rows])
        store.save_vectors(
            brain.model, [(r.id, r.content_hash, v) for r, v in zip(rows, vectors, strict=True)]
        )
        brain.indexed([r.id for r in rows], vectors, [r.first_seen.timestamp() for r in rows])
        done += len(rows)


def cluster_new(
    brain: Brain,
    store: Store,
    *,
    since: datetime,
    interrupt: threading.Event | None = None,
) -> int:
    """Embedded items join stories one at a time, in arrival order; membership is stored, by
    the leading worker only (the store checks the lead inside the write: `LeadLost`)."""
    tracker = brain.tracker
    done = 0
    while True:
        _check(interrupt)
        if not (rows := store.items_to_cluster(brain.model, since=since, limit=CLUSTER_BATCH)):
            return done
        members = []
        for row in rows:
            assignment = tracker.add(
                row.id,
                row.vector,
                row.first_seen.timestamp(),
                title=row.title,
                source=row.source or row.feed,
                feed=row.feed,
                language=row.language,
                trending_traffic=row.traffic,
            )
            members.append((row.id, assignment))
        changed = [tracker.get(i) for i in sorted(tracker.changed())]
        store.save_stories(
            brain.model, changed, [(i, a.story_id, a.similarity) for i, a in members], lead=LEAD
        )
        tracker.clear_changed()
        done += len(rows)


def _events(rows: Sequence[tuple[Any, ...]]) -> dict[int, list[trends.Event]]:
    """Momentum events per story: each item once, at its publication time (never after it was
    seen), plus its latest sighting when it was seen again (still in the top stories). The item
    carries its best position so far in a ranked feed (`Store.story_events` gives the rows)."""
    out: dict[int, list[trends.Event]] = defaultdict(list)
    for story_id, published, first_seen, last_seen, source, feed, kind, extra, rank in rows:
        seen = from_iso(first_seen).timestamp()
        t = min(from_iso(published).timestamp(), seen)
        traffic = json.loads(extra).get("traffic") if extra else None
        out[story_id].append(trends.Event(t, source, feed, kind, traffic, rank=rank))
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
        row.id: (
            row.state if row.scored_at else None,
            row.state_since.timestamp() if row.state_since else None,
            bool(row.why.get("risen")),
        )
        for row in rows
    }
    scored = trends.score_stories(events, states, t_now, model=growth.shipped())
    rising: list[int] = []
    updates: list[StoryScore] = []
    for row in rows:
        m = scored[row.id]
        if m.growth is not None and row.sources > m.growth.so_far:
            # momentum reads the last LOOKBACK of events: a story quiet since has lost the older
            # publishers there, and its card said "1 source so far" above two sources; the
            # story's own count says how many it has (the prediction is unchanged)
            g = m.growth
            to_come = g.publishers - g.so_far
            m = replace(m, growth=replace(g, so_far=row.sources, publishers=row.sources + to_come))
        changed = m.state != row.state or not row.scored_at
        why: dict[str, Any] = {
            "explain": m.explain(language),
            "sparkline": trends.sparkline(trends.hourly_timeline(events.get(row.id, []), t_now)),
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
        since = now if changed else row.state_since
        updates.append(StoryScore(row.id, m.state, since, m.score, why, scored_at=now))
        if m.state in PITCHABLE:
            rising.append(row.id)
    store.save_scores(updates)
    return rising


BLOCKED_KEY = "safety:blocked"  # the thread said "⛔ do not post" (`_thread_warning`)


def _story_key(row: StoryRow) -> str:
    """What a thread update is about: the story's state and its sources, by fives."""
    return f"{row.state}:{row.sources // 5}"


def _thread_news(
    store: Store, pitch: Pitch, context: StoryContext, language: str, *, now: datetime
) -> bool:
    """Queue an update for the pitch's thread when the story moved on since the card or the last
    update (a new state, five more sources). Returns whether one was queued."""
    assert pitch.id is not None
    row = context.row
    key = _story_key(row)
    if store.story_seen_key(pitch.id) == key:
        return False
    # after "⛔ do not post", news that the story still rises reads as a go-ahead: its
    # headlines of the harm may only have scrolled out of the latest ones
    if BLOCKED_KEY in store.story_seen_keys(pitch.id):
        return False
    msg = Messages(language)
    state = msg(f"story.{row.state}")
    why = context.why.get("explain", "")
    text = msg("thread.news", state=state[:1].upper() + state[1:], why=why)
    # the story may have moved on from what the card told: a phone's rumours that became its
    # launch day (a carrier's card said "…iPhone and Xiaomi"); its newest headline says so
    shown = {pitch.story_label, *(s.title for s in pitch.sources)}
    latest = next((i for i in context.items if i.kind == "news"), None)
    told = store.thread_update_texts(pitch.id) if latest is not None else []
    if (
        latest is not None
        and latest.title not in shown
        and not any(latest.title in t for t in told)
    ):
        where = latest.source or latest.feed
        text += " " + msg("thread.latest", title=latest.title, source=where)
    store.add_thread_update(pitch.id, text, now=now, story_key=key)
    return True


def _thread_warning(
    store: Store, story_id: int, verdict: safety.Verdict, brand: BrandSettings, *, now: datetime
) -> bool:
    """Warn in the thread of the story's undecided pitch that brand safety has turned against
    it since (a fan ban that became a police and government row), once per level: a story
    whose verdict comes and goes with its latest headlines is not warned of again. Returns
    whether a warning was queued."""
    pitched = store.pitches(story_id=story_id, limit=1, brand=brand.name)
    if not pitched or pitched[0].state in FINAL_STATES or pitched[0].id is None:
        return False
    key = f"safety:{verdict.level}"
    seen = store.story_seen_keys(pitched[0].id)
    # after "⛔ do not post", a caution would read as a go-ahead, and the pitch would show it
    if key in seen or (verdict.level == "caution" and BLOCKED_KEY in seen):
        return False
    msg = Messages(brand.language)
    text = msg(f"thread.{verdict.level}", reason=verdict.reason)
    since = msg("safety.since_pitched", reason=verdict.reason)
    store.add_thread_update(
        pitched[0].id, text, now=now, story_key=key, safety=(verdict.level, since)
    )
    return True


WATCHED = timedelta(days=7)  # an undecided pitch's story is watched this long after the card


def watch_pitched(
    brain: Brain,
    store: Store,
    brands: Sequence[BrandSettings],
    *,
    judged: Mapping[str, set[int]],
    now: datetime,
    report: CycleReport,
) -> None:
    """A pitched story gathers headlines after it stops rising: "Echo, Kindle, Ring, and More"
    joined a doorbell maker's pitched story of Amazon's event a day later, and its card stayed
    brand-safe. Each undecided pitch's story that is still live (or the story it merged into)
    is judged again, unless the brand judges it this cycle as it rises (`judged`), and its
    thread warned as a rising story's is."""
    for brand in brands:
        mine = judged.get(brand.name, set())
        pitched = store.pitches(since=now - WATCHED, brand=brand.name)
        threads: dict[int, list[int]] = defaultdict(list)  # live story -> its pitched stories
        rows: dict[int, StoryRow] = {}
        for story_id in sorted({p.story_id for p in pitched if p.state not in FINAL_STATES}):
            row = absorbing(store, story_id)
            if row is not None and row.id not in mine and row.last_seen >= now - LIVE:
                threads[row.id].append(story_id)
                rows[row.id] = row
        contexts = story_contexts(store, list(rows.values()))
        for context, fit in zip(contexts, brand_fit(brain, contexts, brand), strict=True):
            if fit.verdict.level != "safe":
                for story_id in threads[context.row.id]:
                    report.updates += _thread_warning(store, story_id, fit.verdict, brand, now=now)


def absorbing(store: Store, story_id: int) -> StoryRow | None:
    """The story, or the one it merged into (a pitch keeps the id it was made for)."""
    row = store.story_row(story_id)
    for _ in range(10):
        if row is None or row.merged_into is None:
            return row
        row = store.story_row(row.merged_into)
    return row


def pitch_rising(
    brain: Brain,
    store: Store,
    settings: Settings,
    writer: drafts.Writer,
    *,
    rising: Sequence[int],
    now: datetime,
    report: CycleReport,
) -> None:
    """Rising stories, and those a brand's quiet hours kept waiting -> each brand's fit -> its
    cadence -> drafted, stored pitches (in `report`). One crawl, one story index; every brand
    judges the stories on its own."""
    brands = [b for b in settings.brands if b.cadence.mode != "digest"]  # digest: an editor drafts
    waiting = {
        b.name: set(store.waiting_for_morning(since=now - MORNING, brand=b.name)) for b in brands
    }
    ids = list(dict.fromkeys([*rising, *sorted(set().union(*waiting.values()))]))
    judged = {b.name: set(rising) | waiting[b.name] for b in brands}
    watch_pitched(brain, store, brands, judged=judged, now=now, report=report)
    if not ids:
        return
    contexts = story_contexts(store, store.story_rows(brain.model, ids=ids))
    mutes = store.mutes()
    adapted = False
    for brand in brands:
        mine = set(rising) | waiting[brand.name]
        kept = []
        for c in contexts:
            if c.row.id not in mine:
                continue
            if reason := muted(c, mutes):
                store.hold(c.row.id, "muted", f"Muted: {reason}.", now=now, brand=brand.name)
                report.held["muted"] += 1
            else:
                kept.append(c)
        if not kept:
            continue
        if not adapted:
            adapt_matcher(brain, store, now=now)
            adapted = True
        _pitch_for_brand(
            brain, store, settings, brand, writer, kept, waiting[brand.name], now=now, report=report
        )


def _pitch_for_brand(
    brain: Brain,
    store: Store,
    settings: Settings,
    brand: BrandSettings,
    writer: drafts.Writer,
    kept: Sequence[StoryContext],
    overnight: set[int],
    *,
    now: datetime,
    report: CycleReport,
) -> None:
    name = brand.name
    by_id: dict[int, tuple[StoryContext, Fit]] = {}
    candidates = []
    company: safety.Judged | None = None  # the week's judged stories, read once, when first needed

    def hold(story_id: int, reason: str, detail: str) -> None:
        store.hold(story_id, reason, detail, now=now, brand=name)
        report.held[reason] += 1

    for context, fit in zip(kept, brand_fit(brain, kept, brand), strict=True):
        story_id = context.row.id
        if fit.verdict.level != "safe":
            report.updates += _thread_warning(store, story_id, fit.verdict, brand, now=now)
        if fit.verdict.blocked:
            store.hold(story_id, "blocked", fit.verdict.reason, now=now, brand=name)
            report.blocked += 1
            continue
        if fit.verdict.level == "caution":
            # A death or a disaster that reads as culture news (an obituary, a documentary), a
            # politician named in a story that does not read as politics: not blocked, but
            # never pitched unasked. /trend, the digest and the Home tab show it with its
            # caution; an editor may still draft it.
            why = "tragedy" if fit.verdict.category in safety.WORDS_DECIDE else "caution"
            hold(story_id, why, fit.verdict.reason)
            continue
        bar = brand.cadence.min_relevance
        away, best = fit.elsewhere, fit.theme.relevance if fit.theme else 0.0
        if away is not None and away.relevance >= bar > best:  # only a place kept it out
            places = ", ".join(places_of(brand)[away.theme])
            detail = (
                f"Fits theme {away.theme!r} ({away.relevance:.2f}) but names none of its"
                f" places ({places})."
            )
            hold(story_id, "elsewhere", detail)
            continue
        if fit.theme is None:
            hold(story_id, "no_theme", "Matches none of the brand's themes.")
            continue
        if fit.theme.relevance < bar:
            # "Only loosely about 'words-and-slang' (0.12)" on a snowstorm read as if it were
            detail = (
                f"Closest theme {fit.theme.theme!r} at {fit.theme.relevance:.2f}, under"
                f" min_relevance {brand.cadence.min_relevance:.2f}."
            )
            hold(story_id, "weak_fit", detail)
            continue
        if company is None:
            company = judged_stories(store, brand, now=now)
        if why := safety.bad_company(story_id, names_of(context), company):
            hold(story_id, "caution", f"{why}.")
            continue
        queued = store.queue_story(story_id, now=now, brand=name)
        by_id[story_id] = (context, fit)
        candidates.append(
            cadence.Candidate(
                story_id=story_id,
                score=context.row.score,
                relevance=fit.theme.relevance,
                state=context.row.state,
                first_queued=queued,
                already_pitched=bool(store.pitches(story_id=story_id, limit=1, brand=name)),
                safety=fit.verdict.level,
                overnight=story_id in overnight,
            )
        )
    month = store.pitches(since=now - timedelta(days=32), brand=name)
    pitched_times = [p.created for p in month if p.created is not None]
    recent = list(pitches.rested_angles(month, now=now, sign_offs=brand.sign_offs))
    themes_by_name = {t.name: t for t in brand.themes}
    for decision in cadence.plan(
        candidates, now=now, settings=brand.cadence, pitched_times=pitched_times
    ):
        context, fit = by_id[decision.story_id]
        if decision.action == "pitch":
            assert fit.theme is not None
            story = pitch_input(context, fit, themes_by_name[fit.theme.theme], brain.usage)
            story = replace(story, recent_angles=tuple(dict.fromkeys(r for r in recent if r)))
            if decision.story_id in overnight:  # its card would read "0 sources in 8 h" bare
                why = Messages(brand.language)(
                    "trend.overnight", quiet=brand.cadence.quiet_hours, why=story.why_now
                )
                story = replace(story, why_now=why)
            try:
                pitch = pitches.draft_pitch(
                    story,
                    brand,
                    settings.pitches,
                    writer=writer,
                    check=brain.safety_of(brand).check_draft,
                    encode=brain.encode,
                    examples=store.approved_drafts(limit=pitches.MAX_EXAMPLES, brand=name),
                    specific=True,
                )
            except PitchError as e:
                hold(decision.story_id, "draft_failed", str(e))
                continue
            pitch = replace(pitch, brand=name)
            stored = store.insert_pitch(
                pitch, now=now, story_key=_story_key(context.row), lead=LEAD
            )
            report.pitched.append(stored)
            recent[:0] = pitches.lines_of(stored, brand.sign_offs)  # newest first
        elif decision.action == "update":
            (previous,) = store.pitches(story_id=decision.story_id, limit=1, brand=name)
            report.updates += _thread_news(store, previous, context, brand.language, now=now)
        else:
            hold(decision.story_id, decision.reason, decision.detail)


def housekeeping(store: Store, settings: Settings, *, now: datetime) -> None:
    """Past the retention window, vectors go (they are the bulk of the file) and stories close;
    the items, stories and pitches stay as history. A pitch no editor answered within it has
    gone stale: it expires (its story closed, and nothing answers a card that old)."""
    days = settings.storage.retention_days
    before = now - timedelta(days=days)
    store.drop_before(before)
    expired = store.expire_pitches(before=before, now=now, reason=f"no decision within {days} days")
    if expired:
        log.info("pitches.expired", count=len(expired), days=days)
    store.compact()
