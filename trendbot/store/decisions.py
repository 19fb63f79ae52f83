"""What editors taught (theme examples), what they muted, and which Slack deliveries were seen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from trendbot.store.base import StoreBase, from_iso, iso
from trendbot.store.rows import Mute, ThemeExample


class DecisionsMixin(StoreBase):
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
        brand: str = "",
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "INSERT INTO theme_examples"
                " (theme, polarity, text, story_id, pitch_id, reason, user, created, brand)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [theme, polarity, text, story_id, pitch_id, reason, user, iso(now), brand],
            )

    def theme_examples(self, *, brand: str | None = None) -> list[ThemeExample]:
        """What editors taught, oldest first: one brand's (None: every brand's)."""
        if brand is None:
            rows = self._rows("SELECT * FROM theme_examples ORDER BY id")
        else:
            rows = self._rows("SELECT * FROM theme_examples WHERE brand = ? ORDER BY id", [brand])
        return [ThemeExample(**(r | {"created": from_iso(r["created"])})) for r in rows]

    def adopt_brands(self, names: Sequence[str], *, renames: bool = True) -> list[str]:
        """Give rows of a brand not in `names` to the one they belong to: rows from before
        brands to the first brand; with `renames`, a renamed brand's rows (one name gone, one
        new name with no rows yet) to its new name. Returns the names still orphaned."""
        tables = ("pitches", "holds", "theme_examples", "queued")
        with self.transaction() as db:

            def move(old: str, new: str) -> None:
                for table in tables[:3]:
                    db.execute(f"UPDATE {table} SET brand = ? WHERE brand = ?", [new, old])
                db.execute(  # a story queued under both names keeps the new name's row
                    "UPDATE queued SET brand = ? WHERE brand = ? AND NOT EXISTS (SELECT 1"
                    " FROM queued q WHERE q.brand = ? AND q.story_id = queued.story_id)",
                    [new, old, new],
                )
                db.execute("DELETE FROM queued WHERE brand = ?", [old])

            move("", names[0])
            found = {
                row[0]
                for table in tables
                for row in db.execute(f"SELECT DISTINCT brand FROM {table}").fetchall()
            }
            gone, fresh = found - set(names) - {""}, [n for n in names if n not in found]
            if renames and len(gone) == 1 and len(fresh) == 1:
                move(gone.pop(), fresh[0])
        return sorted(gone)

    def add_mute(self, kind: str, value: str, *, now: datetime, user: str | None = None) -> bool:
        """Whether it is new."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO mutes (kind, value, user, created) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (kind, value) DO NOTHING",
                [kind, value, user, iso(now)],
            )
            return cursor.rowcount == 1

    def remove_mute(self, kind: str, value: str) -> bool:
        with self.transaction() as db:
            cursor = db.execute("DELETE FROM mutes WHERE kind = ? AND value = ?", [kind, value])
            return cursor.rowcount > 0

    def mutes(self) -> list[Mute]:
        rows = self._rows("SELECT * FROM mutes ORDER BY id")
        return [Mute(**(r | {"created": from_iso(r["created"])})) for r in rows]

    def first_delivery(self, event_id: str, kind: str, *, now: datetime) -> bool:
        """True the first time an event or action id is seen; False for Slack's retries."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO slack_events (id, kind, received) VALUES (?, ?, ?)"
                " ON CONFLICT (id) DO NOTHING",
                [event_id, kind, iso(now)],
            )
            return cursor.rowcount == 1
