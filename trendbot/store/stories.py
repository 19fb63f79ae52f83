"""Stories: the clusterer's state, membership, momentum scores and the queue of candidates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from trendbot import stories
from trendbot.store.base import StoreBase, chunks, from_iso, insert_sql, iso, marks
from trendbot.store.items import STORED_ITEM_COLUMNS, stored_item_of
from trendbot.store.rows import (
    ItemToCluster,
    StoredItem,
    StoryActivity,
    StoryRow,
    StoryScore,
    as_vector,
)

PITCHABLE = ("rising", "peaking")
# What a StoryRow is made of: not the clusterer's own state (its terms are long).
STORY_COLUMNS = (
    "id, model, label, keywords, first_seen, last_seen, size, sources, languages, trending,"
    " traffic, merged_into, state, state_since, score, why, scored_at, vector_sum"
)


class StoriesMixin(StoreBase):
    def items_to_cluster(self, model: str, *, since: datetime, limit: int) -> list[ItemToCluster]:
        """Queued items with a vector of `model`, in arrival order, with their vector, up to
        the first item still to embed (another worker may be embedding it: stories are decided
        in arrival order). Read in batches of thousands: only a trending item's `extra` is read
        and decoded."""
        with self._read(snapshot=True) as conn:
            first = conn.execute(
                "SELECT j.first_seen, j.rowid FROM pending q JOIN items j ON j.id = q.item_id"
                " WHERE q.stage = 'embed' AND j.first_seen >= ? ORDER BY 1, 2 LIMIT 1",
                [iso(since)],
            ).fetchone()
            before, params = "", [model, iso(since)]
            if first is not None:
                before = " AND (i.first_seen < ? OR (i.first_seen = ? AND i.rowid < ?))"
                params += [first[0], first[0], first[1]]
            rows = conn.execute(
                f"""
                SELECT i.id, i.title, i.source, i.feed, i.kind, i.language, i.first_seen,
                       CASE WHEN i.kind = 'trending' THEN i.extra END, e.vector
                FROM pending p
                JOIN items i ON i.id = p.item_id
                JOIN embeddings e ON e.item_id = i.id AND e.model = ?
                WHERE p.stage = 'cluster' AND i.first_seen >= ?{before}
                ORDER BY i.first_seen, i.rowid LIMIT ?
                """,
                [*params, limit],
            ).fetchall()
        return [
            ItemToCluster(
                item_id,
                title,
                source,
                feed,
                kind,
                language,
                from_iso(first_seen),
                json.loads(extra).get("traffic") if extra else None,
                as_vector(vector),
            )
            for item_id, title, source, feed, kind, language, first_seen, extra, vector in rows
        ]

    def story_rows(
        self, model: str, *, since: datetime | None = None, ids: Sequence[int] | None = None
    ) -> list[StoryRow]:
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
        return self._story_rows(f"WHERE {' AND '.join(where)}", params)

    def stories_saying(self, model: str, words: Sequence[str], *, limit: int) -> list[int]:
        """The stories of `model` with a headline that says every one of `words` (title keys:
        folded, no punctuation), the latest first."""
        said = " AND ".join("(' ' || i.title_key || ' ') LIKE ?" for _ in words)
        return [
            int(story_id)
            for (story_id,) in self._tuples(
                "SELECT s.story_id FROM story_items s JOIN items i ON i.id = s.item_id"
                f" WHERE s.model = ? AND {said} GROUP BY s.story_id"
                " ORDER BY max(i.first_seen) DESC, s.story_id LIMIT ?",
                [model, *(f"% {w} %" for w in words), limit],
            )
        ]

    def _story_rows(self, where: str, params: Sequence[Any]) -> list[StoryRow]:
        rows = self._rows(f"SELECT {STORY_COLUMNS} FROM stories {where}", params)
        return [_story_row_of(row) for row in rows]

    def next_story_id(self) -> int:
        return int(self._value("SELECT coalesce(max(id), 0) + 1 FROM stories"))

    def story_events(self, model: str, *, since: datetime) -> list[tuple[Any, ...]]:
        """Every story item first seen since `since`, with what momentum needs: (story id,
        published, first seen, latest sighting, source, feed, kind, extra of a trending item,
        best position in a ranked feed or None). Tuples, not dicts: at 100k items this is the
        cycle's largest read."""
        with self._read() as conn:
            return conn.execute(
                """
                SELECT s.story_id, i.published, i.first_seen,
                       (SELECT max(x.last_seen) FROM item_sightings x WHERE x.item_id = i.id),
                       coalesce(nullif(i.source, ''), i.feed), i.feed, i.kind,
                       CASE WHEN i.kind = 'trending' THEN i.extra END,
                       (SELECT min(x.best_rank) FROM item_sightings x WHERE x.item_id = i.id)
                FROM items i
                JOIN story_items s ON s.item_id = i.id AND s.model = ?
                WHERE i.first_seen >= ?
                """,
                [model, iso(since)],
            ).fetchall()

    def story_items(self, story_id: int, *, limit: int = 50) -> list[StoredItem]:
        """The story's latest items, newest first. By arrival (rowid, as clustered), which the
        story_id index yields in order: sorting by `published` sorted the whole story, 400 ms
        for a 30,000-item one."""
        rows = self._rows(
            f"""
            SELECT {STORED_ITEM_COLUMNS} FROM story_items s JOIN items i ON i.id = s.item_id
            WHERE s.story_id = ? ORDER BY s.rowid DESC LIMIT ?
            """,
            [story_id, limit],
        )
        return [stored_item_of(row) for row in rows]

    def story_titles(self, story_ids: Sequence[int], *, limit: int = 12) -> dict[int, list[str]]:
        """The latest news headlines of each story, newest first: one query for many stories."""
        out: dict[int, list[str]] = {}
        for chunk in chunks(story_ids):
            for story_id, title in self._tuples(
                f"""
                SELECT story_id, title FROM (
                    SELECT s.story_id, i.title,
                        ROW_NUMBER() OVER (PARTITION BY s.story_id ORDER BY s.rowid DESC) AS n
                    FROM story_items s JOIN items i ON i.id = s.item_id
                    WHERE s.story_id IN ({marks(chunk)}) AND i.kind = 'news'
                ) AS latest WHERE n <= ? ORDER BY story_id, n
                """,
                [*chunk, limit],
            ):
                out.setdefault(story_id, []).append(title)
        return out

    def story_count(self) -> int:
        """Stories, not counting those merged into another."""
        return int(self._value("SELECT count(*) FROM stories WHERE merged_into IS NULL"))

    def rising_scores(self, scored_at: datetime) -> dict[int, float]:
        """The score of every story found rising or peaking by the scoring at `scored_at`."""
        rows = self._rows(
            "SELECT id, score FROM stories WHERE state IN ('rising', 'peaking') AND scored_at = ?",
            [iso(scored_at)],
        )
        return {r["id"]: r["score"] for r in rows}

    def story_row(self, story_id: int) -> StoryRow | None:
        rows = self._story_rows("WHERE id = ?", [story_id])
        return rows[0] if rows else None

    def top_story_rows(
        self, model: str, *, since: datetime, limit: int, offset: int = 0
    ) -> list[StoryRow]:
        """Open stories active since `since`: rising or peaking first, then by score."""
        return self._story_rows(
            f"""
            WHERE model = ? AND merged_into IS NULL AND closed = 0 AND last_seen >= ?
            ORDER BY CASE WHEN state IN ({marks(PITCHABLE)}) THEN 0 ELSE 1 END, score DESC,
                     last_seen DESC, id
            LIMIT ? OFFSET ?
            """,
            [model, iso(since), *PITCHABLE, limit, offset],
        )

    def risen_story_rows(
        self, model: str, *, since: datetime, until: datetime, limit: int, offset: int = 0
    ) -> list[StoryRow]:
        """Stories that rose in [since, until]: risen ones first seen then, or rising (peaking)
        since a time in it; best score first. What a digest of the period covers."""
        return self._story_rows(
            f"""
            WHERE model = ? AND merged_into IS NULL
              AND {self.engine.json_true("why", "risen")} AND last_seen >= ? AND first_seen <= ?
              AND (first_seen >= ? OR (state IN ({marks(PITCHABLE)}) AND state_since >= ?))
            ORDER BY score DESC, id LIMIT ? OFFSET ?
            """,
            [model, iso(since), iso(until), iso(since), *PITCHABLE, iso(since), limit, offset],
        )

    def stories_of_items(self, model: str, item_ids: Sequence[str]) -> dict[str, int]:
        """The story each of these items is in, for those clustered by `model`."""
        out: dict[str, int] = {}
        for chunk in chunks(item_ids):
            for item_id, story_id in self._tuples(
                "SELECT item_id, story_id FROM story_items"
                f" WHERE model = ? AND item_id IN ({marks(chunk)})",
                [model, *chunk],
            ):
                out[item_id] = story_id
        return out

    def stories_first_seen(self, story_ids: Sequence[int]) -> dict[int, datetime]:
        out: dict[int, datetime] = {}
        for chunk in chunks(story_ids):
            for story_id, first_seen in self._tuples(
                f"SELECT id, first_seen FROM stories WHERE id IN ({marks(chunk)})", chunk
            ):
                out[story_id] = from_iso(first_seen)
        return out

    def open_stories(self, model: str) -> list[stories.Story]:
        """The clusterer's open stories of `model`, as it left them."""
        rows = self._rows(
            "SELECT * FROM stories WHERE model = ? AND closed = 0 AND merged_into IS NULL"
            " ORDER BY id",
            [model],
        )
        return [_story_from_row(r) for r in rows]

    def save_stories(
        self,
        model: str,
        changed: Sequence[stories.Story],
        members: Sequence[tuple[str, int, float]],
        *,
        lead: str | None = None,
    ) -> None:
        """Changed stories and new memberships (item id, story id, similarity), in one
        transaction that also moves the items on in the queue: all of the batch or none; only
        while this process holds the lead lock `lead`, when given."""
        rows = [_story_row(story, model) for story in changed]
        with self.transaction() as db:
            self._fenced(db, lead)
            if rows:
                db.executemany(
                    insert_sql("stories", rows[0], upsert_on="id"),
                    [list(r.values()) for r in rows],
                )
            db.executemany(
                "INSERT INTO story_items (item_id, model, story_id, similarity) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (item_id, model) DO UPDATE SET story_id = excluded.story_id,"
                " similarity = excluded.similarity",
                [(item_id, model, story_id, sim) for item_id, story_id, sim in members],
            )
            db.executemany(
                "DELETE FROM pending WHERE stage = 'cluster' AND item_id = ?",
                [(item_id,) for item_id, _, _ in members],
            )
            db.executemany(
                "UPDATE story_items SET story_id = ? WHERE story_id = ? AND model = ?",
                [(r["merged_into"], r["id"], model) for r in rows if r["merged_into"] is not None],
            )

    def save_scores(self, scores: Sequence[StoryScore]) -> None:
        """The scoring stage's verdicts, in one transaction."""
        with self.transaction() as db:
            db.executemany(
                "UPDATE stories SET state = ?, state_since = ?, score = ?, why = ?, scored_at = ?"
                " WHERE id = ?",
                [
                    (
                        s.state,
                        iso(s.state_since) if s.state_since else None,
                        s.score,
                        json.dumps(s.why, ensure_ascii=False),
                        iso(s.scored_at),
                        s.id,
                    )
                    for s in scores
                ],
            )

    def queue_story(self, story_id: int, *, now: datetime, brand: str = "") -> datetime:
        """When the story first became one of the brand's pitch candidates: `now` unless it was
        one before."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO queued (brand, story_id, at) VALUES (?, ?, ?)"
                " ON CONFLICT (brand, story_id) DO NOTHING",
                [brand, story_id, iso(now)],
            )
            (queued,) = db.execute(
                "SELECT at FROM queued WHERE brand = ? AND story_id = ?", [brand, story_id]
            ).fetchone()
        return from_iso(queued)

    def story_activity(self, *, since: datetime, until: datetime, top: int) -> StoryActivity:
        """The `top` stories with the most items first seen in [since, until], of the model that
        clustered most of them."""
        window = [iso(since), iso(until)]
        in_window = (
            "FROM story_items s JOIN items i ON i.id = s.item_id"
            " WHERE i.first_seen >= ? AND i.first_seen <= ?"
        )
        models = self._tuples(
            f"SELECT s.model, count(*) AS n {in_window} GROUP BY s.model ORDER BY n DESC LIMIT 1",
            window,
        )
        if not models:
            return StoryActivity(None, 0, [], {}, [])
        model = models[0][0]
        ids = [
            story_id
            for story_id, _ in self._tuples(
                f"SELECT s.story_id, count(*) AS n {in_window} AND s.model = ?"
                " GROUP BY s.story_id ORDER BY n DESC, s.story_id LIMIT ?",
                [*window, model, top],
            )
        ]
        count = self._value(
            f"SELECT count(DISTINCT s.story_id) {in_window} AND s.model = ?", [*window, model]
        )
        labels = dict(
            self._tuples(f"SELECT id, label FROM stories WHERE id IN ({marks(ids)})", ids)
        )
        seen = [
            (story_id, from_iso(first_seen))
            for story_id, first_seen in self._tuples(
                f"SELECT s.story_id, i.first_seen {in_window} AND s.model = ?"
                f" AND s.story_id IN ({marks(ids)})",
                [*window, model, *ids],
            )
        ]
        return StoryActivity(model, int(count), ids, labels, seen)


def _story_row_of(row: dict[str, Any]) -> StoryRow:
    return StoryRow(
        id=row["id"],
        model=row["model"],
        label=row["label"],
        keywords=tuple(json.loads(row["keywords"])),
        first_seen=from_iso(row["first_seen"]),
        last_seen=from_iso(row["last_seen"]),
        size=row["size"],
        sources=row["sources"],
        languages=tuple(json.loads(row["languages"])),
        trending=bool(row["trending"]),
        traffic=row["traffic"],
        merged_into=row["merged_into"],
        state=row["state"],
        state_since=from_iso(row["state_since"]) if row["state_since"] else None,
        score=row["score"],
        why=json.loads(row["why"] or "{}"),
        scored_at=from_iso(row["scored_at"]) if row["scored_at"] else None,
        vector_sum=np.frombuffer(row["vector_sum"], dtype=np.float32),
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
