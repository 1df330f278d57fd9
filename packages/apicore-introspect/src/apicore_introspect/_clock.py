"""The one clock shape of every package, the real clock and the one ``Retry-After`` parser.

The fake clock for tests is :class:`apicore_introspect.testing.FakeClock`.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """What a package needs from time: two readings and two ways to sleep."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (durations and deadlines)."""
        ...

    def time(self) -> float:
        """Wall-clock seconds since the epoch (expiry, schedules, HTTP-date Retry-After)."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for ``seconds``."""
        ...

    async def async_sleep(self, seconds: float) -> None:
        """Suspend the calling task for ``seconds``."""
        ...


class SystemClock:
    """The real clock: :func:`time.monotonic`, :func:`time.time`, and real sleeps.

    Calling it returns :func:`time.time`, so it can stand in for a ``() -> float`` clock.
    """

    def __call__(self) -> float:
        """Return :func:`time.time`."""
        return time.time()

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


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Read a ``Retry-After`` header (RFC 9110 section 10.2.3).

    Args:
        value: The header value: delay-seconds (``"120"``) or an HTTP-date.
        now: The current wall-clock time in seconds since the epoch (for HTTP-dates).

    Returns:
        The requested wait in seconds (never negative: a date in the past is ``0.0``), or
        ``None`` when absent, empty or invalid (negative numbers, garbage, dates without a
        zone). There is no upper cap here: callers cap the wait they honour.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():  # str.isdigit() alone takes "²" and other scripts
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive result means "-0000"
        return None
    return max(0.0, when.timestamp() - now)
