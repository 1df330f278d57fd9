"""The clock the clients read and sleep on (apicore-introspect's), and the no-backoff switch."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

# The one clock shape lives in apicore-introspect; re-exported here (same objects).
from apicore_introspect import Clock as Clock, SystemClock as SystemClock


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
