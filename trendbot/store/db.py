"""The SQLite store: one file, WAL, the schema from migrations, every multi-row write atomic.

One `Store` owns one connection; a lock serialises its use so the scheduler, the Slack handlers
and the CLI can share it from several threads.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlite_utils import Database

from trendbot.errors import StoreError
from trendbot.store.migrations import migrations
from trendbot.types import HeldStory, Hold, Item, Pitch, SourceLink, content_hash


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text)


def insert_sql(table: str, columns: Iterable[str], *, upsert_on: str | None = None) -> str:
    """INSERT of these columns, one `?` each; with `upsert_on` (the key column), an existing
    row gets the other columns instead. Plain SQL for executemany: sqlite-utils' insert and
    upsert cost a query of the table's schema per call."""
    columns = list(columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    if upsert_on:
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != upsert_on)
        sql += f" ON CONFLICT ({upsert_on}) DO UPDATE SET {updates}"
    return sql


@dataclass(frozen=True)
class SaveResult:
    new: int
    seen_again: int
    new_ids: tuple[str, ...] = ()


class Store:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, check_same_thread=False, timeout=30)
            self.db = Database(conn, execute_plugins=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA busy_timeout=30000")
            migrations.apply(self.db)
        except sqlite3.DatabaseError as e:
            raise StoreError(
                "cannot open the database (is it a trendbot SQLite file?)", where=self.path
            ) from e
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """All or nothing: a crash or an exception inside leaves the database as before."""
        with self.lock, self.db.atomic():
            yield self.db

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.db.query(sql, params))

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        with self.lock:
            row = self.db.execute(sql, params).fetchone()
        return row[0] if row else None

    # feeds -----------------------------------------------------------------------------------

    def sync_feeds(self, feeds: Iterable[Any]) -> None:
        """Make the feeds table follow feeds.yaml; keep each feed's cache and health."""
        with self.transaction() as db:
            for feed in feeds:
                row = {"name": feed.name, "url": feed.url, "kind": feed.kind}
                row["language"] = feed.language
                existing = self.feed_row(feed.name)
                if existing is None:
                    db.table("feeds").insert(row)
                    continue
                if existing["url"] != feed.url and existing["permanent_url"] != feed.url:
                    # The admin pointed the feed elsewhere: forget the old URL's cache and health.
                    row |= {"etag": None, "last_modified": None, "permanent_url": None}
                    row |= {"consecutive_failures": 0, "disabled": 0, "next_fetch_after": None}
                db.table("feeds").update(feed.name, row)

    def ensure_feed(self, name: str, *, url: str = "", kind: str = "news") -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO feeds (name, url, kind) VALUES (?, ?, ?)", [name, url, kind]
            )

    def feed_row(self, name: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM feeds WHERE name = ?", [name])
        return rows[0] if rows else None

    def feed_rows(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM feeds ORDER BY name")

    def update_feed(self, name: str, **fields: Any) -> None:
        with self.transaction() as db:
            db.table("feeds").update(name, fields)

    # items -----------------------------------------------------------------------------------

    def save_items(
        self, feed: str, items: Sequence[Item], *, feed_fields: dict[str, Any] | None = None
    ) -> SaveResult:
        """Store one feed's items and its new fetch state in one transaction.

        An item seen before (same canonical URL, same guid in this feed, or same normalised
        title from the same source) is not stored again: its sighting is refreshed instead, so
        the same URL from two feeds is one item seen by two feeds.
        """
        from trendbot.sources.parse import normalise_title

        new_ids: list[str] = []
        seen_again = 0
        with self.transaction() as db:
            for item in items:
                title_key = normalise_title(item.title)
                existing = self._find_existing(db, feed, item, title_key)
                now = iso(item.seen)
                if existing is None:
                    row = _item_row(item, title_key)
                    db.execute(insert_sql("items", row), list(row.values()))
                    existing = item.id
                    new_ids.append(existing)
                    changed = True
                else:
                    seen_again += 1
                    # A corrected headline replaces the old one (and so gets embedded again).
                    text_hash = content_hash(item.text)
                    changed = bool(
                        db.execute(
                            "UPDATE items SET title = ?, summary = ?, title_key = ?,"
                            " content_hash = ? WHERE id = ? AND content_hash != ?",
                            [item.title, item.summary, title_key, text_hash, existing, text_hash],
                        ).rowcount
                    )
                if changed:
                    db.execute(
                        "INSERT OR IGNORE INTO pending (stage, item_id) VALUES ('embed', ?)",
                        [existing],
                    )
                db.execute(
                    """
                    INSERT INTO item_sightings (item_id, feed, guid, first_seen, last_seen)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (item_id, feed) DO UPDATE SET last_seen = excluded.last_seen
                    """,
                    [existing, feed, item.guid, now, now],
                )
            fields = dict(feed_fields or {})
            if new_ids:
                db.execute(
                    "UPDATE feeds SET items_total = items_total + ? WHERE name = ?",
                    [len(new_ids), feed],
                )
            if fields:
                db.table("feeds").update(feed, fields)
        return SaveResult(new=len(new_ids), seen_again=seen_again, new_ids=tuple(new_ids))

    @staticmethod
    def _find_existing(db: Database, feed: str, item: Item, title_key: str) -> str | None:
        row = db.execute("SELECT id FROM items WHERE id = ?", [item.id]).fetchone()
        if row is None and item.guid:
            row = db.execute(
                "SELECT item_id FROM item_sightings WHERE feed = ? AND guid = ?", [feed, item.guid]
            ).fetchone()
        if row is None and item.source and title_key:
            row = db.execute(
                "SELECT id FROM items WHERE source = ? AND title_key = ?", [item.source, title_key]
            ).fetchone()
        return row[0] if row else None

    def item_count(self) -> int:
        return int(self.scalar("SELECT count(*) FROM items"))

    def data_end(self) -> datetime | None:
        """The time of the newest item, pitch or pitch event; None for an empty database. After
        a replay, it is the recorded clock's end, not today."""
        ends = [
            self.scalar("SELECT max(first_seen) FROM items"),
            self.scalar("SELECT max(created) FROM pitches"),
            self.scalar("SELECT max(at) FROM pitch_events"),
        ]
        return max((from_iso(end) for end in ends if end), default=None)

    def items_period(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> tuple[datetime, datetime] | None:
        """When the first and the last item (of those first seen in [since, until]) were first
        seen; None without any. A replay's items carry their recorded times."""
        [row] = self.query(
            "SELECT min(first_seen) AS first, max(first_seen) AS last FROM items"
            " WHERE first_seen >= ? AND first_seen <= ?",
            [iso(since) if since else "", iso(until) if until else "9999"],
        )
        if row["first"] is None:
            return None
        return from_iso(row["first"]), from_iso(row["last"])

    def items_by_id(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            rows += self.query(f"SELECT * FROM items WHERE id IN ({marks})", chunk)
        order = {item_id: n for n, item_id in enumerate(ids)}
        return sorted(rows, key=lambda r: order[r["id"]])

    # embeddings ------------------------------------------------------------------------------

    def sync_queue(self, model: str, *, since: datetime) -> None:
        """Make the queue right for `model` before a cycle works from it. Items queue themselves
        as they are saved and move on as they are done, whatever the model; so a model that was
        not the last one used, a window reaching further back than any before (a longer
        retention) or a store from before the queue catch up with one scan of the window, and
        what another model's run left that this model has done already is dropped."""
        params = {"model": model, "since": iso(since)}
        with self.transaction() as db:
            covered = self.state("queue_since")
            if self.state("queue_model") != model or covered is None or iso(since) < covered:
                db.execute(
                    """
                    INSERT OR IGNORE INTO pending (stage, item_id)
                    SELECT 'embed', i.id FROM items i
                    LEFT JOIN embeddings e ON e.item_id = i.id AND e.model = :model
                    WHERE i.first_seen >= :since
                      AND (e.item_id IS NULL OR e.content_hash != i.content_hash)
                    """,
                    params,
                )
                db.execute(
                    """
                    INSERT OR IGNORE INTO pending (stage, item_id)
                    SELECT 'cluster', i.id FROM items i
                    JOIN embeddings e ON e.item_id = i.id AND e.model = :model
                    LEFT JOIN story_items s ON s.item_id = i.id AND s.model = :model
                    WHERE s.item_id IS NULL AND i.first_seen >= :since
                    """,
                    params,
                )
                self.set_state("queue_model", model)
                self.set_state("queue_since", iso(since))
            db.execute(
                """
                DELETE FROM pending WHERE stage = 'embed' AND EXISTS (
                    SELECT 1 FROM items i JOIN embeddings e ON e.item_id = i.id
                    WHERE i.id = pending.item_id AND e.model = :model
                      AND e.content_hash = i.content_hash)
                """,
                params,
            )
            db.execute(
                """
                DELETE FROM pending WHERE stage = 'cluster' AND EXISTS (
                    SELECT 1 FROM story_items s
                    WHERE s.item_id = pending.item_id AND s.model = :model)
                """,
                params,
            )

    def state(self, key: str) -> str | None:
        return self.scalar("SELECT value FROM state WHERE key = ?", [key])

    def set_state(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", [key, value])

    def items_to_embed(self, *, since: datetime, limit: int) -> list[dict[str, Any]]:
        """Queued items first seen since `since`, oldest first."""
        return self.query(
            """
            SELECT i.id, i.title, i.summary, i.content_hash, i.first_seen
            FROM pending p JOIN items i ON i.id = p.item_id
            WHERE p.stage = 'embed' AND i.first_seen >= ?
            ORDER BY i.first_seen, i.rowid LIMIT ?
            """,
            [iso(since), limit],
        )

    def save_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """(item id, content hash, vector) rows, in one transaction that also moves them on in
        the queue: to clustering, unless the item is in a story already (a corrected headline
        stays in its story)."""
        with self.transaction() as db:
            db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (item_id, model, content_hash, vector)"
                " VALUES (?, ?, ?, ?)",
                [(i, model, h, np.asarray(v, dtype=np.float32).tobytes()) for i, h, v in rows],
            )
            db.conn.executemany(
                "DELETE FROM pending WHERE stage = 'embed' AND item_id = ?",
                [(i,) for i, *_ in rows],
            )
            db.conn.executemany(
                "INSERT OR IGNORE INTO pending (stage, item_id) SELECT 'cluster', ?"
                " WHERE NOT EXISTS (SELECT 1 FROM story_items WHERE item_id = ? AND model = ?)",
                [(i, i, model) for i, *_ in rows],
            )

    def vectors(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                f"SELECT item_id, vector FROM embeddings WHERE model = ? AND item_id IN ({marks})",
                [model, *chunk],
            ):
                out[row["item_id"]] = np.frombuffer(row["vector"], dtype=np.float32)
        return out

    def embedded_titles(
        self, model: str, *, since: datetime, until: datetime, limit: int
    ) -> list[dict[str, Any]]:
        """The latest `limit` items embedded by `model` and first seen in [since, until], oldest
        first: `id`, `title` (the stream `trendbot themes try` adapts the matcher on)."""
        rows = self.query(
            "SELECT i.id, i.title FROM items i"
            " JOIN embeddings e ON e.item_id = i.id AND e.model = ?"
            " WHERE i.first_seen >= ? AND i.first_seen <= ? ORDER BY i.first_seen DESC LIMIT ?",
            [model, iso(since), iso(until), limit],
        )
        return rows[::-1]

    # stories ---------------------------------------------------------------------------------

    def items_to_cluster(self, model: str, *, since: datetime, limit: int) -> list[dict[str, Any]]:
        """Queued items with a vector of `model`, in arrival order, with their vector."""
        return self.query(
            """
            SELECT i.id, i.title, i.summary, i.source, i.feed, i.kind, i.language, i.url,
                   i.published, i.first_seen, i.extra, e.vector
            FROM pending p
            JOIN items i ON i.id = p.item_id
            JOIN embeddings e ON e.item_id = i.id AND e.model = :model
            WHERE p.stage = 'cluster' AND i.first_seen >= :since
            ORDER BY i.first_seen, i.rowid LIMIT :limit
            """,
            {"model": model, "since": iso(since), "limit": limit},
        )

    def story_rows(
        self, model: str, *, since: datetime | None = None, ids: Sequence[int] | None = None
    ) -> list[dict[str, Any]]:
        """Open stories of `model`, active since `since` and among `ids` when given."""
        if ids is not None and not ids:
            return []
        where = ["model = ?", "merged_into IS NULL"]
        params: list[Any] = [model]
        if since is not None:
            where.append("last_seen >= ?")
            params.append(iso(since))
        if ids is not None:
            where.append(f"id IN ({','.join('?' * len(ids))})")
            params += list(ids)
        return self.query(f"SELECT * FROM stories WHERE {' AND '.join(where)}", params)

    def next_story_id(self) -> int:
        return int(self.scalar("SELECT coalesce(max(id), 0) + 1 FROM stories"))

    def story_events(self, model: str, *, since: datetime) -> list[tuple[Any, ...]]:
        """Every story item first seen since `since`, with what momentum needs: (story id,
        published, first seen, latest sighting, source, feed, kind, extra of a trending item).
        Tuples, not dicts: at 100k items this is the cycle's largest read."""
        with self.lock:
            return self.db.execute(
                """
                SELECT s.story_id, i.published, i.first_seen,
                       (SELECT max(x.last_seen) FROM item_sightings x WHERE x.item_id = i.id),
                       coalesce(nullif(i.source, ''), i.feed), i.feed, i.kind,
                       CASE WHEN i.kind = 'trending' THEN i.extra END
                FROM items i
                JOIN story_items s ON s.item_id = i.id AND s.model = ?
                WHERE i.first_seen >= ?
                """,
                [model, iso(since)],
            ).fetchall()

    def story_items(self, story_id: int, *, limit: int = 50) -> list[dict[str, Any]]:
        """The story's latest items, newest first. By arrival (rowid, as clustered), which the
        story_id index yields in order: sorting by `published` sorted the whole story, 400 ms
        for a 30,000-item one."""
        return self.query(
            """
            SELECT i.* FROM story_items s JOIN items i ON i.id = s.item_id
            WHERE s.story_id = ? ORDER BY s.rowid DESC LIMIT ?
            """,
            [story_id, limit],
        )

    def story_count(self) -> int:
        """Stories, not counting those merged into another."""
        return int(self.scalar("SELECT count(*) FROM stories WHERE merged_into IS NULL"))

    def rising_scores(self, scored_at: datetime) -> dict[int, float]:
        """The score of every story found rising or peaking by the scoring at `scored_at`."""
        rows = self.query(
            "SELECT id, score FROM stories WHERE state IN ('rising', 'peaking') AND scored_at = ?",
            [iso(scored_at)],
        )
        return {r["id"]: r["score"] for r in rows}

    # pitches ---------------------------------------------------------------------------------

    def insert_pitch(self, pitch: Pitch, *, now: datetime) -> Pitch:
        row = _pitch_row(pitch) | {"state": "proposed", "created": iso(now), "updated": iso(now)}
        with self.transaction() as db:
            pitch_id = db.table("pitches").insert(row).last_pk
            assert pitch_id is not None
            db.table("pitch_events").insert(
                {"pitch_id": pitch_id, "state": "proposed", "at": iso(now)}
            )
        found = self.pitch(int(pitch_id))
        assert found is not None
        return found

    def pitch(self, pitch_id: int) -> Pitch | None:
        rows = self.query("SELECT * FROM pitches WHERE id = ?", [pitch_id])
        return _pitch_from_row(rows[0]) if rows else None

    def pitches(
        self,
        *,
        since: datetime | None = None,
        states: Sequence[str] = (),
        story_id: int | None = None,
        limit: int = 1000,
    ) -> list[Pitch]:
        where: list[str] = ["1"]
        params: list[Any] = []
        if since is not None:
            where.append("created >= ?")
            params.append(iso(since))
        if states:
            where.append(f"state IN ({','.join('?' * len(states))})")
            params += list(states)
        if story_id is not None:
            where.append("story_id = ?")
            params.append(story_id)
        sql = f"SELECT * FROM pitches WHERE {' AND '.join(where)} ORDER BY created DESC, id DESC"
        rows = self.query(f"{sql} LIMIT {int(limit)}", params)
        return [_pitch_from_row(r) for r in rows]

    def set_pitch_state(
        self,
        pitch_id: int,
        state: str,
        *,
        now: datetime,
        user: str | None = None,
        reason: str | None = None,
        channel: str | None = None,
        message_ts: str | None = None,
        final_text: str | None = None,
    ) -> None:
        """Move a pitch to `state` and record who, when, where and why, in one transaction."""
        fields: dict[str, Any] = {"state": state, "updated": iso(now)}
        if final_text is not None:
            fields["final_text"] = final_text
        with self.transaction() as db:
            db.table("pitches").update(pitch_id, fields)
            db.table("pitch_events").insert(
                {
                    "pitch_id": pitch_id,
                    "state": state,
                    "at": iso(now),
                    "user": user,
                    "channel": channel,
                    "message_ts": message_ts,
                    "reason": reason,
                }
            )

    def edit_pitch_draft(self, pitch_id: int, draft: str, *, now: datetime, user: str) -> None:
        with self.transaction() as db:
            db.table("pitches").update(pitch_id, {"draft": draft, "updated": iso(now)})
            db.table("pitch_events").insert(
                {"pitch_id": pitch_id, "state": "edited", "at": iso(now), "user": user}
            )

    def approved_drafts(self, *, limit: int = 5) -> list[str]:
        """The latest drafts editors approved or rewrote (`edit:`), most recent first: the
        brand's own voice, for the LLM writer. A rejected pitch is never one, edited or not."""
        rows = self.query(
            "SELECT COALESCE(final_text, draft) AS text FROM pitches p WHERE state != 'rejected'"
            " AND (state = 'approved' OR EXISTS (SELECT 1 FROM pitch_events e"
            " WHERE e.pitch_id = p.id AND e.state = 'edited'))"
            " ORDER BY updated DESC, id DESC LIMIT ?",
            [limit],
        )
        return [r["text"] for r in rows]

    def set_pitch_slack(self, pitch_id: int, *, channel: str, ts: str | None = None) -> None:
        with self.transaction() as db:
            db.table("pitches").update(pitch_id, {"slack_channel": channel, "slack_ts": ts})

    def pitch_by_slack(self, channel: str, ts: str) -> Pitch | None:
        """The pitch whose card is the message `ts` in `channel`."""
        rows = self.query(
            "SELECT * FROM pitches WHERE slack_channel = ? AND slack_ts = ?", [channel, ts]
        )
        return _pitch_from_row(rows[0]) if rows else None

    def pitch_events(self, pitch_id: int) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM pitch_events WHERE pitch_id = ? ORDER BY id", [pitch_id])

    def record_hold(self, story_id: int, reason: str, detail: str, *, now: datetime) -> None:
        with self.transaction() as db:
            db.table("holds").insert(
                {"story_id": story_id, "at": iso(now), "reason": reason, "detail": detail}
            )

    def latest_holds(self, story_ids: Sequence[int]) -> dict[int, Hold]:
        """The latest reason each of these stories was held back, for those ever held."""
        out: dict[int, Hold] = {}
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                "SELECT * FROM holds WHERE id IN (SELECT max(id) FROM holds"
                f" WHERE story_id IN ({marks}) GROUP BY story_id)",
                chunk,
            ):
                out[row["story_id"]] = _hold_from_row(row)
        return out

    def held_stories(self) -> list[HeldStory]:
        """Every story held back and never pitched, with its latest hold; best score first."""
        rows = self.query(
            """
            SELECT h.*, s.label, s.score FROM holds h JOIN stories s ON s.id = h.story_id
            WHERE h.id IN (SELECT max(id) FROM holds GROUP BY story_id)
              AND h.story_id NOT IN (SELECT story_id FROM pitches)
            ORDER BY s.score DESC, h.story_id
            """
        )
        return [HeldStory(r["story_id"], r["label"], r["score"], _hold_from_row(r)) for r in rows]

    def hold_reasons(self, *, unpitched: bool = False) -> dict[str, set[int]]:
        """The stories held back for each reason (ever), only those never pitched if asked."""
        where = " WHERE story_id NOT IN (SELECT story_id FROM pitches)" if unpitched else ""
        out: dict[str, set[int]] = {}
        for row in self.query(f"SELECT DISTINCT reason, story_id FROM holds{where}"):
            out.setdefault(row["reason"], set()).add(row["story_id"])
        return out

    def latest_pitch_ids(self, story_ids: Sequence[int]) -> dict[int, int]:
        """The latest pitch of each of these stories, for those ever pitched."""
        out: dict[int, int] = {}
        for start in range(0, len(story_ids), 500):
            chunk = list(story_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.query(
                f"SELECT story_id, max(id) AS id FROM pitches WHERE story_id IN ({marks})"
                " GROUP BY story_id",
                chunk,
            ):
                out[row["story_id"]] = row["id"]
        return out

    # what editors taught, and the mutes -------------------------------------------------------

    def add_theme_example(
        self,
        theme: str,
        polarity: int,
        text: str,
        *,
        now: datetime,
        story_id: int | None = None,
        pitch_id: int | None = None,
        reason: str | None = None,
        user: str | None = None,
    ) -> None:
        with self.transaction() as db:
            db.table("theme_examples").insert(
                {
                    "theme": theme,
                    "polarity": polarity,
                    "text": text,
                    "story_id": story_id,
                    "pitch_id": pitch_id,
                    "reason": reason,
                    "user": user,
                    "created": iso(now),
                }
            )

    def theme_examples(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM theme_examples ORDER BY id")

    def add_mute(self, kind: str, value: str, *, now: datetime, user: str | None = None) -> bool:
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO mutes (kind, value, user, created) VALUES (?, ?, ?, ?)",
                [kind, value, user, iso(now)],
            )
            return cursor.rowcount == 1

    def remove_mute(self, kind: str, value: str) -> bool:
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM mutes WHERE kind = ? AND value = ?", [kind, value])
            return cursor.rowcount > 0

    def mutes(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM mutes ORDER BY id")

    def add_thread_update(self, pitch_id: int, text: str, *, now: datetime) -> None:
        with self.transaction() as db:
            db.table("thread_updates").insert(
                {"pitch_id": pitch_id, "text": text, "created": iso(now)}
            )

    def unposted_thread_updates(self) -> list[dict[str, Any]]:
        return self.query("SELECT * FROM thread_updates WHERE slack_ts IS NULL ORDER BY id")

    def mark_thread_update_posted(self, update_id: int, ts: str) -> None:
        with self.transaction() as db:
            db.table("thread_updates").update(update_id, {"slack_ts": ts})

    # the run lease ----------------------------------------------------------------------------

    def acquire_lease(
        self, name: str, holder: str, *, now: datetime, ttl: timedelta, pid: int, host: str
    ) -> dict[str, Any] | None:
        """Take or renew the lease; returns None on success, else the row of who holds it."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT holder, pid, host, expires FROM leases WHERE name = ?", [name]
            ).fetchone()
            if row and row[0] != holder and from_iso(row[3]) > now:
                return {"holder": row[0], "pid": row[1], "host": row[2], "expires": row[3]}
            db.execute(
                "INSERT INTO leases (name, holder, pid, host, acquired, expires)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET holder ="
                " excluded.holder, pid = excluded.pid, host = excluded.host,"
                " expires = excluded.expires,"
                " acquired = CASE WHEN leases.holder = excluded.holder THEN leases.acquired"
                " ELSE excluded.acquired END",
                [name, holder, pid, host, iso(now), iso(now + ttl)],
            )
        return None

    def release_lease(self, name: str, holder: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])

    def lease(self, name: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM leases WHERE name = ?", [name])
        return rows[0] if rows else None

    # Slack delivery ---------------------------------------------------------------------------

    def first_delivery(self, event_id: str, kind: str, *, now: datetime) -> bool:
        """True the first time an event or action id is seen; False for Slack's retries."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT OR IGNORE INTO slack_events (id, kind, received) VALUES (?, ?, ?)",
                [event_id, kind, iso(now)],
            )
            return cursor.rowcount == 1


def _pitch_row(pitch: Pitch) -> dict[str, Any]:
    return {
        "story_id": pitch.story_id,
        "theme": pitch.theme,
        "angle": pitch.angle,
        "draft": pitch.draft,
        "hashtags": json.dumps(list(pitch.hashtags), ensure_ascii=False),
        "visual": pitch.visual,
        "why_now": pitch.why_now,
        "score": pitch.score,
        "safety": pitch.safety,
        "safety_reason": pitch.safety_reason,
        "sources": json.dumps([vars(s) for s in pitch.sources], ensure_ascii=False),
        "writer": pitch.writer,
        "writer_note": pitch.writer_note,
        "data": json.dumps(
            {
                "story_label": pitch.story_label,
                "languages": list(pitch.languages),
                "sparkline": pitch.sparkline,
                "theme_evidence": pitch.theme_evidence,
            },
            ensure_ascii=False,
        ),
    }


def _pitch_from_row(row: dict[str, Any]) -> Pitch:
    data = json.loads(row["data"])
    return Pitch(
        id=row["id"],
        story_id=row["story_id"],
        story_label=data.get("story_label", ""),
        theme=row["theme"],
        angle=row["angle"],
        draft=row["draft"],
        hashtags=tuple(json.loads(row["hashtags"])),
        visual=row["visual"],
        why_now=row["why_now"],
        score=row["score"],
        safety=row["safety"],
        safety_reason=row["safety_reason"],
        sources=tuple(SourceLink(**s) for s in json.loads(row["sources"])),
        languages=tuple(data.get("languages", ())),
        sparkline=data.get("sparkline", ""),
        theme_evidence=data.get("theme_evidence", ""),
        writer=row["writer"],
        writer_note=row["writer_note"],
        state=row["state"],
        created=from_iso(row["created"]),
        slack_channel=row["slack_channel"],
        slack_ts=row["slack_ts"],
    )


def _hold_from_row(row: dict[str, Any]) -> Hold:
    return Hold(row["story_id"], row["reason"], row["detail"], from_iso(row["at"]))


def _item_row(item: Item, title_key: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "feed": item.feed,
        "kind": item.kind,
        "guid": item.guid,
        "url": item.url,
        "title": item.title,
        "summary": item.summary,
        "source": item.source,
        "author": item.author,
        "language": item.language,
        "published": iso(item.published),
        "first_seen": iso(item.seen),
        "title_key": title_key,
        "content_hash": content_hash(item.text),
        "extra": json.dumps(item.extra, ensure_ascii=False, sort_keys=True),
    }
