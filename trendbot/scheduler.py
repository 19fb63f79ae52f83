"""`trendbot run`: APScheduler drives the pipeline day and night: one process per SQLite file,
one or more workers per PostgreSQL database.

Jobs (APScheduler, `max_instances=1`, coalescing, a misfire grace):
- `fetch`          every 15 s, the feeds that are due (each at its own interval, as its health in
                   the store says: back-offs and intervals survive a restart), each one claimed
                   first: among several workers, one fetches it per interval.
- `process`        the processing cycle (embed -> ... -> pitches) after each fetch batch.
- `deliver`        posts new pitches and thread updates to Slack (or prints them in the terminal);
                   whatever Slack refused is tried again next time, never dropped.
- `digests`        every minute: each brand's digest once its time (`digest.at`, in the brand's
                   time zone) has come, posted once per period across restarts.
- `housekeeping`   retention (old vectors go, unanswered pitches expire) and compaction, nightly.
- `lease`          renews this process's lease on the database.

The processing jobs share one worker thread: the story tracker is not shared between threads.
On SQLite a second `trendbot run` on the same database refuses to start (LockedError): it would
double-post. On PostgreSQL several runs are workers of one install: each fetches the feeds it
claims (one worker per feed and interval), every one embeds claimed batches, and the one that
holds the lead lock runs the story tracker, the pitches, deliveries, digests and housekeeping;
when it dies, another takes the lock at its next cycle (within 20 s).
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from trendbot.core import Trendbot, make_trendbot
from trendbot.cycle import CycleReport, Interrupted
from trendbot.delivery import Delivery as Delivery
from trendbot.embed import CachedEmbedder
from trendbot.errors import ConfigError, EmbedError, LockedError, TrendbotError
from trendbot.lease import LEASE as LEASE
from trendbot.lease import LEASE_EVERY
from trendbot.lease import LEASE_TTL as LEASE_TTL
from trendbot.lease import lease_status as lease_status
from trendbot.lease import take_lease as take_lease
from trendbot.logs import get_logger
from trendbot.settings import Secrets, Settings
from trendbot.types import Pitch, utcnow

log = get_logger(__name__)
# Told of each processing cycle, with how many stories it started (the terminal's one line).
OnCycle = Callable[[CycleReport, int], None]

FETCH_EVERY = 15  # seconds between looks for due feeds: a feed is late by at most this
MISFIRE_GRACE = 300  # seconds a job may start late (a busy cycle, a laptop waking up)


class Runner:
    def __init__(
        self,
        settings: Settings,
        *,
        db: str,
        secrets: Secrets,
        printer: Callable[[Pitch], None],
        on_cycle: OnCycle | None = None,
    ) -> None:
        self.settings = settings
        self.secrets = secrets
        self.on_cycle = on_cycle
        self.bot = make_trendbot(settings, db=db, secrets=secrets)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.delivery = Delivery(self.bot, secrets, printer=printer)
        self.stopping = self.bot.pipeline.interrupt  # a stop ends the cycle between transactions
        self._dirty = threading.Event()
        # held while a fetch asks for a cycle, and by stop() before the scheduler shuts down:
        # shutdown(wait=True) holds APScheduler's job store lock while it waits for running jobs,
        # so a fetch job calling add_job then would wait for it forever
        self._soon_lock = threading.Lock()
        self.scheduler: Any = None

    def start(self) -> None:
        from apscheduler.executors.pool import ThreadPoolExecutor
        from apscheduler.schedulers.background import BackgroundScheduler
        from apscheduler.triggers.cron import CronTrigger
        from apscheduler.triggers.interval import IntervalTrigger

        now = utcnow()
        self.bot.take_lease(self.holder, now=now)
        self.bot.pipeline.adopt_brands()  # a brand renamed in feeds.yaml keeps its rows
        # A model that cannot load is the user's to fix: say so now, in one line, rather than
        # run on without processing anything (the cache alone would load it at the first new
        # text).
        embedder = self.bot.pipeline.brain.embedder
        if isinstance(embedder, CachedEmbedder):
            embedder.load()
        zone = ZoneInfo(self.settings.brand.cadence.timezone)
        scheduler = BackgroundScheduler(
            timezone=zone,
            executors={"default": ThreadPoolExecutor(4), "cycle": ThreadPoolExecutor(1)},
            job_defaults={
                "max_instances": 1,
                "coalesce": True,
                "misfire_grace_time": MISFIRE_GRACE,
            },
        )
        if self.settings.news_feeds:
            scheduler.add_job(
                self.fetch_due, IntervalTrigger(seconds=FETCH_EVERY), id="fetch", next_run_time=now
            )
        scheduler.add_job(
            self.process,
            IntervalTrigger(seconds=20),
            id="process",
            executor="cycle",
            next_run_time=now,
        )
        scheduler.add_job(
            self.leader_only(self.delivery.deliver),
            IntervalTrigger(seconds=30),
            id="deliver",
            executor="cycle",
        )
        if any(b.digest for b in self.settings.brands):
            # each brand's period is checked every minute: one that came while trendbot was
            # down goes out at start; the store makes sure it goes out once
            scheduler.add_job(
                self.leader_only(self.delivery.digests),
                IntervalTrigger(minutes=1),
                id="digests",
                executor="cycle",
                next_run_time=now,
            )
        scheduler.add_job(
            self.leader_only(lambda: self.bot.pipeline.housekeeping(utcnow())),
            CronTrigger(hour=4, minute=17, timezone=zone),
            id="housekeeping",
            executor="cycle",
        )
        scheduler.add_job(
            self.renew_lease, IntervalTrigger(seconds=LEASE_EVERY.total_seconds()), id="lease"
        )
        # Build the search index now, not on the first /trend search (a minute at 100k items).
        scheduler.add_job(self.build_index, id="index")
        self.scheduler = scheduler
        scheduler.start()
        log.info(
            "run.started",
            feeds=len(self.settings.news_feeds),
            holder=self.holder,
            slack=self.secrets.slack_enabled,
        )

    def fetch_due(self) -> None:
        """The feeds due now that this worker could claim (boundedly in parallel)."""
        try:
            reports = self.bot.pipeline.fetch()
        except TrendbotError as e:
            log.error("fetch.failed", error=str(e))
            return
        if any(r.new for r in reports):
            self._dirty.set()
            self.process_soon()

    def process_soon(self) -> None:
        """Run the processing cycle now rather than at its next tick: a story that crosses the
        bar is pitched seconds after the fetch that brought it (the tick stays as a backstop).
        A one-off job on the cycle's single thread: it waits for a running cycle, never skips."""
        with self._soon_lock:
            if self.scheduler is not None and not self.stopping.is_set():
                self.scheduler.add_job(
                    self.process, id="process-now", executor="cycle", replace_existing=True
                )

    def leader_only(self, job: Callable[[], object]) -> Callable[[], None]:
        """A job only the leading worker runs (always this one, on SQLite)."""

        def run() -> None:
            if self.bot.pipeline.lead():  # on the cycle's thread: it may take a free lead
                job()

        return run

    def process(self) -> None:
        # Alone, a cycle with nothing new is skipped; among workers, another's fetch is news.
        if not self._dirty.is_set() and self._processed_once and not self.bot.multi_worker:
            return
        self._dirty.clear()
        self._processed_once = True
        stories = self.bot.story_count()
        try:
            report = self.bot.pipeline.process()
        except Interrupted:
            log.info("cycle.interrupted")
            return
        except (ConfigError, EmbedError) as e:
            self.give_up(e)
            return
        except TrendbotError as e:
            log.error("cycle.failed", error=str(e))
            return
        if self.on_cycle is not None:
            self.on_cycle(report, self.bot.story_count() - stories)
        if self.bot.pipeline.leading:
            self.delivery.deliver()

    _processed_once = False
    fatal: TrendbotError | None = None

    def build_index(self) -> None:
        try:
            self.bot.build_index(utcnow())
        except (ConfigError, EmbedError) as e:
            self.give_up(e)
        except TrendbotError as e:
            log.error("index.failed", error=str(e))

    def give_up(self, error: TrendbotError) -> None:
        """A mistake only the user can fix (the model, a setting): retrying every 20 s would
        only fill the log, so stop, and `run` ends with this one line."""
        log.info("run.giving_up", error=str(error))
        self.fatal = error
        self.stopping.set()

    def renew_lease(self) -> None:
        try:
            self.bot.take_lease(self.holder, now=utcnow())
        except LockedError as e:
            log.error("run.lease_lost", error=str(e))
            self.stopping.set()

    def stop(self) -> None:
        with self._soon_lock:
            self.stopping.set()  # SIGINT arrives as KeyboardInterrupt, without the handler
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # running jobs finish their transaction
        self.bot.release_lease(self.holder)
        self.bot.close()
        log.info("run.stopped", holder=self.holder)


def run(
    settings: Settings,
    *,
    db: str,
    printer: Callable[[Pitch], None],
    port: int = 3000,
    on_cycle: OnCycle | None = None,
    host: str | None = None,
    listen: bool = True,
) -> None:
    """Run until SIGINT or SIGTERM; the Slack bot in the same process when tokens are set
    (unless not `listen`: another worker answers Slack, this one still posts when it leads)."""
    secrets = Secrets.from_env(
        llm_key_env=settings.pitches.llm.api_key_env if settings.pitches.llm else ""
    )
    runner = Runner(settings, db=db, secrets=secrets, printer=printer, on_cycle=on_cycle)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # Only set the event: an exception raised wherever the main thread happens to be can
        # leave a lock held, and the workers waiting for it would never let the process exit.
        runner.stopping.set()

    # SIGINT too: a process started in the background by a shell inherits SIGINT ignored.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        runner.start()
        serve(
            runner.bot,
            secrets if listen else Secrets(),
            runner.stopping,
            client=runner.delivery.client,
            port=port,
            host=host,
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        runner.stop()
    if runner.fatal is not None:
        raise runner.fatal


def serve(
    bot: Trendbot,
    secrets: Secrets,
    stopping: threading.Event,
    *,
    client: Any,
    port: int,
    host: str | None = None,
) -> None:
    """The Slack bot (Socket Mode or HTTP) until `stopping` is set; without Slack tokens, just
    wait for it."""

    def wait() -> None:
        while not stopping.wait(0.5):
            pass

    if not secrets.slack_enabled:
        wait()
        return
    from trendbot.slack.app import make_app, run_socket_mode, start_http

    app = make_app(bot, secrets, client=client)
    if secrets.slack_app_token is not None:
        handler = run_socket_mode(app, secrets, block=False)
        try:
            wait()
        finally:
            handler.close()
        return
    stop = start_http(app, host=host, port=port, healthy=lambda: not stopping.is_set())
    try:
        wait()
    finally:
        stop()
