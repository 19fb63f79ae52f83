"""What editors taught (theme examples), what they muted, and which Slack deliveries were seen."""

from __future__ import annotations

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

    def adopt_brand(self, brand: str) -> None:
        """Rows from before brands (brand '') become `brand`'s: the first brand's, at open."""
        with self.transaction() as db:
            for table in ("pitches", "holds", "theme_examples", "queued"):
                db.execute(f"UPDATE OR IGNORE {table} SET brand = ? WHERE brand = ''", [brand])

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
