"""Items, their sightings, their vectors and the work queue of the processing cycle."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from trendbot.store.base import Connection, StoreBase, chunks, from_iso, insert_sql, iso, marks
from trendbot.store.feeds import update_feed_row
from trendbot.store.rows import EmbeddedTitle, ItemToEmbed, StoredItem, as_vector
from trendbot.types import Item, content_hash


@dataclass(frozen=True)
class SaveResult:
    new: int
    seen_again: int
    new_ids: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()  # the stored item of each item given, new or seen before


# The columns of `items i` a StoredItem is made of, in its order.
CLAIM = timedelta(minutes=2)  # an embedding batch takes seconds; a dead worker's, this long
STORED_ITEM_COLUMNS = (
    "i.id, i.feed, i.kind, i.guid, i.url, i.title, i.summary, i.source, i.author, i.language,"
    " i.published, i.first_seen, i.content_hash"
)


def stored_item_of(row: dict[str, Any]) -> StoredItem:
    times = {"published": from_iso(row["published"]), "first_seen": from_iso(row["first_seen"])}
    return StoredItem(**(row | times))


class ItemsMixin(StoreBase):
    def save_items(
        self, feed: str, items: Sequence[Item], *, feed_fields: dict[str, Any] | None = None
    ) -> SaveResult:
        """Store one feed's items and its new fetch state in one transaction.

        An item seen before (same canonical URL, same guid in this feed, or same normalised
        title from the same source, by its name or its web address) is not stored again: its
        sighting is refreshed instead, so the same URL from two feeds is one item seen by two
        feeds.
        """
        from trendbot.sources.parse import normalise_title

        new_ids: list[str] = []
        ids: list[str] = []
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
                ids.append(existing)
                if changed:
                    db.execute(
                        "INSERT INTO pending (stage, item_id) VALUES ('embed', ?)"
                        " ON CONFLICT DO NOTHING",
                        [existing],
                    )
                db.execute(
                    """
                    INSERT INTO item_sightings
                        (item_id, feed, guid, first_seen, last_seen, best_rank)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (item_id, feed) DO UPDATE SET
                        last_seen = excluded.last_seen,
                        best_rank = CASE
                            WHEN excluded.best_rank < item_sightings.best_rank
                              OR item_sightings.best_rank IS NULL THEN excluded.best_rank
                            ELSE item_sightings.best_rank END
                    """,
                    [existing, feed, item.guid, now, now, item.rank],
                )
            fields = dict(feed_fields or {})
            if new_ids:
                db.execute(
                    "UPDATE feeds SET items_total = items_total + ? WHERE name = ?",
                    [len(new_ids), feed],
                )
            if fields:
                update_feed_row(db, feed, fields)
        return SaveResult(len(new_ids), seen_again, new_ids=tuple(new_ids), ids=tuple(ids))

    @staticmethod
    def _find_existing(db: Connection, feed: str, item: Item, title_key: str) -> str | None:
        row = db.execute("SELECT id FROM items WHERE id = ?", [item.id]).fetchone()
        if row is None and item.guid:
            row = db.execute(
                "SELECT item_id FROM item_sightings WHERE feed = ? AND guid = ?", [feed, item.guid]
            ).fetchone()
        if row is None and item.source and title_key:
            from trendbot.sources.parse import publisher_key

            # one publisher under its name or its web address ("Axios", "axios.com")
            key = publisher_key(item.source) or item.source
            same = db.execute("SELECT id, source FROM items WHERE title_key = ?", [title_key])
            row = next(
                (r for r in same.fetchall() if (publisher_key(r[1] or "") or r[1]) == key), None
            )
        return row[0] if row else None

    def item_count(self) -> int:
        return int(self._value("SELECT count(*) FROM items"))

    def data_end(self) -> datetime | None:
        """The time of the newest item, pitch or pitch event; None for an empty database. After
        a replay, it is the recorded clock's end, not today."""
        ends = [
            self._value("SELECT max(first_seen) FROM items"),
            self._value("SELECT max(created) FROM pitches"),
            self._value("SELECT max(at) FROM pitch_events"),
        ]
        return max((from_iso(end) for end in ends if end), default=None)

    def items_period(
        self, *, since: datetime | None = None, until: datetime | None = None
    ) -> tuple[datetime, datetime] | None:
        """When the first and the last item (of those first seen in [since, until]) were first
        seen; None without any. A replay's items carry their recorded times."""
        [row] = self._rows(
            "SELECT min(first_seen) AS first, max(first_seen) AS last FROM items"
            " WHERE first_seen >= ? AND first_seen <= ?",
            [iso(since) if since else "", iso(until) if until else "9999"],
        )
        if row["first"] is None:
            return None
        return from_iso(row["first"]), from_iso(row["last"])

    def items_by_id(self, ids: Sequence[str]) -> list[StoredItem]:
        rows: list[StoredItem] = []
        for chunk in chunks(ids):
            found = self._rows(
                f"SELECT {STORED_ITEM_COLUMNS} FROM items i WHERE i.id IN ({marks(chunk)})", chunk
            )
            rows += map(stored_item_of, found)
        order = {item_id: n for n, item_id in enumerate(ids)}
        return sorted(rows, key=lambda r: order[r.id])

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
                    INSERT INTO pending (stage, item_id)
                    SELECT 'embed', i.id FROM items i
                    LEFT JOIN embeddings e ON e.item_id = i.id AND e.model = :model
                    WHERE i.first_seen >= :since
                      AND (e.item_id IS NULL OR e.content_hash != i.content_hash)
                    ON CONFLICT DO NOTHING
                    """,
                    params,
                )
                db.execute(
                    """
                    INSERT INTO pending (stage, item_id)
                    SELECT 'cluster', i.id FROM items i
                    JOIN embeddings e ON e.item_id = i.id AND e.model = :model
                    LEFT JOIN story_items s ON s.item_id = i.id AND s.model = :model
                    WHERE s.item_id IS NULL AND i.first_seen >= :since
                    ON CONFLICT DO NOTHING
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
        """A small fact about the store itself, such as the model the queue was filled for."""
        value = self._value("SELECT value FROM state WHERE key = ?", [key])
        return None if value is None else str(value)

    def set_state(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO state (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def items_to_embed(
        self,
        *,
        since: datetime,
        limit: int,
        worker: str = "",
    ) -> list[ItemToEmbed]:
        """Queued items first seen since `since`, oldest first, claimed for `worker` for
        `CLAIM` of wall-clock time: other workers skip them until then (a worker that died
        lets them go when it runs out)."""
        now = datetime.now(UTC)
        with self.transaction() as db:
            db.execute(
                """
                UPDATE pending SET claimed_by = ?, claimed_until = ?
                WHERE stage = 'embed' AND item_id IN (
                    SELECT p.item_id FROM pending p JOIN items i ON i.id = p.item_id
                    WHERE p.stage = 'embed' AND i.first_seen >= ?
                      AND (p.claimed_until IS NULL OR p.claimed_until < ? OR p.claimed_by = ?)
                    ORDER BY i.first_seen, i.rowid LIMIT ?)
                """,
                [worker, iso(now + CLAIM), iso(since), iso(now), worker, limit],
            )
            rows = db.execute(
                """
                SELECT i.id, i.title, i.summary, i.content_hash, i.first_seen
                FROM pending p JOIN items i ON i.id = p.item_id
                WHERE p.stage = 'embed' AND p.claimed_by = ? AND p.claimed_until >= ?
                  AND i.first_seen >= ?
                ORDER BY i.first_seen, i.rowid LIMIT ?
                """,
                [worker, iso(now), iso(since), limit],
            ).fetchall()
        return [
            ItemToEmbed(item_id, title, summary, text_hash, from_iso(first_seen))
            for item_id, title, summary, text_hash, first_seen in rows
        ]

    def save_vectors(self, model: str, rows: Sequence[tuple[str, str, np.ndarray]]) -> None:
        """(item id, content hash, vector) rows, in one transaction that also moves them on in
        the queue: to clustering, unless the item is in a story already (a corrected headline
        stays in its story)."""
        with self.transaction() as db:
            db.executemany(
                "INSERT INTO embeddings (item_id, model, content_hash, vector) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (item_id, model) DO UPDATE"
                " SET content_hash = excluded.content_hash, vector = excluded.vector",
                [(i, model, h, self.engine.vector(v)) for i, h, v in rows],
            )
            db.executemany(
                "DELETE FROM pending WHERE stage = 'embed' AND item_id = ?",
                [(i,) for i, *_ in rows],
            )
            db.executemany(
                "INSERT INTO pending (stage, item_id) SELECT 'cluster', CAST(? AS TEXT)"
                " WHERE NOT EXISTS (SELECT 1 FROM story_items WHERE item_id = ? AND model = ?)"
                " ON CONFLICT DO NOTHING",
                [(i, i, model) for i, *_ in rows],
            )

    def vectors(self, model: str, ids: Sequence[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for chunk in chunks(ids):
            for row in self._rows(
                "SELECT item_id, vector FROM embeddings"
                f" WHERE model = ? AND item_id IN ({marks(chunk)})",
                [model, *chunk],
            ):
                out[row["item_id"]] = as_vector(row["vector"])
        return out

    def embedded_titles(
        self, model: str, *, since: datetime, until: datetime | None = None, limit: int
    ) -> list[EmbeddedTitle]:
        """The latest `limit` items embedded by `model` and first seen in [since, until], oldest
        first (the stream the theme matcher adapts to)."""
        rows = self._tuples(
            "SELECT i.id, i.title FROM items i"
            " JOIN embeddings e ON e.item_id = i.id AND e.model = ?"
            " WHERE i.first_seen >= ? AND i.first_seen <= ? ORDER BY i.first_seen DESC LIMIT ?",
            [model, iso(since), iso(until) if until else "9999", limit],
        )
        return [EmbeddedTitle(item_id, title) for item_id, title in reversed(rows)]

    def item_vector_count(self, model: str, *, since: datetime) -> int:
        """How many items first seen since `since` have a vector of `model`."""
        return int(
            self._value(
                "SELECT count(*) FROM embeddings e JOIN items i ON i.id = e.item_id"
                " WHERE e.model = ? AND i.first_seen >= ?",
                [model, iso(since)],
            )
        )

    def item_vectors(
        self, model: str, *, since: datetime, dim: int, every: int = 1, chunk: int = 20_000
    ) -> Iterator[tuple[list[str], np.ndarray, list[float]]]:
        """The vectors of `model` for items first seen since `since` (one in `every`), chunk by
        chunk: (ids, one float32 array, first-seen timestamps). Streamed from one snapshot read
        so that a million vectors (2 GB at 512 dimensions) never sit in memory at once."""
        keys: list[str] = []
        times: list[float] = []
        vectors = np.empty((chunk, dim), np.float32)
        with self._read(snapshot=True) as conn:
            rows = conn.stream(
                "SELECT e.item_id, e.vector, i.first_seen"
                " FROM embeddings e JOIN items i ON i.id = e.item_id"
                " WHERE e.model = ? AND i.first_seen >= ?",
                [model, iso(since)],
            )
            for n, (key, blob, first_seen) in enumerate(rows):
                if n % every:
                    continue
                vectors[len(keys)] = as_vector(blob)
                keys.append(key)
                times.append(from_iso(first_seen).timestamp())
                if len(keys) == chunk:
                    yield keys, vectors.copy(), times
                    keys, times = [], []
        if keys:
            yield keys, vectors[: len(keys)].copy(), times

    def stored_items(self, *, since: datetime | None = None) -> Iterator[Item]:
        """Every stored item (first seen since `since`), oldest first, as it was first seen:
        what `trendbot export` writes. Streamed: a year of items need not fit in memory."""
        where = "WHERE first_seen >= ?" if since else ""
        params = [iso(since)] if since else []
        with self._read(snapshot=True) as conn:
            cursor = conn.stream(
                "SELECT feed, guid, url, title, summary, published, first_seen, kind, language,"
                f" author, source, extra FROM items {where} ORDER BY first_seen, rowid",
                params,
            )
            for row in cursor:
                feed, guid, url, title, summary, published, first_seen, kind, *more = row
                language, author, source, extra = more
                yield Item(
                    feed=feed,
                    guid=guid or "",
                    url=url or "",
                    title=title,
                    summary=summary,
                    published=from_iso(published),
                    seen=from_iso(first_seen),
                    kind=kind,
                    language=language,
                    author=author,
                    source=source,
                    extra=json.loads(extra),
                )

    def items_seen(self, *, since: datetime, until: datetime) -> list[tuple[datetime, str]]:
        """(first seen, kind) of every item first seen in [since, until]."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT first_seen, kind FROM items WHERE first_seen >= ? AND first_seen <= ?",
                [iso(since), iso(until)],
            ).fetchall()
        return [(from_iso(first_seen), kind) for first_seen, kind in rows]


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
