"""pymacaron-core client options mapped onto apicore-client's policy and timeouts (pure).

:class:`~pymacaron_core.ApiClient` pops a call's magic keyword arguments with
:func:`pop_call_options` and calls a :meth:`~apicore_client.SpecClient.with_options` view.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from typing import Any

from apicore_client import ConfigError, RetryPolicy, Timeouts
from apicore_specbind import Operation

LEGACY_KWARGS = ("max_attempts", "read_timeout", "connect_timeout", "request_headers")
"""The magic keyword arguments of a pymacaron-core client call."""

LEGACY_PARAMETERS = tuple(
    inspect.Parameter(
        name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=f"{kind} | None"
    )
    for name, kind in zip(
        LEGACY_KWARGS, ("int", "float", "float", "Mapping[str, str]"), strict=True
    )
)
"""The magic keyword arguments as the parameters a client method's signature shows."""

LEGACY_DEFAULT_TIMEOUT = 10.0
"""pymacaron-core's default per-API timeout (seconds)."""


@dataclass(frozen=True, slots=True)
class LegacyCallOptions:
    """What a pymacaron-core call's magic keyword arguments mean for apicore-client.

    Attributes:
        retry: The policy: ``max_attempts`` total attempts, with apicore's retry rules.
        timeouts: ``connect_timeout`` and ``read_timeout`` (write follows read, pool follows
            connect).
        headers: The ``request_headers`` to send.
    """

    retry: RetryPolicy
    timeouts: Timeouts
    headers: Mapping[str, str] = field(default_factory=dict)


def legacy_call_options(
    *,
    max_attempts: int = 3,
    read_timeout: float | None = None,
    connect_timeout: float | None = None,
    request_headers: Mapping[str, str] | None = None,
    timeout: float = LEGACY_DEFAULT_TIMEOUT,
    base: RetryPolicy | None = None,
) -> LegacyCallOptions:
    """Map pymacaron-core's client keyword arguments to a policy, timeouts and headers.

    The legacy retry loop retried GET *and PATCH* on read timeouts, with no wait, and never
    retried on a status. That PATCH retry was a bug (PATCH is not idempotent) and is not
    kept: the returned policy applies apicore's rules (connect errors always; read timeouts
    and 408/429/5xx for idempotent methods or with an ``Idempotency-Key``), with backoff.

    Args:
        max_attempts: Total attempts (legacy default 3; must be >= 1).
        read_timeout: Read timeout in seconds (legacy default: ``timeout``).
        connect_timeout: Connect timeout in seconds (legacy default: ``timeout``).
        request_headers: Extra headers for the call.
        timeout: The API's default timeout (``ApiPool.add(..., timeout=...)``, default 10).
        base: The policy to start from (its other settings are kept).

    Returns:
        The options. The deadline is set so that every attempt can use its full timeouts
        (pymacaron-core had no total deadline).

    Raises:
        ConfigError: ``max_attempts`` below 1 or a non-positive timeout.
    """
    if type(max_attempts) is not int or max_attempts < 1:
        raise ConfigError(f"max_attempts must be an int >= 1, got {max_attempts!r}")
    connect = timeout if connect_timeout is None else connect_timeout
    read = timeout if read_timeout is None else read_timeout
    timeouts = Timeouts(connect=connect, read=read, write=read, pool=connect)
    policy = RetryPolicy() if base is None else base
    deadline = max_attempts * (connect + read) + (max_attempts - 1) * policy.wait_max
    return LegacyCallOptions(
        retry=replace(policy, max_attempts=max_attempts, deadline=deadline),
        timeouts=timeouts,
        headers=dict(request_headers or {}),
    )


def pop_legacy_kwargs(
    kwargs: MutableMapping[str, Any],
    *,
    timeout: float = LEGACY_DEFAULT_TIMEOUT,
    base: RetryPolicy | None = None,
) -> LegacyCallOptions:
    """Remove pymacaron-core's magic keyword arguments from ``kwargs`` and map them.

    What is left in ``kwargs`` is the operation's own parameters, as in pymacaron-core
    where the magic kwargs were removed before mapping parameters. A magic kwarg set to
    ``None`` counts as not given.

    Args:
        kwargs: A call's keyword arguments (modified in place).
        timeout: The API's default timeout.
        base: The policy to start from; its ``max_attempts`` is the default.

    Returns:
        The options (see :func:`legacy_call_options`).
    """
    found = {name: kwargs.pop(name) for name in LEGACY_KWARGS if name in kwargs}
    given = {name: value for name, value in found.items() if value is not None}
    if base is not None:
        given.setdefault("max_attempts", base.max_attempts)
    return legacy_call_options(timeout=timeout, base=base, **given)


def pop_call_options(
    op: Operation, kwargs: MutableMapping[str, Any], *, retry: RetryPolicy, timeouts: Timeouts
) -> LegacyCallOptions | None:
    """Pop the magic keyword arguments of one call of ``op`` and map them.

    An operation parameter (or body) of the same name keeps its meaning and is left in
    ``kwargs``. ``request_headers`` alone keep ``retry`` and ``timeouts``; the other magic
    arguments start from them (an unset timeout keeps its current value).

    Args:
        op: The operation called.
        kwargs: The call's keyword arguments (modified in place).
        retry: The policy the call would otherwise use.
        timeouts: The timeouts the call would otherwise use.

    Returns:
        The options, or ``None`` when no magic argument was given (or all were ``None``).
    """
    keep = {p.python_name for p in op.parameters} | {p.name for p in op.parameters}
    if op.request_body is not None:
        keep.add(op.request_body.name)
    given = {n: kwargs.pop(n) for n in LEGACY_KWARGS if n in kwargs and n not in keep}
    if all(value is None for value in given.values()):
        return None
    if all(given.get(n) is None for n in LEGACY_KWARGS[:3]):  # request_headers alone
        return LegacyCallOptions(retry, timeouts, dict(given["request_headers"]))
    for name, value in (("read_timeout", timeouts.read), ("connect_timeout", timeouts.connect)):
        if given.get(name) is None and value is not None:
            given[name] = value
    return pop_legacy_kwargs(given, timeout=LEGACY_DEFAULT_TIMEOUT, base=retry)
