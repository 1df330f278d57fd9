"""apicore-client: an HTTP client (sync and async, over httpx) that retries safely.

Connect errors are always retried; timeouts, resets and 408/429/500/502/503/504 only for
idempotent methods or requests carrying an ``Idempotency-Key``; capped exponential backoff
with full jitter, ``Retry-After`` honoured up to a cap, a total deadline, and an attempt
history on every result and error. Test helpers live in :mod:`apicore_client.testing`; the
extension points (the retry transports, header and extension names, parsers) in
:mod:`apicore_client.extending`. Names load on first use: httpx loads with the first client
name, apicore-specbind with the first spec client name. The call context (request id, trace
context) is apicore-introspect's, which servers set and these clients forward.
"""

import importlib as _importlib
import typing as _typing
import warnings as _warnings

from apicore_client.__about__ import __version__
from apicore_introspect import (
    CallContext,
    call_context,
    current_call_context,
    reset_call_context,
    set_call_context,
)

if _typing.TYPE_CHECKING:
    from apicore_client._client import AsyncClient, Client, RequestOptions
    from apicore_client._clock import Clock, SystemClock
    from apicore_client._errors import (
        ArgumentError,
        ArgumentValidationError,
        ClientError,
        ConfigError,
        ConnectError,
        DeadlineExceeded,
        HTTPStatusError,
        RequestTimeout,
        ResponseValidationError,
        RetriesExhausted,
        TransportError,
    )
    from apicore_client._factories import SpecClientOptions, SpecSource
    from apicore_client._history import Attempt, attempts_of
    from apicore_client._policy import RetryPolicy, Timeouts, parse_retry_after
    from apicore_client._problem import Problem
    from apicore_client._specclient import AsyncSpecClient, SpecClient

# Everything but the call context (apicore-introspect's) loads on first use: httpx with the
# first client name, apicore-specbind (pyyaml, jsonschema) with the first spec client name.
_LAZY = {
    name: module
    for module, names in (
        ("_binding", "RESERVED_NAMES RETRY_EXTENSION"),
        ("_client", "IDEMPOTENCY_KEY_HEADER AsyncClient Client RequestOptions"),
        ("_clock", "Clock SystemClock"),
        (
            "_errors",
            "ArgumentError ArgumentValidationError ClientError ConfigError ConnectError"
            " DeadlineExceeded HTTPStatusError RequestTimeout ResponseValidationError"
            " RetriesExhausted TransportError",
        ),
        ("_factories", "SpecClientOptions SpecSource"),
        ("_history", "HISTORY_EXTENSION Attempt attempts_of"),
        ("_policy", "IDEMPOTENT_METHODS RETRY_STATUSES RetryPolicy Timeouts parse_retry_after"),
        ("_problem", "Problem parse_problem"),
        ("apicore_introspect", "child_traceparent"),
        ("_retry", "classify_error"),
        ("_specclient", "AsyncSpecClient SpecClient"),
        ("_transport", "AsyncRetryTransport RetryTransport"),
    )
    for name in names.split()
}


# pymacaron-core's client options, moved there (deprecated here, forwarded while it is installed)
_MOVED = ("LEGACY_KWARGS", "LegacyCallOptions", "legacy_call_options", "pop_legacy_kwargs")
# extension points, moved to apicore_client.extending (deprecated here, still served)
_EXTENDING = frozenset(
    "AsyncRetryTransport HISTORY_EXTENSION IDEMPOTENCY_KEY_HEADER IDEMPOTENT_METHODS RESERVED_NAMES"
    " RETRY_EXTENSION RETRY_STATUSES RetryTransport child_traceparent classify_error"
    " parse_problem".split()
)


def __getattr__(name: str) -> object:
    if name in _MOVED:
        _warnings.warn(
            f"apicore_client.{name} is deprecated: it moved to pymacaron-core "
            f"(from pymacaron_core import {name})",
            DeprecationWarning,
            stacklevel=2,
        )
        try:
            return getattr(_importlib.import_module("pymacaron_core"), name)
        except ImportError as exc:
            raise AttributeError(
                f"apicore_client.{name} moved to pymacaron-core: pip install pymacaron-core"
            ) from exc
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'apicore_client' has no attribute {name!r}")
    if not module.startswith("apicore_"):
        module = f"apicore_client.{module}"
    value = getattr(_importlib.import_module(module), name)
    if name in _EXTENDING:  # not cached: every use warns
        _warnings.warn(
            f"apicore_client.{name} is deprecated: import it from apicore_client.extending",
            DeprecationWarning,
            stacklevel=2,
        )
    else:
        globals()[name] = value
    return value


__all__ = [
    "ArgumentError",
    "ArgumentValidationError",
    "AsyncClient",
    "AsyncSpecClient",
    "Attempt",
    "CallContext",
    "Client",
    "ClientError",
    "Clock",
    "ConfigError",
    "ConnectError",
    "DeadlineExceeded",
    "HTTPStatusError",
    "Problem",
    "RequestOptions",
    "RequestTimeout",
    "ResponseValidationError",
    "RetriesExhausted",
    "RetryPolicy",
    "SpecClient",
    "SpecClientOptions",
    "SpecSource",
    "SystemClock",
    "Timeouts",
    "TransportError",
    "__version__",
    "attempts_of",
    "call_context",
    "current_call_context",
    "parse_retry_after",
    "reset_call_context",
    "set_call_context",
]
