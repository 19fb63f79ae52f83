"""The run lease (one `trendbot run` per database) and retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from trendbot.store.base import StoreBase, from_iso, iso
from trendbot.store.rows import Lease

LEASE_COLUMNS = "name, holder, pid, host, acquired, expires"


class RunsMixin(StoreBase):
    def acquire_lease(
        self, name: str, holder: str, *, now: datetime, ttl: timedelta, pid: int, host: str
    ) -> Lease | None:
        """Take or renew the lease; returns None on success, else who holds it."""
        with self.transaction() as db:
            row = db.execute(
                f"SELECT {LEASE_COLUMNS} FROM leases WHERE name = ?", [name]
            ).fetchone()
            if row is not None:
                other = _lease(row)
                if other.holder != holder and other.expires > now:
                    return other
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

    @property
    def multi_writer(self) -> bool:
        """Several workers may share this database (PostgreSQL)."""
        return self.engine.multi_writer

    def lead(self, name: str) -> bool:
        """Whether this process leads `name` (the story tracker, deliveries): the one worker
        that does, until it dies. Always, on SQLite (one process per file)."""
        with self._mapped_errors():
            return self.engine.lead(name)

    def lead_epoch(self, name: str) -> int:
        """How many times this process took the lock `name`: a change means it lost it."""
        return self.engine.epochs.get(name, 0)

    def alive(self, worker: str) -> bool:
        """Whether `worker` still runs: it holds its `alive:` lock for as long as it lives
        (PostgreSQL ends the lock with the session: kill -9, a crash, a host gone)."""
        with self._mapped_errors():
            return self.engine.held(f"alive:{worker}")

    def feed_claims(self, *, now: datetime) -> dict[str, str]:
        """Each feed claimed now, and by whom."""
        rows = self._tuples(
            "SELECT name, claimed_by FROM feeds WHERE claimed_until >= ?", [iso(now)]
        )
        return {str(name): str(worker) for name, worker in rows}

    def claim_feed(
        self, name: str, worker: str, *, now: datetime, until: datetime, dead: str = ""
    ) -> bool:
        """Take a due feed's fetch for `worker` until `until`: one worker per interval fetches
        it (the fetch's outcome sets its next time and ends the claim); a claim that runs out,
        or whose worker is `dead`, lets another take it."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE feeds SET claimed_by = ?, claimed_until = ?"
                " WHERE name = ? AND disabled = 0"
                " AND (next_fetch_after IS NULL OR next_fetch_after <= ?)"
                " AND (claimed_until IS NULL OR claimed_until < ? OR claimed_by IN (?, ?))",
                [worker, iso(until), name, iso(now), iso(now), worker, dead or worker],
            )
            return bool(cursor.rowcount == 1)

    def release_lease(self, name: str, holder: str) -> None:
        with self.transaction() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", [name, holder])

    def leases(self, prefix: str) -> list[Lease]:
        rows = self._tuples(
            f"SELECT {LEASE_COLUMNS} FROM leases WHERE name LIKE ? ORDER BY name", [f"{prefix}%"]
        )
        return [_lease(r) for r in rows]

    def lease(self, name: str) -> Lease | None:
        rows = self._tuples(f"SELECT {LEASE_COLUMNS} FROM leases WHERE name = ?", [name])
        return _lease(rows[0]) if rows else None

    def drop_before(self, before: datetime) -> None:
        """Retention: the vectors and queued work of items first seen before `before` go (they
        are the bulk of the file) and their stories close; items, stories and pitches stay as
        history."""
        with self.transaction() as db:
            for table in ("embeddings", "pending"):
                db.execute(
                    f"DELETE FROM {table} WHERE item_id IN"
                    " (SELECT id FROM items WHERE first_seen < ?)",
                    [iso(before)],
                )
            db.execute(
                "UPDATE stories SET closed = 1 WHERE last_seen < ? AND closed = 0", [iso(before)]
            )

    def compact(self) -> None:
        """Give the freed pages back to the disk and refresh the planner's statistics."""
        with self._read() as conn:
            self.engine.compact(conn)


def _lease(row: tuple[object, ...]) -> Lease:
    name, holder, pid, host, acquired, expires = row
    return Lease(
        name=str(name),
        holder=str(holder),
        pid=int(pid) if isinstance(pid, int) else None,
        host=None if host is None else str(host),
        acquired=from_iso(str(acquired)),
        expires=from_iso(str(expires)),
    )
