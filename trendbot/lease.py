"""One `trendbot run` per SQLite database: the run holds a lease in the store and renews it; a
second run refuses to start (it would double-post), and a holder that died on this host is
replaced. On PostgreSQL several runs (workers) share the database: each holds a lease of its
own (`worker:<holder>`), for `trendbot health`; the store's claims and lead lock share the
work."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from trendbot.errors import LockedError
from trendbot.store import Store, iso

LEASE = "run"
WORKER = "worker:"
LEASE_TTL = timedelta(minutes=2)
LEASE_EVERY = timedelta(seconds=30)


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
        lease_name(store, holder), holder, now=now, ttl=LEASE_TTL, pid=os.getpid(),
        host=socket.gethostname(),
    )  # fmt: skip
    if other is None:
        return
    if other.host == socket.gethostname() and not pid_alive(other.pid or 0):
        store.release_lease(LEASE, other.holder)
        take_lease(store, holder, now=now)
        return
    raise LockedError(
        f"another trendbot run (pid {other.pid} on {other.host}) uses this database "
        f"until {iso(other.expires)}: stop it first, or give this one its own --db",
        where=store.engine.where,
    )


def lease_name(store: Store, holder: str) -> str:
    return f"{WORKER}{holder}" if store.multi_writer else LEASE


def lease_status(store: Store, *, now: datetime) -> tuple[bool, str]:
    """For `trendbot health` (the container's HEALTHCHECK): is a `run` alive on this database?
    With several workers (PostgreSQL), is this host's?"""
    if store.multi_writer:  # the question is this host's (container's) worker
        here = socket.gethostname()
        mine = [
            w
            for w in store.leases(WORKER)
            if w.expires > now and w.host == here and pid_alive(w.pid or 0)
        ]
        if not mine:
            return False, f"no trendbot worker alive on {here} for this database"
        return True, f"{len(mine)} worker(s) alive on {here}: pid " + ", ".join(
            str(w.pid) for w in mine
        )
    lease = store.lease(LEASE)
    if lease is None:
        return False, "no trendbot run holds this database"
    until = iso(lease.expires)
    if lease.expires <= now:
        return False, f"the run's lease expired at {until} (pid {lease.pid})"
    # killed -9 or crashed: its lease outlives it by up to LEASE_TTL
    if lease.host == socket.gethostname() and not pid_alive(lease.pid or 0):
        return False, f"trendbot run pid {lease.pid} is gone (killed or crashed): restart it"
    return True, f"trendbot run pid {lease.pid} on {lease.host}, lease until {until}"
