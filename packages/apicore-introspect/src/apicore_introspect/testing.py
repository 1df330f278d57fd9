"""Test helpers shared by every apicore package: the one :class:`FakeClock`.

Example:
    ```python
    from apicore_introspect.testing import FakeClock

    clock = FakeClock()  # wall time 1_700_000_000.0, monotonic time 0.0
    clock.sleep(2.0)  # instant; time moves on and the sleep is recorded
    assert (clock.monotonic(), clock(), clock.sleeps) == (2.0, 1_700_000_002.0, [2.0])
    ```
"""

from __future__ import annotations

import warnings
from datetime import datetime

__all__ = ["FakeClock"]


def _seconds(when: datetime | float) -> float:
    return when.timestamp() if isinstance(when, datetime) else float(when)


class FakeClock:
    """A clock whose time moves only when slept on, advanced or set; records every sleep.

    It has the :class:`~apicore_introspect.Clock` shape (``time``, ``monotonic``, ``sleep``,
    ``async_sleep``) and is callable (returning the wall-clock time), so it fits both the
    clients' ``clock=`` and the ``() -> float`` clocks of apicore-auth and apicore-callbacks.

    Args:
        start: The initial wall-clock time: seconds since the epoch or a timezone-aware
            datetime.
        monotonic: The initial monotonic reading.
        wall: Deprecated (apicore-client's old form ``FakeClock(start=m, wall=w)``, where
            ``start`` was the monotonic reading): use ``FakeClock(w, monotonic=m)``.

    Attributes:
        sleeps: Every sleep, in order.
    """

    def __init__(
        self,
        start: datetime | float | None = None,
        *,
        monotonic: float = 0.0,
        wall: float | None = None,
    ) -> None:
        if wall is not None:
            warnings.warn(
                "FakeClock(start=..., wall=...) is deprecated: "
                "use FakeClock(wall, monotonic=start)",
                DeprecationWarning,
                stacklevel=2,
            )
            if start is not None:
                monotonic = _seconds(start)
            start = wall
        self._monotonic = monotonic
        self._wall = 1_700_000_000.0 if start is None else _seconds(start)
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        """Return the current fake wall-clock time."""
        return self.time()

    def time(self) -> float:
        """The current fake wall-clock time (seconds since the epoch)."""
        return self._wall

    def monotonic(self) -> float:
        """The current fake monotonic time."""
        return self._monotonic

    @property
    def now(self) -> float:
        """The current fake wall-clock time; assigning to it is :meth:`set`."""
        return self.time()

    @now.setter
    def now(self, when: float) -> None:
        self.set(when)

    def set(self, when: datetime | float) -> None:
        """Set the wall-clock time to ``when`` (either way); monotonic time does not move."""
        self._wall = _seconds(when)

    def advance(self, seconds: float) -> None:
        """Move time forward without recording a sleep."""
        if seconds < 0:
            raise ValueError(f"time cannot go back: advance({seconds!r})")
        self._monotonic += seconds
        self._wall += seconds

    def advance_to(self, when: datetime | float) -> None:
        """Move time forward to wall-clock ``when`` exactly (no-op if it is in the past)."""
        target = _seconds(when)
        if target > self._wall:
            self._monotonic += target - self._wall
            self._wall = target

    def sleep(self, seconds: float) -> None:
        """Record the sleep and move time forward at once."""
        self.advance(seconds)
        self.sleeps.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        """Record the sleep and move time forward at once."""
        self.sleep(seconds)
