import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from trendbot.cycle import housekeeping
from trendbot.errors import StoreError
from trendbot.settings import parse_settings
from trendbot.store import Store, iso
from trendbot.store.sqlite import SqliteEngine
from trendbot.types import Item

T0 = datetime(2025, 7, 24, 12, 0, tzinfo=UTC)


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    """`check()` once true, polled: a closed session's locks go when the server notices."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def item(
    n: int,
    *,
    feed: str = "a",
    url: str | None = None,
    title: str | None = None,
    guid: str | None = None,
    source: str = "Pub",
) -> Item:
    return Item(
        feed=feed,
        guid=guid or f"guid-{n}",
        url=url if url is not None else f"https://example.com/{n}",
        title=title or f"Headline number {n}",
        summary="",
        published=T0 + timedelta(minutes=n),
        seen=T0 + timedelta(minutes=n),
        source=source,
    )


@pytest.fixture
def store(database: str) -> Iterator[Store]:
    """A store on each engine: SQLite, and PostgreSQL."""
    with Store(database) as s:
        s.ensure_feed("a", url="https://a.example/rss")
        s.ensure_feed("b", url="https://b.example/rss")
        yield s


def test_schema_comes_from_migrations_and_reopens(tmp_path: Path) -> None:
    Store(tmp_path / "t.db").close()
    with Store(tmp_path / "t.db") as store:
        names = {r["name"] for r in store.query("SELECT name FROM _sqlite_migrations")}
        assert "001_feeds_items" in names
        assert {"feeds", "items", "item_sightings", "embeddings", "stories", "pitches"} <= set(
            store.db.table_names()
        )
        assert {"latest_items", "feed_health", "top_stories"} <= set(store.db.view_names())
        assert store.scalar("PRAGMA journal_mode") == "wal"


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"not a trendbot database.*junk\.db"):
        Store(path)


def test_new_items_then_seen_again(store: Store) -> None:
    first = store.save_items("a", [item(1), item(2)])
    assert (first.new, first.seen_again) == (2, 0)
    again = store.save_items("a", [item(1), item(2), item(3)])
    assert (again.new, again.seen_again) == (1, 2)
    assert store.item_count() == 3
    assert store.feed_row("a").items_total == 3  # type: ignore[union-attr]


def test_same_url_from_two_feeds_is_one_item_seen_twice(store: Store) -> None:
    store.save_items("a", [item(1)])
    result = store.save_items("b", [item(1, feed="b", guid="other-guid")])
    assert (result.new, result.seen_again) == (0, 1)
    sightings = store.query("SELECT feed FROM item_sightings ORDER BY feed")
    assert [s["feed"] for s in sightings] == ["a", "b"]


def test_same_guid_with_a_new_url_is_the_same_item(store: Store) -> None:
    store.save_items("a", [item(1)])
    result = store.save_items("a", [item(1, url="https://example.com/1-updated")])
    assert result.new == 0


def test_same_title_same_source_is_a_duplicate_but_not_across_sources(store: Store) -> None:
    store.save_items("a", [item(1, title="Storm hits the coast")])
    dup = store.save_items("a", [item(2, title="STORM hits the coast!")])
    other = store.save_items("a", [item(3, title="Storm hits the coast", source="Other")])
    assert (dup.new, other.new) == (0, 1)
    # one publisher under its name and its web address, as Google News names them
    web = store.save_items("b", [item(4, title="Storm hits the coast", source="www.other.com")])
    assert web.new == 0


def test_stories_saying_words_are_found_by_whole_words_latest_first(store: Store) -> None:
    titles = {
        1: ["Daylight saving time ends Sunday", "Clocks fall back this weekend"],
        2: ["Saving for retirement: what to know"],
        3: ["Daylight saving time: Congress split on ending it"],
    }
    n = 0
    for story_id, heads in titles.items():
        store.execute(
            "INSERT INTO stories (id, model, label, first_seen, last_seen)"
            " VALUES (?, 'm', ?, ?, ?)",
            [story_id, heads[0], T0.isoformat(), T0.isoformat()],
        )
        for title in heads:
            n += 1
            saved = store.save_items("a", [item(n, title=title)])
            store.execute(
                "INSERT INTO story_items (item_id, model, story_id, similarity)"
                " VALUES (?, 'm', ?, 1)",
                [saved.ids[0], story_id],
            )
    assert store.stories_saying("m", ["daylight", "saving"], limit=5) == [3, 1]
    assert store.stories_saying("m", ["saving"], limit=1) == [3]
    assert store.stories_saying("m", ["save"], limit=5) == []  # whole words only
    assert store.stories_saying("other", ["saving"], limit=5) == []


def test_duplicates_inside_one_batch(store: Store) -> None:
    result = store.save_items("a", [item(1), item(1)])
    assert (result.new, result.seen_again) == (1, 1)


def test_feed_fields_are_written_with_the_items(store: Store) -> None:
    store.save_items("a", [item(1)], feed_fields={"etag": '"v1"', "last_error": None})
    assert store.feed_row("a").etag == '"v1"'  # type: ignore[union-attr]


CRASHER = """
import sys, time
from datetime import UTC, datetime, timedelta
from trendbot.store import Store
from trendbot.types import Item

T0 = datetime(2025, 7, 24, tzinfo=UTC)

def make(n, feed):
    return Item(feed=feed, guid=str(n), url=f"https://x.example/{feed}/{n}", title=f"t {feed} {n}",
                summary="", published=T0, seen=T0 + timedelta(seconds=n), source=feed)

class SlowItems(list):
    # Hands out items, then stops for ever half-way: the parent kills us there.
    def __iter__(self):
        for n, it in enumerate(list.__iter__(self)):
            if n == 50:
                print("MIDWAY", flush=True)
                time.sleep(60)
            yield it

store = Store(sys.argv[1])
store.ensure_feed("done"); store.ensure_feed("crashing")
store.save_items("done", [make(n, "done") for n in range(20)])
store.save_items("crashing", SlowItems(make(n, "crashing") for n in range(100)),
                 feed_fields={"etag": "new"})
"""


def test_a_crash_mid_feed_leaves_none_of_that_feeds_items(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    script = tmp_path / "crasher.py"
    script.write_text(textwrap.dedent(CRASHER))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "MIDWAY"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        if proc.stdout:
            proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with Store(db) as store:
        counts = {
            r["feed"]: r["n"]
            for r in store.query("SELECT feed, count(*) AS n FROM items GROUP BY feed")
        }
        assert counts == {"done": 20}
        assert store.feed_row("crashing").etag is None  # type: ignore[union-attr]
        # and the database is usable: the same feed is stored whole on the next try
        store.save_items("crashing", [item(1, feed="crashing")])
        assert store.item_count() == 21


def test_pitch_lifecycle_and_events(store: Store) -> None:
    from trendbot.types import Pitch, SourceLink

    store.execute(
        "INSERT INTO stories (id, model, label, first_seen, last_seen)"
        " VALUES (7, 'm', 'x', 'a', 'b')"
    )
    pitch = store.insert_pitch(
        Pitch(
            story_id=7,
            story_label="Heatwave",
            theme="meteo",
            angle="a",
            draft="d",
            hashtags=("#a", "#b"),
            visual="v",
            why_now="w",
            score=5.0,
            safety="safe",
            safety_reason="",
            sources=(SourceLink("t", "https://u", "Pub", "fr"),),
        ),
        now=T0,
    )
    assert pitch.id is not None and pitch.state == "proposed"
    assert pitch.sources[0].language == "fr" and pitch.hashtags == ("#a", "#b")
    store.set_pitch_state(pitch.id, "approved", now=T0, user="U1", reason="good")
    events = store.pitch_events(pitch.id)
    assert [(e.state, e.user) for e in events] == [("proposed", None), ("approved", "U1")]
    assert store.pitches(states=["approved"])[0].id == pitch.id


def test_first_delivery_dedupes(store: Store) -> None:
    assert store.first_delivery("Ev1", "event", now=T0)
    assert not store.first_delivery("Ev1", "event", now=T0)


def test_new_and_corrected_items_queue_themselves_for_embedding(store: Store) -> None:
    store.save_items("a", [item(1), item(2)])
    store.save_items("a", [item(1)])  # seen again, same text
    queued = store.items_to_embed(since=T0 - timedelta(days=1), limit=10)
    assert [r.id for r in queued] == [item(1).id, item(2).id]
    vectors = [(r.id, r.content_hash, np.ones(4, dtype=np.float32)) for r in queued]
    store.save_vectors("m", vectors)
    assert store.items_to_embed(since=T0 - timedelta(days=1), limit=10) == []
    assert [r.id for r in store.items_to_cluster("m", since=T0, limit=10)] == [
        item(1).id,
        item(2).id,
    ]
    store.save_items("a", [item(2, title="Headline number 2, corrected")])
    assert [r.id for r in store.items_to_embed(since=T0, limit=10)] == [item(2).id]
    # A queued item older than the window is left for housekeeping.
    assert store.items_to_embed(since=T0 + timedelta(hours=1), limit=10) == []


def test_housekeeping_drops_old_vectors_and_queue_but_keeps_history(tmp_path: Path) -> None:
    settings = parse_settings(
        {
            "brand": {"name": "B", "themes": [{"name": "t", "description": "d"}]},
            "storage": {"retention_days": 1},
        }
    )
    with Store(tmp_path / "t.db") as store:
        store.ensure_feed("a", url="https://a.example/rss")
        old, new = item(1), item(2)
        store.save_items("a", [old, replace(new, seen=T0 + timedelta(days=2))])
        store.save_vectors("m", [(old.id, "h", np.ones(4)), (new.id, "h", np.ones(4))])
        housekeeping(store, settings, now=T0 + timedelta(days=2, hours=1))
        assert store.query("SELECT item_id FROM embeddings") == [{"item_id": new.id}]
        assert store.query("SELECT item_id FROM pending") == [{"item_id": new.id}]
        assert store.item_count() == 2


def test_a_longer_retention_queues_the_older_items_again(store: Store) -> None:
    old, new = item(1), replace(item(2), seen=T0 + timedelta(days=20))
    store.save_items("a", [old, new])
    [row] = store.items_by_id([new.id])
    store.save_vectors("m", [(new.id, row.content_hash, np.ones(4))])
    store.execute("DELETE FROM pending WHERE item_id = ?", [old.id])  # as housekeeping does
    store.sync_queue("m", since=T0 + timedelta(days=19))
    store.sync_queue("m", since=T0 + timedelta(days=19, hours=1))
    assert store.items_to_embed(since=T0 - timedelta(days=1), limit=10) == []
    store.sync_queue("m", since=T0 - timedelta(days=1))  # retention raised to cover `old`
    assert [r.id for r in store.items_to_embed(since=T0 - timedelta(days=1), limit=10)] == [old.id]


def test_story_events_name_the_feed_when_the_source_is_empty(store: Store) -> None:
    store.save_items("a", [item(1, source="")])
    store.execute(
        "INSERT INTO stories (id, model, label, first_seen, last_seen) VALUES (1, 'm', 'x', ?, ?)",
        [T0.isoformat(), T0.isoformat()],
    )
    store.execute(
        "INSERT INTO story_items (item_id, model, story_id, similarity) VALUES (?, 'm', 1, 1.0)",
        [item(1).id],
    )
    [event] = store.story_events("m", since=T0 - timedelta(hours=1))
    assert event[0] == 1 and event[4] == "a"


def test_a_sighting_keeps_the_best_rank_and_story_events_give_it(store: Store) -> None:
    # unranked (in no snapshot's list), then 4th, 2nd, unranked again, 6th
    for hours, rank in enumerate((None, 4, 2, None, 6)):
        store.save_items("a", [replace(item(1), rank=rank, seen=T0 + timedelta(hours=hours))])
    store.save_items("b", [item(2, feed="b")])  # a feed ordered by time: no rank
    store.execute(
        "INSERT INTO stories (id, model, label, first_seen, last_seen) VALUES (1, 'm', 'x', ?, ?)",
        [T0.isoformat(), T0.isoformat()],
    )
    for n in (1, 2):
        store.execute(
            "INSERT INTO story_items (item_id, model, story_id, similarity) VALUES (?, 'm', 1, 1)",
            [item(n).id],
        )
    events = {row[5]: row for row in store.story_events("m", since=T0 - timedelta(hours=1))}
    assert events["a"][-1] == 2 and events["b"][-1] is None
    assert events["a"][3] == (T0 + timedelta(hours=4)).isoformat()  # its latest sighting


def test_story_titles_are_each_story_s_latest_headlines_in_one_query(store: Store) -> None:
    items = [item(n, title=f"Story {n % 2} headline {n}") for n in range(7)]
    trend = replace(item(7, title="a search"), kind="trending")
    store.save_items("a", [*items, trend])
    for story_id in (1, 2):
        store.execute(
            "INSERT INTO stories (id, model, label, first_seen, last_seen)"
            " VALUES (?, 'm', ?, ?, ?)",
            [story_id, f"s{story_id}", T0.isoformat(), T0.isoformat()],
        )
    for it in [*items, trend]:  # clustered in this order: later rows are newer
        story_id = 1 if it.title.startswith(("Story 0", "a search")) else 2
        store.execute(
            "INSERT INTO story_items (item_id, model, story_id, similarity) VALUES (?, 'm', ?, 1)",
            [it.id, story_id],
        )
    assert store.story_titles([1, 2, 3], limit=3) == {
        1: ["Story 0 headline 6", "Story 0 headline 4", "Story 0 headline 2"],  # no trend
        2: ["Story 1 headline 5", "Story 1 headline 3", "Story 1 headline 1"],
    }


# connections and errors -----------------------------------------------------------------------


def test_each_thread_works_in_its_own_transaction(tmp_path: Path) -> None:
    """Another thread's open transaction is invisible here, and its rollback cannot take this
    thread's work with it (one shared connection made a nested transaction a SAVEPOINT in it)."""
    store = Store(tmp_path / "t.db")
    started, read = threading.Event(), threading.Event()
    outcome: list[str] = []

    def writer() -> None:
        try:
            with store.transaction():
                store.ensure_feed("uncommitted", url="https://x.example/rss")  # nested
                started.set()
                read.wait(10)
                raise RuntimeError("rolled back")
        except RuntimeError as e:
            outcome.append(str(e))

    thread = threading.Thread(target=writer)
    thread.start()
    assert started.wait(10)
    assert store.feed_row("uncommitted") is None  # not this thread's transaction
    read.set()
    thread.join(10)
    store.ensure_feed("mine", url="https://m.example/rss")
    assert outcome == ["rolled back"]
    assert [r.name for r in store.feed_rows()] == ["mine"]
    store.close()


def test_an_in_memory_store_is_one_database_for_every_thread() -> None:
    with Store(":memory:") as store:
        thread = threading.Thread(target=store.ensure_feed, args=("a",))
        thread.start()
        thread.join(10)
        assert store.feed_row("a") is not None


def test_a_locked_database_says_so_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "t.db"
    with Store(path) as store:
        store.db.execute("PRAGMA busy_timeout = 50")  # this thread's connection
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError) as caught:
                store.ensure_feed("a")
        finally:
            other.execute("ROLLBACK")
            other.close()
    message = str(caught.value)
    assert "\n" not in message
    assert "locked" in message and "stop the other process" in message and "t.db" in message


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (sqlite3.OperationalError("database or disk is full"), "free some space"),
        (sqlite3.DatabaseError("file is not a database"), "not a trendbot database"),
        (sqlite3.OperationalError("database is locked"), "stop the other process"),
    ],
)
def test_sqlite_errors_read_as_what_to_do(error: sqlite3.Error, says: str) -> None:
    mapped = SqliteEngine("/data/trendbot.db").error(error)
    assert says in str(mapped) and "'/data/trendbot.db'" in str(mapped)


def test_a_closed_store_raises_store_errors(tmp_path: Path) -> None:
    store = Store(tmp_path / "t.db")
    store.close()
    for call in (
        lambda: store.item_count(),
        lambda: store.ensure_feed("a"),
        lambda: store.pitches(),
        lambda: list(store.stored_items()),
    ):
        with pytest.raises(StoreError, match="closed"):
            call()


def test_stored_items_read_back_as_they_were_saved(store: Store) -> None:
    items = [item(1), replace(item(2, feed="b"), extra={"traffic": 200}, kind="trending")]
    store.save_items("a", items[:1])
    store.save_items("b", items[1:])
    assert list(store.stored_items()) == items
    assert list(store.stored_items(since=T0 + timedelta(minutes=2))) == items[1:]


def test_housekeeping_expires_pitches_no_editor_answered_within_retention(tmp_path: Path) -> None:
    from trendbot.types import Pitch, PitchState

    settings = parse_settings(
        {
            "brand": {"name": "B", "themes": [{"name": "t", "description": "d"}]},
            "storage": {"retention_days": 3},
        }
    )
    with Store(tmp_path / "t.db") as store:
        store.db["stories"].insert(
            {"id": 7, "model": "m", "label": "x", "first_seen": "a", "last_seen": "b"}
        )
        draft = Pitch(7, "Heatwave", "t", "a", "d", (), "v", "w", 5.0, "safe", "", ())
        old, answered, posted, fresh = (
            store.insert_pitch(draft, now=T0 + timedelta(hours=n)) for n in range(4)
        )
        assert old.id and answered.id and posted.id and fresh.id
        store.set_pitch_state(answered.id, PitchState.APPROVED, now=T0, user="U1")
        store.set_pitch_state(posted.id, PitchState.POSTED, now=T0)
        housekeeping(store, settings, now=T0 + timedelta(days=3, hours=2, minutes=30))
        states = {p.id: p.state for p in store.pitches()}
        assert states == {
            old.id: PitchState.EXPIRED,
            answered.id: PitchState.APPROVED,
            posted.id: PitchState.EXPIRED,
            fresh.id: PitchState.PROPOSED,
        }
        event = store.pitch_events(old.id)[-1]
        assert (event.state, event.reason) == ("expired", "no decision within 3 days")


def test_an_unreachable_postgresql_says_so_without_its_password() -> None:
    with pytest.raises(StoreError) as caught:
        Store("postgresql://trendbot:s3cret@127.0.0.1:1/trendbot")
    message = str(caught.value)
    assert "cannot reach PostgreSQL" in message and "TRENDBOT_DATABASE_URL" in message
    assert "s3cret" not in message and "trendbot:***@127.0.0.1:1" in message
    assert "\n" not in message


def test_two_workers_claim_a_due_feed_and_a_batch_once(database: str) -> None:
    """Several workers on one database: a due feed is fetched by one of them per interval, and
    an item is embedded by one of them (until its claim runs out)."""
    with Store(database) as one, Store(database) as two:
        one.ensure_feed("a", url="https://a.example/rss")
        until = T0 + timedelta(minutes=1)
        assert one.claim_feed("a", "w1", now=T0, until=until)
        assert not two.claim_feed("a", "w2", now=T0 + timedelta(seconds=30), until=until)
        # w1 died mid-fetch: its claim runs out and w2 takes the feed, still due
        assert two.claim_feed("a", "w2", now=until + timedelta(seconds=1), until=until)
        two.update_feed("a", next_fetch_after=iso(T0 + timedelta(minutes=10)), claimed_by=None,
                        claimed_until=None)  # fmt: skip
        assert not one.claim_feed("a", "w1", now=T0 + timedelta(minutes=5), until=until)
        one.save_items("a", [item(1), item(2), item(3)])
        first = one.items_to_embed(since=T0 - timedelta(days=1), limit=2, worker="w1")
        second = two.items_to_embed(since=T0 - timedelta(days=1), limit=2, worker="w2")
        assert [r.id for r in first] == [item(1).id, item(2).id]
        assert [r.id for r in second] == [item(3).id]
        assert two.items_to_embed(since=T0 - timedelta(days=1), limit=2, worker="w3") == []


def test_one_worker_leads_until_it_is_gone(database: str) -> None:
    one, two = Store(database), Store(database)
    try:
        assert one.lead("story-tracker")
        if not one.multi_writer:  # SQLite: one process per file, which always leads
            assert two.lead("story-tracker")
            return
        assert not two.lead("story-tracker") and one.lead("story-tracker")
        one.close()  # its session, and the lock with it, end (as when a worker is killed)
        assert eventually(lambda: two.lead("story-tracker"))
    finally:
        one.close()
        two.close()


def test_a_dropped_postgresql_session_is_replaced_and_its_lead_lost(postgres_url: str) -> None:
    """The server ends a worker's sessions (a restart, a failover, an idle timeout): its next
    call opens a new connection, and another worker takes the lead it held."""
    import psycopg
    from pgtest import drop_schema, fresh_schema, schema_name

    url = fresh_schema(postgres_url)
    one, two = Store(url), Store(url)
    try:
        one.ensure_feed("a")
        assert one.lead("story-tracker") and not two.lead("story-tracker")
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY(%s)",
                [[c.conn.info.backend_pid for c in one._open]
                 + [one.engine._leader.info.backend_pid]],  # type: ignore[attr-defined]
            )  # fmt: skip
        assert eventually(lambda: two.lead("story-tracker"))  # the lock went with the session
        assert not one.lead("story-tracker")
        assert one.feed_row("a") is not None  # a new connection, not "the connection is closed"
    finally:
        one.close()
        two.close()
        drop_schema(postgres_url, schema_name(url))


def test_two_installs_in_two_schemas_each_lead(postgres_url: str) -> None:
    from pgtest import drop_schema, fresh_schema, schema_name

    urls = [fresh_schema(postgres_url) for _ in range(2)]
    stores = [Store(url) for url in urls]
    try:
        assert all(store.lead("story-tracker") for store in stores)
    finally:
        for store, url in zip(stores, urls, strict=True):
            store.close()
            drop_schema(postgres_url, schema_name(url))


def test_a_dead_workers_feed_claim_is_taken_at_once(database: str) -> None:
    one, two = Store(database), Store(database)
    try:
        one.ensure_feed("a", url="https://a.example/rss")
        until = T0 + timedelta(minutes=5)
        assert one.lead("alive:w1") and one.claim_feed("a", "w1", now=T0, until=until)
        later = T0 + timedelta(seconds=20)
        assert two.feed_claims(now=later) == {"a": "w1"}
        if one.multi_writer:  # alive while its session lives
            assert two.alive("w1")
            assert not two.claim_feed("a", "w2", now=later, until=until, dead="")
        one.close()  # killed: its session, and its alive lock, end
        assert eventually(lambda: not two.alive("w1"))
        assert two.claim_feed("a", "w2", now=later, until=until, dead="w1")
    finally:
        one.close()
        two.close()


def test_health_is_this_hosts_worker(database: str) -> None:
    import os
    import socket

    from trendbot.lease import lease_status, take_lease

    with Store(database) as store:
        now = datetime.now(UTC)
        if not store.multi_writer:  # SQLite: the one run's lease (more in test_scheduler)
            assert lease_status(store, now=now) == (False, "no trendbot run holds this database")
            return
        store.acquire_lease("worker:elsewhere", "elsewhere", now=now, ttl=timedelta(minutes=2),
                            pid=1, host="another-host")  # fmt: skip
        ok, detail = lease_status(store, now=now)
        assert not ok and socket.gethostname() in detail
        take_lease(store, "here", now=now)
        ok, detail = lease_status(store, now=now)
        assert ok and str(os.getpid()) in detail


def test_a_worker_that_lost_the_lead_writes_no_stories_nor_pitches(database: str) -> None:
    """The lead is checked inside the write: a worker whose lock session ended (the server
    dropped it while the process ran on) cannot write stories or pitches another now writes."""
    import psycopg

    from trendbot.errors import LeadLost

    one, two = Store(database), Store(database)
    try:
        assert one.lead("story-tracker")
        one.save_stories("m", [], [], lead="story-tracker")  # it leads: the write goes in
        if not one.multi_writer:
            return  # SQLite: one process per file, which leads for good
        pid = one.engine._leader.info.backend_pid  # type: ignore[attr-defined]
        with psycopg.connect(database, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert eventually(lambda: two.lead("story-tracker"))
        with pytest.raises(LeadLost):
            one.save_stories("m", [], [], lead="story-tracker")
    finally:
        one.close()
        two.close()


def _column_type(store: Store) -> str:
    rows = store.query(
        "SELECT udt_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = 'embeddings' AND column_name = 'vector'"
    )
    return str(rows[0]["udt_name"])


def test_vectors_come_back_exactly_in_every_storage(
    store: Store, request: pytest.FixtureRequest
) -> None:
    """Float32 vectors, odd values included, are read back bit for bit: from SQLite's BLOB,
    PostgreSQL's BYTEA, or pgvector's `vector` (when that server has the extension)."""
    rng = np.random.default_rng(7)
    special = np.array([0.0, -0.0, 1e-40, -3e-39, 3.4e38, -1.0], dtype=np.float32)
    vectors = {
        item(n).id: np.concatenate([rng.normal(size=26), special]).astype(np.float32)
        for n in range(3)
    }
    store.save_items("a", [item(n) for n in range(3)])
    store.save_vectors("m", [(key, "h", v) for key, v in vectors.items()])
    got = store.vectors("m", list(vectors))
    assert {k: v.tobytes() for k, v in got.items()} == {k: v.tobytes() for k, v in vectors.items()}
    [(keys, array, _)] = store.item_vectors("m", since=T0 - timedelta(days=1), dim=32)
    assert {k: array[n].tobytes() for n, k in enumerate(keys)} == {
        k: v.tobytes() for k, v in vectors.items()
    }
    [row] = store.items_to_cluster("m", since=T0, limit=1)
    assert row.vector.tobytes() == vectors[row.id].tobytes()
    server = request.node.callspec.params["database"]
    if server != "sqlite":
        assert _column_type(store) == {"postgresql": "bytea", "pgvector": "vector"}[server]


def test_an_install_made_before_pgvector_moves_to_it_exactly(
    pgvector_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Vectors stored as BYTEA (the server had no pgvector then) become `vector` at the next
    start, bit for bit, and new ones go in as `vector`."""
    from pgtest import drop_schema, fresh_schema, schema_name

    from trendbot.store.postgres import PostgresEngine

    url = fresh_schema(pgvector_url)
    rng = np.random.default_rng(3)
    old = {item(n).id: rng.normal(size=384).astype(np.float32) for n in range(40)}
    try:
        with monkeypatch.context() as before:
            before.setattr(PostgresEngine, "_adopt_pgvector", lambda self, conn: None)
            with Store(url) as store:
                store.ensure_feed("a")
                store.save_items("a", [item(n) for n in range(41)])
                store.save_vectors("m", [(key, "h", v) for key, v in old.items()])
                assert _column_type(store) == "bytea"
        with Store(url) as store:
            assert _column_type(store) == "vector"
            got = store.vectors("m", list(old))
            assert {k: v.tobytes() for k, v in got.items()} == {
                k: v.tobytes() for k, v in old.items()
            }
            new = rng.normal(size=384).astype(np.float32)
            store.save_vectors("m", [(item(40).id, "h", new)])
            assert store.vectors("m", [item(40).id])[item(40).id].tobytes() == new.tobytes()
        with Store(url) as store:  # already moved: nothing to do, same vectors
            assert len(store.vectors("m", [*old, item(40).id])) == 41
    finally:
        drop_schema(pgvector_url, schema_name(url))


def test_stories_waiting_for_the_morning_are_the_brands_unpitched_quiet_hours_waits(
    store: Store,
) -> None:
    night = T0 - timedelta(hours=3)
    store.hold(1, "quiet_hours", "waits until 08:00", now=night, brand="B")
    store.hold(2, "quiet_hours", "waits until 08:00", now=night, brand="B")
    store.hold(2, "queued", "in the queue until 08:30", now=T0, brand="B")  # a wait still
    store.hold(3, "quiet_hours", "waits until 08:00", now=night, brand="B")
    store.hold(3, "stale", "too old", now=T0, brand="B")  # dropped
    store.hold(4, "quiet_hours", "waits until 08:00", now=T0 - timedelta(hours=30), brand="B")
    store.hold(5, "quiet_hours", "waits until 08:00", now=night, brand="other brand")
    store.hold(6, "queued", "in the queue", now=night, brand="B")  # never held for the night
    store.hold(7, "quiet_hours", "waits until 08:00", now=night, brand="B")
    store.execute(
        "INSERT INTO stories (id, model, label, first_seen, last_seen) VALUES (7, 'm', 'x', ?, ?)",
        [iso(night), iso(night)],
    )
    store.execute(
        "INSERT INTO pitches (story_id, theme, draft, created, updated, brand)"
        " VALUES (7, 't', 'd', ?, ?, 'B')",
        [iso(T0), iso(T0)],
    )
    assert store.waiting_for_morning(since=T0 - timedelta(hours=24), brand="B") == [1, 2]
    assert store.waiting_for_morning(since=T0 - timedelta(hours=24), brand="other brand") == [5]


def test_judged_stories_are_the_weeks_holds_with_their_blocks(store: Store) -> None:
    store.hold(1, "weak_fit", "Only loosely about 'x'.", now=T0, brand="B")
    store.hold(1, "blocked", "politics and elections: 'vote'", now=T0, brand="B")
    store.hold(2, "no_theme", "Matches none.", now=T0, brand="B")
    store.hold(3, "blocked", "disasters: 'flood'", now=T0 - timedelta(days=8), brand="B")
    store.hold(4, "blocked", "disasters: 'flood'", now=T0, brand="other brand")
    assert store.judged_stories(since=T0 - timedelta(days=7), brand="B") == {
        1: "politics and elections: 'vote'",
        2: None,
    }
    # a replay's story previewed as of its day reads that week, not the holds after it
    store.hold(5, "blocked", "crime and trials: 'shooting'", now=T0 + timedelta(days=1), brand="B")
    week = store.judged_stories(since=T0 - timedelta(days=7), until=T0, brand="B")
    assert set(week) == {1, 2} and 5 in store.judged_stories(since=T0, brand="B")
