"""``ApiPool.<name>.client``: apicore-client's spec-driven client with legacy call semantics.

Requests, retries, timeouts and call-id forwarding are apicore-client's; this module only
works out where to send (legacy ``host``/``port``/``proto``), maps the API's ``timeout`` onto
the legacy defaults, applies ``x-decorate-request``, and hands client errors to the API's
``error_callback`` (whose return value the caller gets, as in pymacaron-core).
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import httpx

from apicore_client import Client, ClientError, RetryPolicy, SpecClient
from apicore_specbind import Spec
from pymacaron_core._legacy import legacy_call_options, pop_call_options
from pymacaron_core.exceptions import PyMacaronCoreException
from pymacaron_core.utils import import_named


def legacy_base_url(
    spec: Spec,
    *,
    host: str | None = None,
    port: int | None = None,
    proto: str | None = None,
    base_path: str = "",
) -> str:
    """Where a remote client sends requests, as pymacaron-core worked it out (pure).

    ``https`` wins when the spec lists both schemes. The port is, in this order: the ``port``
    argument, the port written in the host (``host: 127.0.0.1:5055`` in the spec, or the
    ``host`` argument), the scheme's default (80 or 443). The spec's ``basePath`` is not
    added (legacy mounted paths verbatim) unless ``base_path`` is.

    Raises:
        PyMacaronCoreException: neither the spec nor ``host`` names a host.
    """
    host = host or spec.host
    if not host:
        raise PyMacaronCoreException(
            "Swagger file has no 'host' entry: set it in the spec or pass "
            "ApiPool.add(..., host='name', port=80)"
        )
    if proto is None:
        schemes = spec.schemes
        proto = "https" if "https" in schemes or (schemes and "http" not in schemes) else "http"
    name, own_port = split_host(host)
    if port is None:
        port = own_port if own_port is not None else (443 if proto == "https" else 80)
    return f"{proto}://{name}:{port}{base_path.rstrip('/')}"


def split_host(host: str) -> tuple[str, int | None]:
    """Split ``name[:port]`` (``[v6]:port`` for IPv6) into the name and the port, if any.

    Raises:
        PyMacaronCoreException: the host is not a host name with an optional numeric port.
    """
    invalid = PyMacaronCoreException(
        f"invalid host {host!r}: use 'name' or 'name:port' (no scheme, no path)"
    )
    try:
        parts = urllib.parse.urlsplit(f"//{host}")
        port = parts.port
    except ValueError:
        raise invalid from None
    if not parts.hostname or parts.path or parts.query or parts.fragment or parts.username:
        raise invalid
    if parts.netloc.endswith(":"):  # an empty port
        raise invalid
    return (parts.netloc if port is None else parts.netloc.rsplit(":", 1)[0]), port


class ApiClient:
    """The client of one API: ``api.client.<x-bind-client>(*body, **params)``.

    Each method accepts the operation's parameters as keyword arguments (path, query,
    header), the body as the single positional argument (a model or a dict), and the legacy
    ``max_attempts``, ``read_timeout``, ``connect_timeout`` and ``request_headers``. It returns
    the decoded body (models of ``api.model``). A failure (an error status, a timeout, bad
    arguments) is passed to the API's ``error_callback``, whose return value is returned;
    the default callback re-raises the apicore-client exception.

    Attributes:
        spec_client: The underlying :class:`apicore_client.SpecClient`.
    """

    def __init__(
        self,
        spec_client: SpecClient,
        spec: Spec,
        *,
        error_callback: Callable[[], Callable[[Exception], Any]],
    ) -> None:
        self.spec_client = spec_client
        self._spec = spec
        self._error_callback = error_callback

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        operation = self.spec_client.operations.get(name)
        if operation is None:
            known = ", ".join(self.spec_client.operations) or "none"
            raise AttributeError(f"no client method {name!r}; the spec binds: {known}")

        op = self._spec.operations_by_client_name[name]
        ext = op.extensions.get("x-apicore-retry")
        client = self.spec_client.client
        policy = client.retry if ext is None else RetryPolicy.from_extension(ext)

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                legacy = pop_call_options(op, kwargs, retry=policy, timeouts=client.timeouts)
                if legacy is None:
                    return operation(*args, **kwargs)
                view = self.spec_client.with_options(
                    retry=legacy.retry, timeouts=legacy.timeouts, headers=legacy.headers
                )
                return view.call(name, *args, **kwargs)
            except ClientError as exc:
                return self._error_callback()(exc)

        call.__name__ = call.__qualname__ = name
        call.__doc__ = operation.__doc__
        method: Callable[..., Any] = call
        if op.decorate_request:
            method = import_named(op.decorate_request, "x-decorate-request decorator")(call)
        self.__dict__[name] = method  # found there from now on: no second __getattr__
        return method

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self.spec_client.operations})

    def close(self) -> None:
        """Close the connection pool."""
        self.spec_client.close()

    def __repr__(self) -> str:
        return f"<ApiClient {self.spec_client.base_url} ({len(self.spec_client.operations)} ops)>"


def make_client(
    spec: Spec,
    *,
    base_url: str,
    timeout: float,
    verify_ssl: bool,
    error_callback: Callable[[], Callable[[Exception], Any]],
    transport: httpx.BaseTransport | None = None,
) -> ApiClient:
    """Build an :class:`ApiClient` with pymacaron-core's defaults.

    Three attempts and ``timeout`` seconds for connect and read (the legacy defaults),
    apicore-client's retry rules (no retry of non-idempotent requests after a timeout), and
    the current call id / call path forwarded on every request.
    """
    defaults = legacy_call_options(timeout=timeout)
    http_client = None
    if not verify_ssl and transport is None:
        http_client = httpx.Client(verify=False)  # the caller asked for it (legacy verify_ssl)
    spec_client = Client.from_spec(
        spec,
        base_url=base_url,
        transport=transport,
        http_client=http_client,
        retry=defaults.retry,
        timeouts=defaults.timeouts,
        propagate=True,
    )
    return ApiClient(spec_client, spec, error_callback=error_callback)
