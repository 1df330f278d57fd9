"""Delivery retry policy: which answers are final, and when to try again (pure)."""

from __future__ import annotations

import enum
import random
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from apicore_introspect import parse_retry_after as _parse_retry_after

# Standard Webhooks' example schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
# 14 h, 20 h, 24 h after each failure (10 attempts over about 75 hours).
STANDARD_SCHEDULE: tuple[float, ...] = (
    5.0,
    300.0,
    1800.0,
    7200.0,
    18000.0,
    36000.0,
    50400.0,
    72000.0,
    86400.0,
)


class Verdict(enum.StrEnum):
    """What one delivery attempt means for the job."""

    DELIVERED = "delivered"
    RETRY = "retry"
    STOP = "stop"


@dataclass(frozen=True)
class DeliveryRetryPolicy:
    """When to retry a callback delivery.

    Attributes:
        schedule: Delay in seconds before each retry; the first attempt is immediate, so
            there are ``len(schedule) + 1`` attempts. ``()`` means a single attempt.
        jitter: Each delay is multiplied by a random factor in
            ``[1 - jitter, 1 + jitter]`` so that failed deliveries do not retry in lock-step.
        timeout: Per-attempt timeout in seconds (connect, write, read).
        retry_after_cap: ``Retry-After`` is honoured up to this many seconds.
    """

    schedule: tuple[float, ...] = STANDARD_SCHEDULE
    jitter: float = 0.1
    timeout: float = 30.0
    retry_after_cap: float = 6 * 3600.0

    def __post_init__(self) -> None:
        if any(d < 0 for d in self.schedule):
            raise ValueError("retry delays must not be negative")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter must be in [0, 1)")
        if self.timeout <= 0:
            raise ValueError("the per-attempt timeout must be positive")

    @property
    def max_attempts(self) -> int:
        """The number of delivery attempts before the job is dead-lettered."""
        return len(self.schedule) + 1

    def delay(
        self,
        attempts_done: int,
        *,
        retry_after: float | None = None,
        rng: random.Random | None = None,
    ) -> float | None:
        """Return the delay before the next attempt, or ``None`` when no attempt is left.

        Args:
            attempts_done: Delivery attempts already made (1 after the first failure).
            retry_after: The receiver's ``Retry-After`` in seconds, if it sent one.
            rng: Source of jitter (injectable for tests).
        """
        if attempts_done >= self.max_attempts:
            return None
        base = self.schedule[max(attempts_done, 1) - 1]
        if base > 0 and self.jitter:
            base *= (rng or random).uniform(1 - self.jitter, 1 + self.jitter)
        if retry_after is not None:
            base = max(base, min(retry_after, self.retry_after_cap))
        return base


def classify(status: int) -> Verdict:
    """Classify a receiver's HTTP status (Standard Webhooks semantics).

    2xx is delivered. 410 Gone stops (the receiver says the endpoint no longer exists).
    Every other status is a failure retried on the schedule: 3xx (redirects are never
    followed), 429 and 5xx (``Retry-After`` honoured), and the other 4xx too, because a
    receiver that is mis-deployed for a while often answers 401/404 and recovers.
    """
    if 200 <= status < 300:
        return Verdict.DELIVERED
    if status == 410:
        return Verdict.STOP
    return Verdict.RETRY


def parse_retry_after(value: str | Mapping[str, str] | None, now: float) -> float | None:
    """:func:`apicore_introspect.parse_retry_after`, the one ``Retry-After`` parser.

    ``parse_retry_after(value, now=now)`` takes the header value. The old form, a headers
    mapping, ``parse_retry_after(headers, now)``, still works and warns (deprecated).
    """
    if isinstance(value, Mapping):
        warnings.warn(
            "parse_retry_after(headers, now) is deprecated: use "
            "apicore_introspect.parse_retry_after(headers.get('retry-after'), now=now)",
            DeprecationWarning,
            stacklevel=2,
        )
        value = value.get("retry-after", value.get("Retry-After"))
    return _parse_retry_after(value, now=now)
