"""Retry policy, timeouts, backoff and ``Retry-After`` math (pure)."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from apicore_client._errors import ConfigError
from apicore_introspect import parse_retry_after as parse_retry_after

IDEMPOTENT_METHODS: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
"""RFC 9110 section 9.2.2: methods whose repetition has the same effect as one request."""

RETRY_STATUSES: frozenset[int] = frozenset({408, 429, 500, 502, 503, 504})
"""Statuses retried by default (for retry-safe requests only)."""

_DEFAULT_WAIT_MAX = 5.0


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Per-attempt timeouts in seconds; ``None`` disables one.

    Attributes:
        connect: Time allowed to open a connection.
        read: Time allowed between two chunks of the response.
        write: Time allowed between two chunks of the request body.
        pool: Time allowed to wait for a free connection of the pool.
    """

    connect: float | None = 5.0
    read: float | None = 10.0
    write: float | None = 10.0
    pool: float | None = 5.0

    def __post_init__(self) -> None:
        for name in ("connect", "read", "write", "pool"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ConfigError(
                    f"Timeouts.{name} must be a positive number of seconds or None, got {value!r}"
                )

    @classmethod
    def of(cls, value: Timeouts | float | None) -> Timeouts:
        """Accept a :class:`Timeouts`, one number for all four, or ``None`` for none."""
        if isinstance(value, Timeouts):
            return value
        return cls(connect=value, read=value, write=value, pool=value)

    def as_dict(self) -> dict[str, float | None]:
        """The timeouts in the shape of httpx's ``request.extensions["timeout"]``."""
        return {"connect": self.connect, "read": self.read, "write": self.write, "pool": self.pool}

    def longest(self) -> float:
        """The largest timeout (``inf`` when one is disabled)."""
        values = (self.connect, self.read, self.write, self.pool)
        return math.inf if None in values else max(v for v in values if v is not None)

    def clamped(self, remaining: float) -> dict[str, float | None]:
        """Each timeout capped at ``remaining`` seconds, so an attempt cannot outlive a deadline."""
        return {
            name: remaining if value is None else min(value, remaining)
            for name, value in self.as_dict().items()
        }


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how often a call is retried. Immutable; derive variants with ``replace``.

    Connect errors (nothing was sent) are retried for every method. Read/write timeouts,
    resets after sending, and the statuses in ``retry_statuses`` are retried only when the
    request is retry-safe: its method is in ``idempotent_methods`` or it carries an
    ``Idempotency-Key`` header.

    Attributes:
        max_attempts: Total attempts, the first one included (1 disables retries).
        deadline: Seconds the whole call may take, sleeps included; ``None`` for no limit.
        wait_initial: Backoff cap before the first retry, in seconds.
        wait_max: Upper bound of every backoff cap, in seconds.
        wait_exp_base: Growth factor of the cap per retry (>= 1).
        retry_after_max: Longest ``Retry-After`` honoured; longer requests wait this long.
        respect_retry_after: Use the server's ``Retry-After`` instead of the backoff.
        retry_statuses: Statuses retried for retry-safe requests.
        idempotent_methods: Methods retried without an ``Idempotency-Key``.
        retry_connect_errors: Retry connect errors and pool timeouts (safe for any method).
    """

    max_attempts: int = 3
    deadline: float | None = 30.0
    wait_initial: float = 0.1
    wait_max: float = _DEFAULT_WAIT_MAX
    wait_exp_base: float = 2.0
    retry_after_max: float = 60.0
    respect_retry_after: bool = True
    retry_statuses: frozenset[int] = field(default=RETRY_STATUSES)
    idempotent_methods: frozenset[str] = field(default=IDEMPOTENT_METHODS)
    retry_connect_errors: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int):
            raise ConfigError(f"max_attempts must be an int >= 1, got {self.max_attempts!r}")
        if self.max_attempts < 1:
            raise ConfigError(
                f"max_attempts counts the first attempt too and must be >= 1, "
                f"got {self.max_attempts}; use RetryPolicy.disabled() for no retries"
            )
        if self.deadline is not None and not self.deadline > 0:
            raise ConfigError(f"deadline must be > 0 seconds or None, got {self.deadline!r}")
        if not 0 <= self.wait_initial <= self.wait_max:
            raise ConfigError(
                f"need 0 <= wait_initial <= wait_max, got {self.wait_initial!r} and "
                f"{self.wait_max!r}"
            )
        if not self.wait_exp_base >= 1:
            raise ConfigError(f"wait_exp_base must be >= 1, got {self.wait_exp_base!r}")
        if not self.retry_after_max >= 0:
            raise ConfigError(f"retry_after_max must be >= 0, got {self.retry_after_max!r}")
        # normalise so that a list or lowercase methods work as the user meant
        object.__setattr__(self, "retry_statuses", frozenset(self.retry_statuses))
        object.__setattr__(
            self, "idempotent_methods", frozenset(m.upper() for m in self.idempotent_methods)
        )

    @classmethod
    def disabled(cls) -> RetryPolicy:
        """A policy that makes exactly one attempt and never retries."""
        return cls(max_attempts=1)

    @property
    def retries(self) -> bool:
        """Whether this policy ever retries."""
        return self.max_attempts > 1

    def backoff_cap(self, retry: int) -> float:
        """The upper bound of the wait before retry number ``retry`` (1 = first retry).

        ``min(wait_max, wait_initial * wait_exp_base ** (retry - 1))``: non-decreasing in
        ``retry`` and never above ``wait_max``.
        """
        try:
            grown = self.wait_initial * self.wait_exp_base ** max(retry - 1, 0)
        except OverflowError:
            return self.wait_max
        return min(self.wait_max, grown)

    def backoff(self, retry: int, random: Callable[[], float]) -> float:
        """The wait before retry number ``retry``, with full jitter.

        Args:
            retry: 1 for the wait before the first retry, 2 before the second, ...
            random: A source of floats in ``[0, 1)`` (``random.random`` by default in clients).

        Returns:
            A uniformly random duration in ``[0, backoff_cap(retry)]``.
        """
        return min(1.0, max(0.0, random())) * self.backoff_cap(retry)

    def is_retry_safe(self, method: str, *, has_idempotency_key: bool) -> bool:
        """Whether a request may be sent again after it might have reached the server."""
        return has_idempotency_key or method.upper() in self.idempotent_methods

    @classmethod
    def from_extension(cls, extension: Mapping[str, Any]) -> RetryPolicy:
        """Build a policy from an ``x-apicore-retry`` mapping (shaped like ``x-speakeasy-retries``).

        Keys (all optional; durations in milliseconds, as in ``x-speakeasy-retries``)::

            strategy: backoff          # or "none" (no retries)
            maxAttempts: 3
            backoff:
              initialInterval: 100     # wait_initial
              maxInterval: 5000        # wait_max
              maxElapsedTime: 30000    # deadline
              exponent: 2              # wait_exp_base
            statusCodes: [408, 429, "5XX"]
            retryConnectionErrors: true
            retryAfterMax: 60000
            respectRetryAfter: true

        Args:
            extension: The decoded value of the extension.

        Returns:
            The policy.

        Raises:
            ConfigError: On an unknown key or a value of the wrong type or range.
        """
        return _policy_from_extension(cls, extension)


_TOP_KEYS = frozenset(
    {
        "strategy",
        "maxAttempts",
        "backoff",
        "statusCodes",
        "retryConnectionErrors",
        "retryAfterMax",
        "respectRetryAfter",
    }
)
_BACKOFF_KEYS = frozenset({"initialInterval", "maxInterval", "maxElapsedTime", "exponent"})


def _policy_from_extension(cls: type[RetryPolicy], ext: Mapping[str, Any]) -> RetryPolicy:
    if not isinstance(ext, Mapping):
        raise ConfigError(f"x-apicore-retry must be a mapping, got {type(ext).__name__}")
    unknown = set(ext) - _TOP_KEYS
    if unknown:
        raise ConfigError(
            f"x-apicore-retry has unknown keys {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}"
        )
    strategy = ext.get("strategy", "backoff")
    if strategy not in {"backoff", "none"}:
        raise ConfigError(f"x-apicore-retry strategy must be 'backoff' or 'none', got {strategy!r}")
    if strategy == "none":
        return cls.disabled()
    kwargs: dict[str, Any] = {}
    if "maxAttempts" in ext:
        kwargs["max_attempts"] = _number(ext, "maxAttempts", integer=True)
    backoff = ext.get("backoff", {})
    if not isinstance(backoff, Mapping):
        raise ConfigError("x-apicore-retry backoff must be a mapping")
    unknown = set(backoff) - _BACKOFF_KEYS
    if unknown:
        raise ConfigError(
            f"x-apicore-retry backoff has unknown keys {sorted(unknown)}; "
            f"allowed: {sorted(_BACKOFF_KEYS)}"
        )
    for key, name in (
        ("initialInterval", "wait_initial"),
        ("maxInterval", "wait_max"),
        ("maxElapsedTime", "deadline"),
    ):
        if key in backoff:
            kwargs[name] = _number(backoff, key) / 1000.0
    if "exponent" in backoff:
        kwargs["wait_exp_base"] = _number(backoff, "exponent")
    if "retryAfterMax" in ext:
        kwargs["retry_after_max"] = _number(ext, "retryAfterMax") / 1000.0
    for key, name in (
        ("retryConnectionErrors", "retry_connect_errors"),
        ("respectRetryAfter", "respect_retry_after"),
    ):
        if key in ext:
            if not isinstance(ext[key], bool):
                raise ConfigError(f"x-apicore-retry {key} must be true or false")
            kwargs[name] = ext[key]
    if "statusCodes" in ext:
        kwargs["retry_statuses"] = _status_codes(ext["statusCodes"])
    if "wait_initial" in kwargs and "wait_max" not in kwargs:
        kwargs["wait_max"] = max(kwargs["wait_initial"], _DEFAULT_WAIT_MAX)
    return cls(**kwargs)


def _number(where: Mapping[str, Any], key: str, *, integer: bool = False) -> Any:
    value = where[key]
    wanted = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, wanted) or value < 0:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise ConfigError(f"x-apicore-retry {key} must be {kind}, got {value!r}")
    return value


def _status_codes(values: object) -> frozenset[int]:
    if not isinstance(values, Iterable) or isinstance(values, str | bytes):
        raise ConfigError("x-apicore-retry statusCodes must be a list of codes or ranges like 5XX")
    codes: set[int] = set()
    for value in values:
        text = str(value).strip().upper()
        if len(text) == 3 and text[0] in "12345" and text[1:] == "XX":
            start = int(text[0]) * 100
            codes.update(range(start, start + 100))
        elif text.isdigit() and 100 <= int(text) <= 599:
            codes.add(int(text))
        else:
            raise ConfigError(
                f"x-apicore-retry statusCodes entry {value!r} is neither a status (503) "
                "nor a range (5XX)"
            )
    return frozenset(codes)
