"""The clock the clients read and sleep on, and the process-wide no-backoff switch."""

from __future__ import annotations

import asyncio
import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """What a client needs from time: two readings and two ways to sleep.

    Inject a fake one (``apicore_client.testing.FakeClock``) to make retry schedules exact
    and instantaneous in tests.
    """

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (durations and deadlines)."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch (attempt start times, HTTP-date Retry-After)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``."""
        ...

    async def async_sleep(self, seconds: float) -> None:
        """Suspend the calling task for ``seconds``."""
        ...


class SystemClock:
    """The real clock: :func:`time.monotonic`, :func:`time.time`, and real sleeps."""

    def monotonic(self) -> float:
        """Return :func:`time.monotonic`."""
        return time.monotonic()

    def time(self) -> float:
        """Return :func:`time.time`."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """Sleep with :func:`time.sleep`."""
        time.sleep(seconds)

    async def async_sleep(self, seconds: float) -> None:
        """Sleep with :func:`asyncio.sleep`."""
        await asyncio.sleep(seconds)


# Two layers, as in stamina: a process-wide toggle for test suites that want it everywhere,
# and a context variable for a scoped switch that stays inside one thread or task.
class _NoBackoff:
    enabled = False


_no_backoff_scope: contextvars.ContextVar[bool | None] = contextvars.ContextVar(
    "apicore_client_no_backoff", default=None
)


def no_backoff_active() -> bool:
    """Whether waits between attempts are currently skipped."""
    scoped = _no_backoff_scope.get()
    return _NoBackoff.enabled if scoped is None else scoped


def set_no_backoff(enabled: bool) -> None:
    """Skip (``True``) or restore (``False``) every wait between attempts, process-wide.

    Decisions stay exactly as without the switch (same attempts, same errors); the clients
    just do not sleep, and attempt histories show ``sleep=0.0``. Meant for test suites,
    like stamina's ``set_testing``. A :func:`no_backoff` block overrides it.
    """
    _NoBackoff.enabled = enabled


@contextmanager
def no_backoff(enabled: bool = True) -> Iterator[None]:
    """Skip waits between attempts inside a ``with`` block (this thread or task only).

    Args:
        enabled: ``False`` restores real waits inside the block even when
            :func:`set_no_backoff` turned them off.
    """
    token = _no_backoff_scope.set(enabled)
    try:
        yield
    finally:
        _no_backoff_scope.reset(token)
