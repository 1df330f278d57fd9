"""Extension points of apicore-client, for code that builds on it rather than calling it.

- :class:`RetryTransport` / :class:`AsyncRetryTransport`: the retries as httpx transports
  wrapping any other (``httpx.Client(transport=RetryTransport(httpx.HTTPTransport()))``).
- :func:`classify_error`: how an httpx error is sorted (``"connect"``, ``"sent"``, ``"fatal"``).
- :func:`parse_problem`: the RFC 9457 problem document of a response.
- :func:`child_traceparent`: the ``traceparent`` of an outgoing call.
- The names the clients read and write: :data:`IDEMPOTENCY_KEY_HEADER`,
  :data:`HISTORY_EXTENSION`, :data:`RETRY_EXTENSION`, :data:`RESERVED_NAMES`,
  :data:`IDEMPOTENT_METHODS`, :data:`RETRY_STATUSES`.

They were importable from ``apicore_client`` itself; that still works, with a
``DeprecationWarning``.
"""

from apicore_client._binding import RESERVED_NAMES, RETRY_EXTENSION
from apicore_client._client import IDEMPOTENCY_KEY_HEADER
from apicore_client._history import HISTORY_EXTENSION
from apicore_client._policy import IDEMPOTENT_METHODS, RETRY_STATUSES
from apicore_client._problem import parse_problem
from apicore_client._retry import classify_error
from apicore_client._transport import AsyncRetryTransport, RetryTransport
from apicore_introspect import child_traceparent

__all__ = [
    "AsyncRetryTransport",
    "HISTORY_EXTENSION",
    "IDEMPOTENCY_KEY_HEADER",
    "IDEMPOTENT_METHODS",
    "RESERVED_NAMES",
    "RETRY_EXTENSION",
    "RETRY_STATUSES",
    "RetryTransport",
    "child_traceparent",
    "classify_error",
    "parse_problem",
]
