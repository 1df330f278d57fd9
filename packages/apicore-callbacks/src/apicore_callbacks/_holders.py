"""Lease holders: who holds a lease (host, pid, process start time), and whether it is gone.

A worker names itself ``host:pid:start:serial``. A process starting on the same host can
then tell, without waiting for the lease to run out, that a holder is dead: its pid no
longer exists, or now belongs to a process that started at another time (pid reuse).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Protocol

StartTime = Callable[[int], str | None]
"""``pid -> start time`` (an opaque string), ``None`` when there is no such process."""

RECLAIM_INTERVAL = 5.0
"""Seconds between two looks for leases held by dead processes of this host."""

_BOOT = f"t{int(time.time() * 1000)}"


def proc_start_time(pid: int) -> str | None:
    """Return a process's start time from ``/proc/<pid>/stat`` (Linux), else a fallback.

    Without ``/proc`` (macOS), a living process gives ``"?"`` (start time unknown): only its
    existence is checked; the current process gives a time taken at import.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        if isinstance(exc, FileNotFoundError) and Path("/proc/self/stat").exists():
            return None  # /proc works, so the process does not exist
        return _exists_fallback(pid)
    # The command name (field 2) may hold spaces and parentheses; field 22 is the start
    # time in clock ticks since boot, the 20th field after the last ')'.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def _exists_fallback(pid: int) -> str | None:
    if pid == os.getpid():
        return _BOOT
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return "?"
    return "?"


class LeaseStore(Protocol):
    """The part of a job store that can tell and end the leases of dead holders."""

    def lease_holders(self, *, now: float) -> list[str]:
        """Return the workers holding a lease that has not expired yet."""
        ...

    def expire_leases(self, workers: Collection[str], *, now: float) -> int:
        """End the leases of ``workers`` now; return how many ended."""
        ...


def reclaim_dead(
    store: object, *, now: float, keep: str = "", start_time: StartTime = proc_start_time
) -> int:
    """End the leases held by dead processes of this host; return how many ended.

    Stores without ``lease_holders``/``expire_leases`` are left alone (0). ``keep`` is the
    caller's own holder name, never reclaimed.
    """
    if not (hasattr(store, "lease_holders") and hasattr(store, "expire_leases")):
        return 0
    leases: LeaseStore = store
    host = socket.gethostname()
    gone = [
        w
        for w in leases.lease_holders(now=now)
        if w != keep and holder_gone(w, host=host, start_time=start_time)
    ]
    return leases.expire_leases(gone, now=now) if gone else 0


def holder_name(serial: str, *, start_time: StartTime = proc_start_time) -> str:
    """Return this process's lease-holder name: ``host:pid:start:serial``."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{start_time(pid) or '?'}:{serial}"


def holder_gone(holder: str, *, host: str, start_time: StartTime = proc_start_time) -> bool:
    """Whether ``holder`` is a process of ``host`` that no longer runs.

    Holders of other hosts, names in another format and processes whose start time is
    unknown are never called gone: their leases simply run out.
    """
    parts = holder.rsplit(":", 3)
    if len(parts) != 4 or parts[0] != host or not parts[1].isdigit():
        return False
    now = start_time(int(parts[1]))
    if now is None:
        return True
    return parts[2] != "?" and now != "?" and now != parts[2]
