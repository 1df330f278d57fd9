"""What a spec-driven client needs from a spec, worked out once (pure, no I/O).

For every operation: its Python name, signature, docstring and ``Accept`` header (apicore-
specbind's, the docstring with the client's errors added) and its retry policy
(``x-apicore-retry``); for the spec, the base URL (the spec's server URL, by the client's
fetch-origin policy).
"""

from __future__ import annotations

import inspect
import re
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apicore_client._errors import ConfigError
from apicore_client._policy import RetryPolicy
from apicore_specbind import Operation, ServerURLError, Spec

RETRY_EXTENSION = "x-apicore-retry"
"""The vendor extension (operation or document root) that sets an operation's retry policy."""

RESERVED_NAMES = frozenset(
    {
        "aclose",
        "base_url",
        "call",
        "client",
        "close",
        "operations",
        "request",
        "spec",
        "with_options",
    }
)
"""Attributes of spec-driven clients; operations with these names are in ``operations`` only."""

_RAISES = """

Raises:
    ArgumentError: Arguments that do not fit the operation (nothing is sent).
    ArgumentValidationError: Values that do not fit the spec (nothing is sent).
    HTTPStatusError: A 4xx/5xx answer (its problem document is parsed).
    ResponseValidationError: An answer that does not fit the spec."""


@dataclass(frozen=True, slots=True)
class BoundOperation:
    """One operation as a client method.

    Attributes:
        name: The method name (``x-bind-client``, else specbind's ``client_name``).
        operation: The specbind operation.
        retry: The operation's own policy (``x-apicore-retry`` on it), or ``None``.
        signature: The method's signature, ``self`` excluded.
        doc: The method's docstring.
        accept: The ``Accept`` header to send, or ``None``.
    """

    name: str
    operation: Operation
    retry: RetryPolicy | None
    signature: inspect.Signature
    doc: str
    accept: str | None


def retry_extension(where: Mapping[str, Any], label: str) -> RetryPolicy | None:
    """Read ``x-apicore-retry`` from an operation or a document, if present.

    Raises:
        ConfigError: The extension is invalid; the message says where it is.
    """
    if RETRY_EXTENSION not in where:
        return None
    try:
        return RetryPolicy.from_extension(where[RETRY_EXTENSION])
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc}") from exc


def bind_operations(
    spec: Spec, *, extra: Sequence[inspect.Parameter] = ()
) -> tuple[BoundOperation, ...]:
    """Work out one :class:`BoundOperation` per operation of ``spec``, in spec order.

    ``extra`` keyword-only parameters are added to every signature that has no parameter of
    their name (pymacaron-core's magic keyword arguments).
    """
    bound = []
    for name, op in spec.operations_by_client_name.items():
        label = f"{op.method} {op.path} ({name})"
        bound.append(
            BoundOperation(
                name=name,
                operation=op,
                retry=retry_extension(op.extensions, label),
                signature=op.python_signature(extra=extra),
                doc=op.docstring + _RAISES,
                accept=op.accept_header,
            )
        )
    return tuple(bound)


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def resolve_base_url(
    spec: Spec,
    base_url: str | None,
    *,
    document_url: str | None = None,
    in_process: bool = False,
) -> str:
    """The URL operation paths are appended to.

    Args:
        spec: The spec.
        base_url: Given by the caller: it replaces the spec's server URL entirely (include
            the base path, e.g. ``http://127.0.0.1:8000/v1``).
        document_url: Where the spec was fetched from; relative server URLs (and Swagger 2.0
            specs without ``host``) are resolved against it. A server on another origin is
            refused: a fetched document must not send the client's headers (credentials)
            elsewhere unless the caller says so with ``base_url``.
        in_process: The document came from an in-process app: only the server URL's path
            counts (every request goes to the app).

    Returns:
        The base URL without a trailing slash.

    Raises:
        ConfigError: No absolute URL can be worked out (the spec's server URL is missing,
            relative or broken), or a fetched document names a server on another origin:
            pass ``base_url``.
    """
    if base_url is not None:
        return str(base_url).rstrip("/")
    try:
        found = spec.server_url
    except ServerURLError as exc:
        raise ConfigError(f"{exc}; pass base_url=") from exc
    if document_url is not None:
        if in_process and found:
            found = urllib.parse.urlsplit(found).path
        found = urllib.parse.urljoin(document_url, found or "/")
        if _origin(found) != _origin(document_url):
            raise ConfigError(
                f"the spec served at {document_url} sends requests to another origin "
                f"({found}); pass base_url={found.rstrip('/')!r} if you trust it"
            )
    if not found or not re.match(r"^https?://", found, re.IGNORECASE):
        where = f"{found!r} is relative" if found else "the spec names no server"
        raise ConfigError(
            f"cannot tell where to send requests: {where}; pass base_url='http://host:port/prefix'"
        )
    return found.rstrip("/")
