"""Pitches, their events, their card threads, and why stories were held back instead."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from trendbot.store.base import StoreBase, chunks, from_iso, iso, marks
from trendbot.store.rows import PitchEvent, PitchLine, ThreadUpdate
from trendbot.types import OPEN_STATES, HeldStory, Hold, Pitch, PitchState, SourceLink

EVENT_COLUMNS = ("pitch_id", "state", "at", "user", "channel", "message_ts", "reason")


def _add_event(db: Any, pitch_id: int, state: str, *, at: datetime, **fields: str | None) -> None:
    row = {"pitch_id": pitch_id, "state": str(state), "at": iso(at), **fields}
    columns = [c for c in EVENT_COLUMNS if c in row]
    db.execute(
        f"INSERT INTO pitch_events ({', '.join(columns)}) VALUES ({marks(columns)})",
        [row[c] for c in columns],
    )


class PitchesMixin(StoreBase):
    def insert_pitch(
        self, pitch: Pitch, *, now: datetime, story_key: str | None = None, lead: str | None = None
    ) -> Pitch:
        """Store a new pitch as proposed. `story_key` notes what the story looked like when it
        was pitched (the card's thread hears of it when that changes), in the same transaction;
        `lead`: only while this process holds that lead lock (the cycle's pitches)."""
        row = _pitch_row(pitch) | {
            "state": str(PitchState.PROPOSED),
            "created": iso(now),
            "updated": iso(now),
        }
        with self.transaction() as db:
            self._fenced(db, lead)
            (pitch_id,) = db.execute(
                f"INSERT INTO pitches ({', '.join(row)}) VALUES ({marks(list(row))}) RETURNING id",
                list(row.values()),
            ).fetchone()
            _add_event(db, pitch_id, PitchState.PROPOSED, at=now)
            if story_key is not None:
                _add_event(db, pitch_id, PitchState.STORY_SEEN, at=now, reason=story_key)
        found = self.pitch(int(pitch_id))
        assert found is not None
        return found

    def pitch(self, pitch_id: int) -> Pitch | None:
        rows = self._rows("SELECT * FROM pitches WHERE id = ?", [pitch_id])
        return _pitch_from_row(rows[0]) if rows else None

    def pitches(
        self,
        *,
        since: datetime | None = None,
        states: Sequence[str] = (),
        story_id: int | None = None,
        limit: int = 1000,
        brand: str | None = None,
    ) -> list[Pitch]:
        """Newest first; one brand's when `brand` is given."""
        where: list[str] = ["1 = 1"]
        params: list[Any] = []
        if brand is not None:
            where.append("brand = ?")
            params.append(brand)
        if since is not None:
            where.append("created >= ?")
            params.append(iso(since))
        if states:
            where.append(f"state IN ({marks(states)})")
            params += [str(s) for s in states]
        if story_id is not None:
            where.append("story_id = ?")
            params.append(story_id)
        rows = self._rows(
            f"SELECT * FROM pitches WHERE {' AND '.join(where)}"
            " ORDER BY created DESC, id DESC LIMIT ?",
            [*params, int(limit)],
        )
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
        state = PitchState(state)
        with self.transaction() as db:
            if final_text is not None:
                db.execute(
                    "UPDATE pitches SET state = ?, updated = ?, final_text = ? WHERE id = ?",
                    [str(state), iso(now), final_text, pitch_id],
                )
            else:
                db.execute(
                    "UPDATE pitches SET state = ?, updated = ? WHERE id = ?",
                    [str(state), iso(now), pitch_id],
                )
            _add_event(
                db,
                pitch_id,
                state,
                at=now,
                user=user,
                channel=channel,
                message_ts=message_ts,
                reason=reason,
            )

    def edit_pitch_draft(self, pitch_id: int, draft: str, *, now: datetime, user: str) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE pitches SET draft = ?, updated = ? WHERE id = ?",
                [draft, iso(now), pitch_id],
            )
            _add_event(db, pitch_id, PitchState.EDITED, at=now, user=user)

    def expire_pitches(self, *, before: datetime, now: datetime, reason: str) -> list[int]:
        """Pitches still waiting for an editor (proposed or posted) created before `before` go
        to `expired`, each with its event, in one transaction; returns their ids."""
        with self.transaction() as db:
            ids = [
                pitch_id
                for (pitch_id,) in db.execute(
                    f"SELECT id FROM pitches WHERE state IN ({marks(OPEN_STATES)})"
                    " AND created < ? ORDER BY id",
                    [*map(str, OPEN_STATES), iso(before)],
                ).fetchall()
            ]
            for pitch_id in ids:
                db.execute(
                    "UPDATE pitches SET state = ?, updated = ? WHERE id = ?",
                    [str(PitchState.EXPIRED), iso(now), pitch_id],
                )
                _add_event(db, pitch_id, PitchState.EXPIRED, at=now, reason=reason)
        return ids

    def approved_drafts(self, *, limit: int = 5, brand: str = "") -> list[str]:
        """The latest drafts editors approved or rewrote (`edit:`), most recent first: the
        brand's own voice, for the LLM writer. A rejected pitch is never one, edited or not."""
        rows = self._tuples(
            "SELECT COALESCE(final_text, draft) FROM pitches p WHERE state != ? AND brand = ?"
            " AND (state = ? OR EXISTS (SELECT 1 FROM pitch_events e"
            " WHERE e.pitch_id = p.id AND e.state = ?))"
            " ORDER BY updated DESC, id DESC LIMIT ?",
            [
                str(PitchState.REJECTED),
                brand,
                *map(str, (PitchState.APPROVED, PitchState.EDITED)),
                limit,
            ],
        )
        return [text for (text,) in rows]

    def set_pitch_slack(self, pitch_id: int, *, channel: str, ts: str | None = None) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE pitches SET slack_channel = ?, slack_ts = ? WHERE id = ?",
                [channel, ts, pitch_id],
            )

    def pitch_by_slack(self, channel: str, ts: str) -> Pitch | None:
        """The pitch whose card is the message `ts` in `channel`."""
        rows = self._rows(
            "SELECT * FROM pitches WHERE slack_channel = ? AND slack_ts = ?", [channel, ts]
        )
        return _pitch_from_row(rows[0]) if rows else None

    def pitch_events(self, pitch_id: int) -> list[PitchEvent]:
        rows = self._rows("SELECT * FROM pitch_events WHERE pitch_id = ? ORDER BY id", [pitch_id])
        return [
            PitchEvent(**(r | {"state": PitchState(r["state"]), "at": from_iso(r["at"])}))
            for r in rows
        ]

    def decided_at(self, pitch_id: int) -> datetime | None:
        """When an editor last approved, rejected or snoozed the pitch; None if never."""
        decided = (PitchState.APPROVED, PitchState.REJECTED, PitchState.SNOOZED)
        at = self._value(
            "SELECT at FROM pitch_events WHERE pitch_id = ?"
            f" AND state IN ({marks(decided)}) ORDER BY id DESC LIMIT 1",
            [pitch_id, *map(str, decided)],
        )
        return from_iso(at) if at else None

    def pitch_count(self, *, since: datetime, until: datetime) -> int:
        return int(
            self._value(
                "SELECT count(*) FROM pitches WHERE created >= ? AND created <= ?",
                [iso(since), iso(until)],
            )
        )

    def pitch_events_between(
        self, *, since: datetime, until: datetime, states: Sequence[str]
    ) -> list[tuple[str, datetime]]:
        """(state, at) of every pitch event in [since, until] with one of these states."""
        rows = self._tuples(
            "SELECT state, at FROM pitch_events WHERE at >= ? AND at <= ?"
            f" AND state IN ({marks(states)})",
            [iso(since), iso(until), *map(str, states)],
        )
        return [(state, from_iso(at)) for state, at in rows]

    def pitch_lines(
        self, *, since: datetime, until: datetime, decided: Sequence[str], limit: int
    ) -> list[PitchLine]:
        """The latest pitches created in [since, until], newest first, each with its latest
        event of a `decided` state."""
        rows = self._rows(
            f"""
            SELECT p.id, p.story_id, p.created, p.theme, p.score, p.safety, p.state, p.data,
                   p.draft, e.user AS decided_by, e.at AS decided_at, e.reason
            FROM pitches p
            LEFT JOIN pitch_events e ON e.id = (
                SELECT max(id) FROM pitch_events
                WHERE pitch_id = p.id AND state IN ({marks(decided)})
            )
            WHERE p.created >= ? AND p.created <= ?
            ORDER BY p.created DESC, p.id DESC LIMIT ?
            """,
            [*map(str, decided), iso(since), iso(until), limit],
        )
        return [
            PitchLine(
                id=r["id"],
                story_id=r["story_id"],
                created=r["created"],
                label=json.loads(r["data"] or "{}").get("story_label") or "",
                theme=r["theme"],
                score=r["score"],
                safety=r["safety"],
                state=r["state"],
                draft=r["draft"],
                decided_by=r["decided_by"],
                decided_at=r["decided_at"],
                reason=r["reason"],
            )
            for r in rows
        ]

    # the card's thread ------------------------------------------------------------------------

    def story_seen_key(self, pitch_id: int) -> str | None:
        """What the story looked like when the card or its thread last told of it."""
        value = self._value(
            "SELECT reason FROM pitch_events WHERE pitch_id = ? AND state = ?"
            " ORDER BY id DESC LIMIT 1",
            [pitch_id, str(PitchState.STORY_SEEN)],
        )
        return None if value is None else str(value)

    def story_seen_keys(self, pitch_id: int) -> set[str]:
        """Everything the card or its thread has told of the story (`story_seen_key`'s, ever)."""
        rows = self._tuples(
            "SELECT DISTINCT reason FROM pitch_events WHERE pitch_id = ? AND state = ?",
            [pitch_id, str(PitchState.STORY_SEEN)],
        )
        return {str(reason) for (reason,) in rows}

    def add_thread_update(
        self,
        pitch_id: int,
        text: str,
        *,
        now: datetime,
        story_key: str | None = None,
        safety: tuple[str, str] | None = None,
    ) -> None:
        """Queue news for the pitch's thread; with `story_key`, note what the story looked like
        (in the same transaction: an update is queued once per change); with `safety` (a level
        and its reason), the pitch's safety is now that: `pitches`, its cards and the report
        showed "✅ brand-safe" on a pitch its thread said not to post."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO thread_updates (pitch_id, text, created) VALUES (?, ?, ?)",
                [pitch_id, text, iso(now)],
            )
            if story_key is not None:
                _add_event(db, pitch_id, PitchState.STORY_SEEN, at=now, reason=story_key)
            if safety is not None:
                db.execute(
                    "UPDATE pitches SET safety = ?, safety_reason = ?, updated = ? WHERE id = ?",
                    [*safety, iso(now), pitch_id],
                )

    def thread_update_texts(self, pitch_id: int) -> list[str]:
        """What the pitch's thread has been told, oldest first."""
        rows = self._tuples(
            "SELECT text FROM thread_updates WHERE pitch_id = ? ORDER BY id", [pitch_id]
        )
        return [str(text) for (text,) in rows]

    def unposted_thread_updates(self) -> list[ThreadUpdate]:
        rows = self._tuples(
            "SELECT id, pitch_id, text FROM thread_updates WHERE slack_ts IS NULL ORDER BY id"
        )
        return [ThreadUpdate(*row) for row in rows]

    def mark_thread_update_posted(self, update_id: int, ts: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE thread_updates SET slack_ts = ? WHERE id = ?", [ts, update_id])

    # holds ------------------------------------------------------------------------------------

    def record_hold(
        self, story_id: int, reason: str, detail: str, *, now: datetime, brand: str = ""
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO holds (story_id, at, reason, detail, brand) VALUES (?, ?, ?, ?, ?)",
                [story_id, iso(now), reason, detail, brand],
            )

    def hold(
        self, story_id: int, reason: str, detail: str, *, now: datetime, brand: str = ""
    ) -> bool:
        """Record why a story waits or was dropped for a brand, once per change of reason;
        whether it was recorded."""
        with self.transaction() as db:
            last = db.execute(
                "SELECT reason FROM holds WHERE story_id = ? AND brand = ?"
                " ORDER BY id DESC LIMIT 1",
                [story_id, brand],
            ).fetchone()
            if last is not None and last[0] == reason:
                return False
            db.execute(
                "INSERT INTO holds (story_id, at, reason, detail, brand) VALUES (?, ?, ?, ?, ?)",
                [story_id, iso(now), reason, detail, brand],
            )
        return True

    def latest_holds(self, story_ids: Sequence[int], *, brand: str = "") -> dict[int, Hold]:
        """The latest reason each of these stories was held back for the brand, for those ever
        held."""
        out: dict[int, Hold] = {}
        for chunk in chunks(story_ids):
            for row in self._rows(
                "SELECT * FROM holds WHERE id IN (SELECT max(id) FROM holds"
                f" WHERE brand = ? AND story_id IN ({marks(chunk)}) GROUP BY story_id)",
                [brand, *chunk],
            ):
                out[row["story_id"]] = _hold_from_row(row)
        return out

    def waiting_for_morning(self, *, since: datetime, brand: str = "") -> list[int]:
        """The stories the brand's quiet hours held since `since` that still wait (their latest
        hold is a wait: quiet hours, the queue, a stronger story), never pitched: the cadence
        owes them a look in the morning, even once their momentum has faded."""
        return [
            story_id
            for (story_id,) in self._tuples(
                "SELECT story_id FROM holds WHERE brand = ?"
                " AND reason IN ('quiet_hours', 'queued', 'outranked')"
                " AND id IN (SELECT max(id) FROM holds WHERE brand = ? GROUP BY story_id)"
                " AND story_id IN (SELECT story_id FROM holds WHERE brand = ?"
                " AND reason = 'quiet_hours' AND at >= ?)"
                " AND story_id NOT IN (SELECT story_id FROM pitches WHERE brand = ?)"
                " ORDER BY story_id",
                [brand, brand, brand, iso(since), brand],
            )
        ]

    def held_stories(
        self, *, since: datetime | None = None, brand: str | None = None
    ) -> list[HeldStory]:
        """Every story held back and never pitched, with its latest hold (from `since`); of one
        brand (never pitched to it), or of any; best score first."""
        mine = "" if brand is None else " WHERE brand = ?"
        rows = self._rows(
            f"""
            SELECT h.*, s.label, s.score FROM holds h JOIN stories s ON s.id = h.story_id
            WHERE h.id IN (SELECT max(id) FROM holds{mine} GROUP BY story_id)
              AND h.story_id NOT IN (SELECT story_id FROM pitches{mine}) AND h.at >= ?
            ORDER BY s.score DESC, h.story_id
            """,
            [*([brand] * 2 if brand is not None else []), iso(since) if since else ""],
        )
        return [HeldStory(r["story_id"], r["label"], r["score"], _hold_from_row(r)) for r in rows]

    def judged_stories(
        self, *, since: datetime, until: datetime | None = None, brand: str = ""
    ) -> dict[int, str | None]:
        """The stories the brand's fit judged from `since` to `until` (held for any reason, or
        pitched): the detail of their latest safety block, or None for those never blocked.
        `until`: a replay's story previewed as of its day reads that week, not later ones."""
        end = iso(until) if until is not None else "9999"
        out: dict[int, str | None] = {}
        for story_id, reason, detail in self._tuples(
            "SELECT story_id, reason, detail FROM holds WHERE brand = ? AND at >= ? AND at <= ?"
            " UNION ALL SELECT story_id, 'pitched', '' FROM pitches"
            " WHERE brand = ? AND created >= ? AND created <= ? ORDER BY 1",
            [brand, iso(since), end, brand, iso(since), end],
        ):
            if reason == "blocked":
                out[story_id] = detail
            else:
                out.setdefault(story_id, None)
        return out

    def hold_reasons(self, *, unpitched: bool = False) -> dict[str, set[int]]:
        """The stories held back for each reason (ever), only those never pitched if asked."""
        where = " WHERE story_id NOT IN (SELECT story_id FROM pitches)" if unpitched else ""
        out: dict[str, set[int]] = {}
        for reason, story_id in self._tuples(f"SELECT DISTINCT reason, story_id FROM holds{where}"):
            out.setdefault(reason, set()).add(story_id)
        return out

    def latest_pitch_ids(self, story_ids: Sequence[int], *, brand: str = "") -> dict[int, int]:
        """The brand's latest pitch of each of these stories, for those it ever pitched."""
        out: dict[int, int] = {}
        for chunk in chunks(story_ids):
            for story_id, pitch_id in self._tuples(
                "SELECT story_id, max(id) FROM pitches"
                f" WHERE brand = ? AND story_id IN ({marks(chunk)}) GROUP BY story_id",
                [brand, *chunk],
            ):
                out[story_id] = pitch_id
        return out


def _pitch_row(pitch: Pitch) -> dict[str, Any]:
    return {
        "story_id": pitch.story_id,
        "brand": pitch.brand,
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
        brand=row["brand"],
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
        state=PitchState(row["state"]),
        created=from_iso(row["created"]),
        slack_channel=row["slack_channel"],
        slack_ts=row["slack_ts"],
    )


def _hold_from_row(row: dict[str, Any]) -> Hold:
    return Hold(row["story_id"], row["reason"], row["detail"], from_iso(row["at"]))
