"""The schema, only ever changed by adding a named migration at the end: one list for both
engines. Each migration writes SQLite's DDL; the PostgreSQL engine translates the types
(`trendbot.store.postgres.ddl`) and gets the few statements only it needs (`pg`).

Times are ISO 8601 text in UTC (`2025-07-24T13:00:00+00:00`): they sort as text and read well in
Datasette. Lists and mappings are JSON text. Vectors are float32 BLOBs (BYTEA).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

Execute = Callable[[str], object]
Migration = Callable[[Execute, bool], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(name: str) -> Callable[[Migration], Migration]:
    def add(fn: Migration) -> Migration:
        MIGRATIONS.append((name, fn))
        return fn

    return add


@migration("001_feeds_items")
def feeds_items(execute: Execute, pg: bool) -> None:
    execute(
        """
        CREATE TABLE feeds (
            name TEXT PRIMARY KEY,
            url TEXT NOT NULL,
            kind TEXT NOT NULL DEFAULT 'news',
            language TEXT,
            title TEXT,
            -- HTTP cache: sent back as If-None-Match / If-Modified-Since
            etag TEXT,
            last_modified TEXT,
            permanent_url TEXT,
            -- health
            last_fetched TEXT,
            last_success TEXT,
            last_error TEXT,
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            next_fetch_after TEXT,
            disabled INTEGER NOT NULL DEFAULT 0,
            items_total INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    execute(
        """
        CREATE TABLE items (
            id TEXT PRIMARY KEY,
            feed TEXT NOT NULL REFERENCES feeds(name),
            kind TEXT NOT NULL DEFAULT 'news',
            guid TEXT,
            url TEXT,
            title TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            source TEXT,
            author TEXT,
            language TEXT,
            published TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            title_key TEXT NOT NULL,
            content_hash TEXT NOT NULL,  -- of the text embedded: changes when the text does
            extra TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    if pg:  # the order of arrival, which SQLite's rowid gives (`rowid` reads `seq` there)
        execute("ALTER TABLE items ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY")
    execute("CREATE INDEX items_published ON items(published)")
    execute("CREATE INDEX items_first_seen ON items(first_seen)")
    execute("CREATE INDEX items_url ON items(url)")
    execute("CREATE INDEX items_source_title ON items(source, title_key)")
    execute(
        """
        CREATE TABLE item_sightings (
            item_id TEXT NOT NULL REFERENCES items(id),
            feed TEXT NOT NULL REFERENCES feeds(name),
            guid TEXT,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            PRIMARY KEY (item_id, feed)
        )
        """
    )
    execute("CREATE INDEX sightings_feed_guid ON item_sightings(feed, guid)")
    execute(
        """
        CREATE VIEW latest_items AS
        SELECT published, source, title, url, language, kind, feed, id
        FROM items ORDER BY published DESC LIMIT 500
        """
    )
    execute(
        """
        CREATE VIEW feed_health AS
        SELECT name, kind, url, disabled, consecutive_failures, last_success, last_error,
               next_fetch_after, items_total
        FROM feeds ORDER BY disabled DESC, consecutive_failures DESC, name
        """
    )


@migration("002_embeddings")
def embeddings(execute: Execute, pg: bool) -> None:
    execute(
        """
        CREATE TABLE embeddings (
            item_id TEXT NOT NULL REFERENCES items(id),
            model TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            vector BLOB NOT NULL,
            PRIMARY KEY (item_id, model)
        )
        """
    )


@migration("003_stories")
def stories(execute: Execute, pg: bool) -> None:
    execute(
        """
        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            model TEXT NOT NULL,
            label TEXT NOT NULL,
            keywords TEXT NOT NULL DEFAULT '[]',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            size INTEGER NOT NULL DEFAULT 0,
            sources INTEGER NOT NULL DEFAULT 0,
            languages TEXT NOT NULL DEFAULT '[]',
            trending INTEGER NOT NULL DEFAULT 0,
            traffic INTEGER,
            merged_into INTEGER,
            -- momentum, as of `scored_at`
            state TEXT NOT NULL DEFAULT 'new',
            state_since TEXT,
            score REAL NOT NULL DEFAULT 0,
            why TEXT NOT NULL DEFAULT '{}',
            scored_at TEXT,
            queued_at TEXT,  -- first time it was a pitch candidate (cadence's queue)
            -- the clusterer's own state, to restore it exactly after a restart
            closed INTEGER NOT NULL DEFAULT 0,
            vector_sum BLOB,
            label_vector BLOB,
            state_json TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    execute("CREATE INDEX stories_model_last_seen ON stories(model, last_seen)")
    execute(
        """
        CREATE TABLE story_items (
            item_id TEXT NOT NULL REFERENCES items(id),
            model TEXT NOT NULL,
            story_id INTEGER NOT NULL REFERENCES stories(id),
            similarity REAL,
            PRIMARY KEY (item_id, model)
        )
        """
    )
    execute("CREATE INDEX story_items_story ON story_items(story_id)")
    if pg:
        execute("ALTER TABLE story_items ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY")
    execute(
        """
        CREATE VIEW top_stories AS
        SELECT id, state, round(score * 100) / 100.0 AS score, size, sources, label,
               first_seen, last_seen
        FROM stories WHERE merged_into IS NULL AND closed = 0 ORDER BY score DESC LIMIT 100
        """
    )


@migration("004_brand_memory")
def brand_memory(execute: Execute, pg: bool) -> None:
    # What editors taught the matcher: approvals are positive examples of a theme, rejections
    # (with their reason) negative ones. Kept forever: it is the team's judgement.
    execute(
        """
        CREATE TABLE theme_examples (
            id INTEGER PRIMARY KEY,
            theme TEXT NOT NULL,
            polarity INTEGER NOT NULL,  -- +1 approved, -1 rejected / not our topic
            text TEXT NOT NULL,
            story_id INTEGER,
            pitch_id INTEGER,
            reason TEXT,
            "user" TEXT,
            created TEXT NOT NULL
        )
        """
    )
    execute(
        """
        CREATE TABLE mutes (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,  -- 'words' or 'story'
            value TEXT NOT NULL,
            "user" TEXT,
            created TEXT NOT NULL,
            UNIQUE (kind, value)
        )
        """
    )


@migration("005_pitches")
def pitches(execute: Execute, pg: bool) -> None:
    execute(
        """
        CREATE TABLE pitches (
            id INTEGER PRIMARY KEY,
            story_id INTEGER NOT NULL REFERENCES stories(id),
            theme TEXT NOT NULL,
            angle TEXT NOT NULL DEFAULT '',
            draft TEXT NOT NULL,
            hashtags TEXT NOT NULL DEFAULT '[]',
            visual TEXT NOT NULL DEFAULT '',
            why_now TEXT NOT NULL DEFAULT '',
            score REAL NOT NULL DEFAULT 0,
            safety TEXT NOT NULL DEFAULT 'safe',
            safety_reason TEXT NOT NULL DEFAULT '',
            sources TEXT NOT NULL DEFAULT '[]',
            writer TEXT NOT NULL DEFAULT 'template',
            writer_note TEXT NOT NULL DEFAULT '',
            -- proposed -> posted -> approved | rejected | expired (and snoozed)
            state TEXT NOT NULL DEFAULT 'proposed',
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            -- Slack: written before posting (channel) and after (ts), so a restart can find the
            -- card by its metadata instead of posting it twice
            slack_channel TEXT,
            slack_ts TEXT,
            final_text TEXT,
            data TEXT NOT NULL DEFAULT '{}'
        )
        """
    )
    execute("CREATE INDEX pitches_story ON pitches(story_id)")
    execute("CREATE INDEX pitches_created ON pitches(created)")
    execute("CREATE INDEX pitches_slack ON pitches(slack_channel, slack_ts)")
    execute(
        """
        CREATE TABLE pitch_events (
            id INTEGER PRIMARY KEY,
            pitch_id INTEGER NOT NULL REFERENCES pitches(id),
            state TEXT NOT NULL,
            at TEXT NOT NULL,
            "user" TEXT,
            channel TEXT,
            message_ts TEXT,
            reason TEXT
        )
        """
    )
    execute("CREATE INDEX pitch_events_pitch ON pitch_events(pitch_id)")
    # A pitched story that keeps rising gets news in its card's thread, never a new card.
    execute(
        """
        CREATE TABLE thread_updates (
            id INTEGER PRIMARY KEY,
            pitch_id INTEGER NOT NULL REFERENCES pitches(id),
            text TEXT NOT NULL,
            created TEXT NOT NULL,
            slack_ts TEXT
        )
        """
    )
    # Why a rising story was not pitched (cadence, safety, no theme): the marketer's "why not?"
    execute(
        """
        CREATE TABLE holds (
            id INTEGER PRIMARY KEY,
            story_id INTEGER NOT NULL,
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )
        """
    )
    execute("CREATE INDEX holds_story ON holds(story_id)")


@migration("006_slack_and_run")
def slack_and_run(execute: Execute, pg: bool) -> None:
    # Slack delivers at least once: an event or action id seen here is not handled again.
    execute(
        "CREATE TABLE slack_events"
        " (id TEXT PRIMARY KEY, kind TEXT NOT NULL, received TEXT NOT NULL)"
    )
    # One `trendbot run` per database: the holder renews its lease; a stale one can be taken.
    execute(
        """
        CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            pid INTEGER,
            host TEXT,
            acquired TEXT NOT NULL,
            expires TEXT NOT NULL
        )
        """
    )


@migration("007_work_queue")
def work_queue(execute: Execute, pg: bool) -> None:
    # What the processing cycle still has to do, written in the same transaction as the work
    # that creates it: finding it by scanning the retention window cost seconds at 100k items.
    execute(
        """
        CREATE TABLE pending (
            item_id TEXT NOT NULL REFERENCES items(id),
            stage TEXT NOT NULL CHECK (stage IN ('embed', 'cluster')),
            PRIMARY KEY (stage, item_id)
        ) WITHOUT ROWID
        """
    )
    # Small facts about the store itself, such as the model the queue was last filled for.
    execute("CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT)")


@migration("008_brands")
def brands(execute: Execute, pg: bool) -> None:
    # One install, several brands: pitches, holds, what editors taught and the cadence queue
    # belong to one brand each. '' is a database from before, adopted by the first brand
    # (`Store.adopt_brands`) when it opens.
    for table in ("pitches", "holds", "theme_examples"):
        execute(f"ALTER TABLE {table} ADD COLUMN brand TEXT NOT NULL DEFAULT ''")
    execute("CREATE INDEX pitches_brand ON pitches(brand, created)")
    execute("CREATE INDEX holds_brand ON holds(brand, story_id)")
    execute(
        """
        CREATE TABLE queued (
            brand TEXT NOT NULL,
            story_id INTEGER NOT NULL,
            at TEXT NOT NULL,  -- first time the story was this brand's pitch candidate
            PRIMARY KEY (brand, story_id)
        ) WITHOUT ROWID
        """
    )
    execute(
        "INSERT INTO queued (brand, story_id, at)"
        " SELECT '', id, queued_at FROM stories WHERE queued_at IS NOT NULL"
    )


@migration("009_claims")
def claims(execute: Execute, pg: bool) -> None:
    # Several workers on one database (PostgreSQL): an item being embedded is claimed by one
    # worker until a time; a worker that dies leaves a claim that runs out, never a lost item.
    # A feed is fetched by the worker that claimed it; a claim that runs out (its worker died
    # mid-fetch) lets another fetch it.
    for table in ("pending", "feeds"):
        execute(f"ALTER TABLE {table} ADD COLUMN claimed_by TEXT")
        execute(f"ALTER TABLE {table} ADD COLUMN claimed_until TEXT")


@migration("010_ranks")
def ranks(execute: Execute, pg: bool) -> None:
    # The best position an item reached in a ranked feed (Google News), which growth reads;
    # NULL in a feed ordered by time.
    execute("ALTER TABLE item_sightings ADD COLUMN best_rank INTEGER")


@migration("011_title_key")
def title_key(execute: Execute, pg: bool) -> None:
    # the same headline is looked for by its words alone, then its publisher compared by name
    # (`publisher_key`: "Axios" and "axios.com" are one)
    execute("CREATE INDEX items_title_key ON items(title_key)")
    execute("DROP INDEX items_source_title")  # the lookup it served is by title_key now


def _sqlite(fn: Migration) -> Callable[[Database], None]:
    return lambda db: fn(db.execute, False)


# SQLite records them as sqlite-utils does (the `_sqlite_migrations` table), as it always has.
sqlite_migrations = Migrations("trendbot")
for _name, _fn in MIGRATIONS:
    sqlite_migrations(name=_name)(_sqlite(_fn))
