"""One `trendbot run` per database: the run holds a lease in the store and renews it; a second
run refuses to start (it would double-post), and a holder that died on this host is replaced."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from trendbot.errors import LockedError
from trendbot.store import Store, iso

LEASE = "run"
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
        LEASE, holder, now=now, ttl=LEASE_TTL, pid=os.getpid(), host=socket.gethostname()
    )
    if other is None:
        return
    if other.host == socket.gethostname() and not pid_alive(other.pid or 0):
        store.release_lease(LEASE, other.holder)
        take_lease(store, holder, now=now)
        return
    raise LockedError(
        f"another trendbot run (pid {other.pid} on {other.host}) uses this database "
        f"until {iso(other.expires)}: stop it first, or give this one its own --db",
        where=store.path,
    )


def lease_status(store: Store, *, now: datetime) -> tuple[bool, str]:
    """For `trendbot health` (the container's HEALTHCHECK): is a `run` alive on this database?"""
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
