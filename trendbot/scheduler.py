"""`trendbot run`: APScheduler drives the pipeline day and night, in one process per database.

Jobs (APScheduler, `max_instances=1`, coalescing, a misfire grace):
- `fetch:<feed>`   each feed at its own interval, with jitter; its first run is the feed's
                   `next_fetch_after` from the store, so back-offs and intervals survive a restart.
- `process`        the processing cycle (embed -> ... -> pitches) after each fetch batch.
- `deliver`        posts new pitches and thread updates to Slack (or prints them in the terminal);
                   whatever Slack refused is tried again next time, never dropped.
- `digest`         the morning digest in the brand's time zone (slack.digest_time).
- `housekeeping`   retention and `PRAGMA optimize` / `VACUUM`, nightly.
- `lease`          renews this process's lease on the database.

The processing jobs share one worker thread: the story tracker is not shared between threads.
A second `trendbot run` on the same database refuses to start (LockedError): it would double-post.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from types import FrameType
from typing import Any
from zoneinfo import ZoneInfo

from trendbot.core import Trendbot, make_trendbot
from trendbot.embed import CachedEmbedder
from trendbot.errors import ConfigError, EmbedError, LockedError, SlackError, TrendbotError
from trendbot.logs import get_logger
from trendbot.pipeline import CycleReport, Interrupted
from trendbot.settings import Secrets, Settings
from trendbot.store import Store, from_iso, iso
from trendbot.types import Pitch, utcnow

log = get_logger(__name__)
# Told of each processing cycle, with how many stories it started (the terminal's one line).
OnCycle = Callable[[CycleReport, int], None]

LEASE = "run"
LEASE_TTL = timedelta(minutes=2)
LEASE_EVERY = timedelta(seconds=30)
MISFIRE_GRACE = 300  # seconds a job may start late (a busy cycle, a laptop waking up)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def take_lease(store: Store, holder: str, *, now: datetime) -> None:
    """Hold the database for this process, or say who does. A holder that died on this host
    (kill -9, a crash) is replaced at once rather than after its lease runs out."""
    other = store.acquire_lease(
        LEASE, holder, now=now, ttl=LEASE_TTL, pid=os.getpid(), host=socket.gethostname()
    )
    if other is None:
        return
    if other["host"] == socket.gethostname() and not pid_alive(int(other["pid"] or 0)):
        store.release_lease(LEASE, other["holder"])
        take_lease(store, holder, now=now)
        return
    raise LockedError(
        f"another trendbot run (pid {other['pid']} on {other['host']}) uses this database "
        f"until {other['expires']}: stop it first, or give this one its own --db",
        where=store.path,
    )


def lease_status(store: Store, *, now: datetime) -> tuple[bool, str]:
    """For `trendbot health` (the container's HEALTHCHECK): is a `run` alive on this database?"""
    row = store.lease(LEASE)
    if row is None:
        return False, "no trendbot run holds this database"
    if from_iso(row["expires"]) <= now:
        return False, f"the run's lease expired at {row['expires']} (pid {row['pid']})"
    # killed -9 or crashed: its lease outlives it by up to LEASE_TTL
    if row["host"] == socket.gethostname() and not pid_alive(int(row["pid"] or 0)):
        return False, f"trendbot run pid {row['pid']} is gone (killed or crashed): restart it"
    return True, f"trendbot run pid {row['pid']} on {row['host']}, lease until {row['expires']}"


class Delivery:
    """Where pitches go: Slack when a bot token is set, else the terminal."""

    def __init__(self, bot: Trendbot, secrets: Secrets, *, printer: Callable[[Pitch], None]):
        self.bot = bot
        self.secrets = secrets
        self.printer = printer
        self.client: Any = None
        if secrets.slack_enabled:
            from trendbot.slack.poster import make_client

            # a proxy, or a fake Slack in tests; never needed against the real Slack
            self.client = make_client(secrets, base_url=os.environ.get("TRENDBOT_SLACK_API_URL"))

    def deliver(self) -> int:
        """Post (or print) every pitch not delivered yet, then pending thread updates."""
        store = self.bot.store
        done = 0
        channel = self.bot.settings.slack.channel
        for pitch in reversed(store.pitches(states=["proposed"])):
            if pitch.slack_ts:
                continue
            if self.client is None or not channel:
                self.printer(pitch)
                assert pitch.id is not None
                store.set_pitch_slack(pitch.id, channel="terminal", ts=iso(self.bot.now()))
                store.set_pitch_state(pitch.id, "posted", now=self.bot.now(), channel="terminal")
            else:
                from trendbot.slack.messages import Messages
                from trendbot.slack.poster import post_pitch

                msg = Messages(self.bot.settings.brand.language)
                try:
                    post_pitch(self.client, store, pitch, channel, messages=msg)
                except SlackError as e:
                    log.warning("deliver.slack_down", pitch=pitch.id, error=str(e))
                    return done  # Slack is down: everything waits for the next round, in order
            done += 1
        if self.client is not None:
            from trendbot.slack.poster import post_update

            for update in store.unposted_thread_updates():
                carded = store.pitch(update["pitch_id"])
                if carded is None or not carded.slack_ts or carded.slack_channel == "terminal":
                    store.mark_thread_update_posted(update["id"], "-")
                    continue
                try:
                    ts = post_update(self.client, carded, update["text"])
                except SlackError as e:
                    log.warning("deliver.update_failed", pitch=carded.id, error=str(e))
                    break
                store.mark_thread_update_posted(update["id"], ts)
        return done

    def digest(self) -> None:
        views = self.bot.top_stories(5)
        if not views:
            return
        lines = [f"• {v.label} ({v.state}, {v.why_now})" for v in views]
        title = (
            "Top des histoires de la nuit"
            if self.bot.settings.brand.language.startswith("fr")
            else "Top stories of the night"
        )
        text = f"*{title}*\n" + "\n".join(lines)
        channel = self.bot.settings.slack.channel
        if self.client is None or not channel:
            print(text.replace("*", ""), flush=True)
            return
        try:
            self.client.chat_postMessage(channel=channel.lstrip("#"), text=text)
        except Exception as e:  # a missed digest is not worth stopping for
            log.warning("digest.failed", error=str(e).splitlines()[0] if str(e) else "")


def housekeeping(store: Store, settings: Settings, *, now: datetime) -> None:
    """Vectors of items past the retention window go (they are the bulk of the file); the items,
    stories and pitches stay as history."""
    before = iso(now - timedelta(days=settings.storage.retention_days))
    with store.transaction() as db:
        for table in ("embeddings", "pending"):
            db.execute(
                f"DELETE FROM {table} WHERE item_id IN (SELECT id FROM items WHERE first_seen < ?)",
                [before],
            )
        db.execute("UPDATE stories SET closed = 1 WHERE last_seen < ? AND closed = 0", [before])
    with store.lock:
        store.db.execute("PRAGMA optimize")
        store.db.execute("VACUUM")


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
        self.store = self.bot.store
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
        take_lease(self.store, self.holder, now=now)
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
        for feed in self.settings.news_feeds:
            row = self.store.feed_row(feed.name) or {}
            due = from_iso(row["next_fetch_after"]) if row.get("next_fetch_after") else now
            scheduler.add_job(
                self.fetch_feed,
                IntervalTrigger(minutes=feed.poll_minutes, jitter=min(60, feed.poll_minutes * 6)),
                args=[feed.name],
                id=f"fetch:{feed.name}",
                next_run_time=max(due, now),
            )
        scheduler.add_job(
            self.process,
            IntervalTrigger(seconds=20),
            id="process",
            executor="cycle",
            next_run_time=now,
        )
        scheduler.add_job(
            self.delivery.deliver, IntervalTrigger(seconds=30), id="deliver", executor="cycle"
        )
        if self.settings.slack.digest_time:
            hour, minute = (int(x) for x in self.settings.slack.digest_time.split(":")[:2])
            scheduler.add_job(
                self.delivery.digest,
                CronTrigger(hour=hour, minute=minute, timezone=zone),
                id="digest",
                executor="cycle",
            )
        scheduler.add_job(
            lambda: housekeeping(self.store, self.settings, now=utcnow()),
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

    def fetch_feed(self, name: str) -> None:
        try:
            reports = self.bot.pipeline.fetch([name])
        except TrendbotError as e:
            log.error("fetch.failed", feed=name, error=str(e))
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

    def process(self) -> None:
        if not self._dirty.is_set() and self._processed_once:
            return
        self._dirty.clear()
        self._processed_once = True
        stories = self.store.story_count()
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
            self.on_cycle(report, self.store.story_count() - stories)
        self.delivery.deliver()

    _processed_once = False
    fatal: TrendbotError | None = None

    def build_index(self) -> None:
        try:
            self.bot.pipeline.brain.item_index(self.store, utcnow())
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
            take_lease(self.store, self.holder, now=utcnow())
        except LockedError as e:
            log.error("run.lease_lost", error=str(e))
            self.stopping.set()

    def stop(self) -> None:
        with self._soon_lock:
            self.stopping.set()  # SIGINT arrives as KeyboardInterrupt, without the handler
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=True)  # running jobs finish their transaction
        self.store.release_lease(LEASE, self.holder)
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
) -> None:
    """Run until SIGINT or SIGTERM; the Slack bot in the same process when tokens are set."""
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
            secrets,
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
