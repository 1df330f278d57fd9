"""The retrying clients: the I/O edge over httpx (the decisions live in ``_retry``)."""

from __future__ import annotations

import functools
import os
import random as _random
import ssl
import uuid
from collections.abc import Awaitable, Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

import httpx

from apicore_client._clock import Clock, SystemClock
from apicore_client._errors import ConfigError
from apicore_client._policy import RetryPolicy, Timeouts
from apicore_client._propagation import current_call_context
from apicore_client._retry import CallState

if TYPE_CHECKING:
    from apicore_client._factories import SpecClientOptions, SpecSource
    from apicore_client._specclient import AsyncSpecClient, SpecClient

IDEMPOTENCY_KEY_HEADER = "Idempotency-Key"

Primitive = str | int | float | bool | None
Params = (
    httpx.QueryParams
    | Mapping[str, Primitive | list[Primitive] | tuple[Primitive, ...]]
    | list[tuple[str, Primitive]]
    | str
    | None
)
Headers = httpx.Headers | Mapping[str, str] | None

_SYSTEM_CLOCK = SystemClock()
_DEFAULT_POLICY = RetryPolicy()


class RequestOptions(TypedDict, total=False):
    """Keyword options of :meth:`Client.request` and the per-method shortcuts.

    Attributes:
        params: Query parameters.
        headers: Headers of this request (over the client's default headers).
        content: Raw body (``bytes`` or ``str``); bodies must be replayable to be retried.
        json: A JSON-serialisable body.
        data: Form fields.
        files: Multipart files, as httpx accepts them.
        idempotency_key: A key to send as ``Idempotency-Key`` (the same on every attempt),
            ``True`` to generate one, ``False`` to send none even if the client adds them.
        retry: A policy for this call only.
        timeouts: Timeouts for this call only.
    """

    params: Params
    headers: Headers
    content: str | bytes | None
    json: Any
    data: Mapping[str, Any] | None
    files: Any
    idempotency_key: str | bool | None
    retry: RetryPolicy | None
    timeouts: Timeouts | float | None


def shared_ssl_context() -> ssl.SSLContext:
    """The TLS context of the clients we create, made once per process.

    It is what httpx would build for each client (certifi's CA bundle, or ``SSL_CERT_FILE`` /
    ``SSL_CERT_DIR`` when set), whose loading takes tens of milliseconds: sharing it makes a
    new client cheap. A change of those variables gets a new context.
    """
    return _ssl_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _ssl_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()


class _Base:
    """Configuration and request building shared by both clients."""

    _http: httpx.Client | httpx.AsyncClient
    _owns: bool

    def _configure(
        self,
        *,
        retry: RetryPolicy | None,
        timeouts: Timeouts | float | None,
        idempotency_keys: bool,
        raise_for_status: bool,
        propagate: bool,
        clock: Clock | None,
        random: Callable[[], float] | None,
    ) -> None:
        self.retry = _DEFAULT_POLICY if retry is None else retry
        self._idempotency_keys = idempotency_keys
        self._raise_for_status = raise_for_status
        self._propagate = propagate
        self._clock: Clock = _SYSTEM_CLOCK if clock is None else clock
        self._random: Callable[[], float] = _random.random if random is None else random
        self._timeout_arg: httpx.Timeout | Any = httpx.USE_CLIENT_DEFAULT
        if timeouts is None:
            self.timeouts = Timeouts(**self._http.timeout.as_dict())
        else:
            self.timeouts = Timeouts.of(timeouts)
            if not self._owns:
                # an injected httpx client keeps its own default: override it per request
                self._timeout_arg = httpx.Timeout(**self.timeouts.as_dict())

    def _build(self, method: str, url: httpx.URL | str, options: RequestOptions) -> CallState:
        timeouts = options.get("timeouts")
        per_call = None if timeouts is None else Timeouts.of(timeouts)
        request = self._http.build_request(
            method,
            url,
            params=options.get("params"),
            headers=options.get("headers"),
            content=options.get("content"),
            json=options.get("json"),
            data=options.get("data"),
            files=options.get("files"),
            timeout=self._timeout_arg if per_call is None else httpx.Timeout(**per_call.as_dict()),
        )
        key = options.get("idempotency_key")
        if isinstance(key, str):
            request.headers[IDEMPOTENCY_KEY_HEADER] = key
        elif key or (
            key is None
            and self._idempotency_keys
            and request.method not in (options.get("retry") or self.retry).idempotent_methods
        ):
            if IDEMPOTENCY_KEY_HEADER not in request.headers:
                request.headers[IDEMPOTENCY_KEY_HEADER] = str(uuid.uuid4())
        return self._state(request, options.get("retry"), per_call)

    def _state(
        self, request: httpx.Request, retry: RetryPolicy | None, timeouts: Timeouts | None
    ) -> CallState:
        if self._propagate:
            context = current_call_context()
            if context is not None:
                for name, value in context.outgoing_headers().items():
                    if name not in request.headers:
                        request.headers[name] = value
        return CallState(
            request,
            policy=self.retry if retry is None else retry,
            timeouts=self.timeouts if timeouts is None else timeouts,
            clock=self._clock,
            random=self._random,
            raise_for_status=self._raise_for_status,
        )


def _check_injection(
    http_client: object, *, base_url: object, headers: object, transport: object, limits: object
) -> None:
    if http_client is not None and (base_url or headers or transport or limits):
        raise ConfigError(
            "pass base_url, headers, transport and limits to the httpx client you inject, "
            "not to apicore's client as well"
        )


class Client(_Base):
    """A synchronous HTTP client that retries safely (see :class:`RetryPolicy`).

    It wraps one :class:`httpx.Client` (connection pooling, HTTP/1.1 keep-alive) and returns
    plain :class:`httpx.Response` objects; the attempt history of a successful call is in
    ``response.extensions["apicore.attempts"]`` (read it with :func:`attempts_of`).

    Args:
        base_url: Prefix of relative request URLs.
        headers: Default headers of every request.
        retry: The retry policy (default ``RetryPolicy()``: 3 attempts, 30 s deadline).
        timeouts: Per-attempt timeouts: a :class:`Timeouts`, or one number for all.
        idempotency_keys: Add a fresh ``Idempotency-Key`` (kept across the call's attempts)
            to requests whose method is not idempotent, so they become retry-safe. Only turn
            this on for servers that honour the header.
        raise_for_status: Raise :class:`HTTPStatusError` / :class:`RetriesExhausted` for
            final 4xx/5xx responses; when off, they are returned.
        propagate: Add the current :class:`CallContext` headers to requests that lack them.
        transport: An httpx transport (e.g. ``apicore_client.testing.FaultTransport``).
        limits: Connection pool limits.
        http_client: An httpx client to use instead of creating one (not closed by us).
        clock: Where time is read and slept (``apicore_client.testing.FakeClock`` in tests).
        random: A ``[0, 1)`` source for backoff jitter.
    """

    _http: httpx.Client

    def __init__(
        self,
        base_url: httpx.URL | str = "",
        *,
        headers: Headers = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | float | None = None,
        idempotency_keys: bool = False,
        raise_for_status: bool = True,
        propagate: bool = True,
        transport: httpx.BaseTransport | None = None,
        limits: httpx.Limits | None = None,
        http_client: httpx.Client | None = None,
        clock: Clock | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        _check_injection(
            http_client, base_url=base_url, headers=headers, transport=transport, limits=limits
        )
        self._owns = http_client is None
        if http_client is None:
            http_client = httpx.Client(
                base_url=base_url,
                headers=headers,
                transport=transport,
                limits=httpx.Limits() if limits is None else limits,
                timeout=httpx.Timeout(**Timeouts.of(timeouts or Timeouts()).as_dict()),
                verify=shared_ssl_context() if transport is None else True,
            )
        self._http = http_client
        self._configure(
            retry=retry,
            timeouts=timeouts,
            idempotency_keys=idempotency_keys,
            raise_for_status=raise_for_status,
            propagate=propagate,
            clock=clock,
            random=random,
        )

    @classmethod
    def from_spec(
        cls,
        source: SpecSource,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        **options: Unpack[SpecClientOptions],
    ) -> SpecClient:
        """Build a client with one method per operation of a Swagger 2.0 / OpenAPI 3.x spec.

        ``api = Client.from_spec("petstore.yaml")`` then ``api.get_pet(pet_id=1)``: arguments
        are validated and placed by the spec, the request is retried by the operation's
        policy, and the body is decoded into the spec's model classes.

        Args:
            source: A path, YAML/JSON text, a parsed mapping, an
                :class:`apicore_specbind.Spec`, or an ``http(s)://`` URL (see :meth:`from_url`).
            base_url: Where to send requests; it replaces the spec's server URL (Swagger 2.0
                ``schemes``/``host``/``basePath``, OpenAPI 3 ``servers[0]``) entirely, so
                include the base path.
            transport: An httpx transport (e.g. ``apicore_client.testing.FaultTransport``).
            http_client: An httpx client to send with (not closed by ``close()``).
            **options: See :class:`~apicore_client.SpecClientOptions`: ``headers``,
                ``retry``, ``timeouts``, ``idempotency_keys``, ``propagate``, ``limits``,
                ``clock``, ``random``, ``validate_responses``, ``legacy_kwargs``,
                ``spec_options``.

        Returns:
            A :class:`~apicore_client.SpecClient` (close it, or use it in a ``with`` block).

        Raises:
            ConfigError: The spec cannot be loaded, names no absolute server URL and no
                ``base_url`` was given, or has an invalid ``x-apicore-retry``.
        """
        from apicore_client._factories import sync_from_spec

        return sync_from_spec(
            cls,
            source,
            base_url=base_url,
            transport=transport,
            http_client=http_client,
            options=options,
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        base_url: str | None = None,
        transport: httpx.BaseTransport | None = None,
        http_client: httpx.Client | None = None,
        **options: Unpack[SpecClientOptions],
    ) -> SpecClient:
        """Fetch a spec (e.g. an app's ``/openapi.json``) and build a client for it.

        The document is fetched with this client's retries and JSON or YAML accepted.
        Relative server URLs (and specs naming none, as our apps serve them) are resolved
        against ``url``. Arguments as for :meth:`from_spec`.
        """
        from apicore_client._factories import sync_from_url

        return sync_from_url(
            cls,
            url,
            base_url=base_url,
            transport=transport,
            http_client=http_client,
            options=options,
        )

    @classmethod
    def from_app(
        cls,
        app: Any,
        *,
        spec_path: str = "/openapi.json",
        base_url: str | None = None,
        **options: Unpack[SpecClientOptions],
    ) -> SpecClient:
        """Build a client for an in-process WSGI app from the spec it serves.

        Requests go to ``app`` through :class:`httpx.WSGITransport` (nothing touches the
        network), so this suits tests. For ASGI apps use ``await AsyncClient.from_app(app)``.

        Args:
            app: A WSGI callable (Flask, a symmetric app, a hand-written ``app(environ,
                start_response)``).
            spec_path: Where the app serves its spec.
            base_url: As for :meth:`from_spec` (default: the app's server URL, else its root).
            **options: As for :meth:`from_spec`.
        """
        from apicore_client._factories import APP_ORIGIN, sync_from_url, wsgi_transport

        return sync_from_url(
            cls,
            APP_ORIGIN + spec_path,
            base_url=base_url,
            transport=wsgi_transport(app),
            http_client=None,
            options=options,
            in_process=True,
        )

    @property
    def http_client(self) -> httpx.Client:
        """The underlying :class:`httpx.Client`."""
        return self._http

    def request(
        self, method: str, url: httpx.URL | str, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        """Send a request, retrying as the policy allows.

        This is the call a spec-driven layer makes: a method, a path (relative to
        ``base_url``), and params/headers/body in ``options``.

        Args:
            method: The HTTP method.
            url: An absolute URL, or a path relative to ``base_url``.
            **options: See :class:`RequestOptions`.

        Returns:
            The final response (body read), with its attempt history.

        Raises:
            HTTPStatusError: A 4xx/5xx response that is not retried.
            RetriesExhausted: Every attempt failed with a retryable outcome.
            DeadlineExceeded: The deadline left no time for another attempt or wait.
            TransportError: A network failure that is not retried.
        """
        return self._run(self._build(method, url, options))

    def send(self, request: httpx.Request, *, retry: RetryPolicy | None = None) -> httpx.Response:
        """Send a request built with ``client.http_client.build_request(...)``, with retries."""
        return self._run(self._state(request, retry, None))

    def _run(
        self,
        state: CallState,
        reader: Callable[[httpx.Response], httpx.Response] | None = None,
    ) -> httpx.Response:
        request = state.request
        send = self._http.send
        while True:
            timeout = state.begin()
            if timeout is not None:
                request.extensions["timeout"] = timeout
            try:
                response = send(request, stream=reader is not None)
                if reader is not None:
                    response = reader(response)
            except httpx.HTTPError as exc:
                wait = state.on_error(exc)
            else:
                decision = state.on_response(response)
                if decision is None:
                    return response
                response.close()
                wait = decision
            if wait > 0:
                self._clock.sleep(wait)

    def _fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str],
        reader: Callable[[httpx.Response], httpx.Response],
    ) -> httpx.Response:
        """GET with retries, the body read by ``reader`` from the stream (a bounded read)."""
        request = self._http.build_request("GET", url, headers=headers)
        return self._run(self._state(request, None, None), reader)

    def get(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a GET request (see :meth:`request`)."""
        return self.request("GET", url, **options)

    def head(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a HEAD request (see :meth:`request`)."""
        return self.request("HEAD", url, **options)

    def options(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send an OPTIONS request (see :meth:`request`)."""
        return self.request("OPTIONS", url, **options)

    def post(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a POST request (see :meth:`request`)."""
        return self.request("POST", url, **options)

    def put(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a PUT request (see :meth:`request`)."""
        return self.request("PUT", url, **options)

    def patch(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a PATCH request (see :meth:`request`)."""
        return self.request("PATCH", url, **options)

    def delete(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a DELETE request (see :meth:`request`)."""
        return self.request("DELETE", url, **options)

    def close(self) -> None:
        """Close the connection pool (unless the httpx client was injected)."""
        if self._owns:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncClient(_Base):
    """The asyncio twin of :class:`Client` (same arguments, ``await`` the calls).

    Args:
        base_url: Prefix of relative request URLs.
        headers: Default headers of every request.
        retry: The retry policy (default ``RetryPolicy()``).
        timeouts: Per-attempt timeouts: a :class:`Timeouts`, or one number for all.
        idempotency_keys: Add an ``Idempotency-Key`` to non-idempotent requests.
        raise_for_status: Raise for final 4xx/5xx responses.
        propagate: Add the current :class:`CallContext` headers to requests that lack them.
        transport: An httpx async transport.
        limits: Connection pool limits.
        http_client: An :class:`httpx.AsyncClient` to use instead of creating one.
        clock: Where time is read and slept (its ``async_sleep`` is used).
        random: A ``[0, 1)`` source for backoff jitter.
    """

    _http: httpx.AsyncClient

    def __init__(
        self,
        base_url: httpx.URL | str = "",
        *,
        headers: Headers = None,
        retry: RetryPolicy | None = None,
        timeouts: Timeouts | float | None = None,
        idempotency_keys: bool = False,
        raise_for_status: bool = True,
        propagate: bool = True,
        transport: httpx.AsyncBaseTransport | None = None,
        limits: httpx.Limits | None = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        _check_injection(
            http_client, base_url=base_url, headers=headers, transport=transport, limits=limits
        )
        self._owns = http_client is None
        if http_client is None:
            http_client = httpx.AsyncClient(
                base_url=base_url,
                headers=headers,
                transport=transport,
                limits=httpx.Limits() if limits is None else limits,
                timeout=httpx.Timeout(**Timeouts.of(timeouts or Timeouts()).as_dict()),
                verify=shared_ssl_context() if transport is None else True,
            )
        self._http = http_client
        self._configure(
            retry=retry,
            timeouts=timeouts,
            idempotency_keys=idempotency_keys,
            raise_for_status=raise_for_status,
            propagate=propagate,
            clock=clock,
            random=random,
        )

    @classmethod
    def from_spec(
        cls,
        source: SpecSource,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        **options: Unpack[SpecClientOptions],
    ) -> AsyncSpecClient:
        """The async twin of :meth:`Client.from_spec` (``await api.get_pet(pet_id=1)``).

        Loading is synchronous (no network); URLs are refused: use :meth:`from_url`.
        """
        from apicore_client._factories import async_from_spec

        return async_from_spec(
            cls,
            source,
            base_url=base_url,
            transport=transport,
            http_client=http_client,
            options=options,
        )

    @classmethod
    async def from_url(
        cls,
        url: str,
        *,
        base_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        http_client: httpx.AsyncClient | None = None,
        **options: Unpack[SpecClientOptions],
    ) -> AsyncSpecClient:
        """Fetch a spec and build an async client for it (see :meth:`Client.from_url`)."""
        from apicore_client._factories import async_from_url

        return await async_from_url(
            cls,
            url,
            base_url=base_url,
            transport=transport,
            http_client=http_client,
            options=options,
        )

    @classmethod
    async def from_app(
        cls,
        app: Any,
        *,
        spec_path: str = "/openapi.json",
        base_url: str | None = None,
        **options: Unpack[SpecClientOptions],
    ) -> AsyncSpecClient:
        """Build an async client for an in-process ASGI app from the spec it serves.

        Requests go to ``app`` through :class:`httpx.ASGITransport`. For WSGI apps use
        :meth:`Client.from_app`. Arguments as for :meth:`Client.from_app`.
        """
        from apicore_client._factories import APP_ORIGIN, asgi_transport, async_from_url

        return await async_from_url(
            cls,
            APP_ORIGIN + spec_path,
            base_url=base_url,
            transport=asgi_transport(app),
            http_client=None,
            options=options,
            in_process=True,
        )

    @property
    def http_client(self) -> httpx.AsyncClient:
        """The underlying :class:`httpx.AsyncClient`."""
        return self._http

    async def request(
        self, method: str, url: httpx.URL | str, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        """Send a request, retrying as the policy allows (see :meth:`Client.request`)."""
        return await self._run(self._build(method, url, options))

    async def send(
        self, request: httpx.Request, *, retry: RetryPolicy | None = None
    ) -> httpx.Response:
        """Send a request built with ``client.http_client.build_request(...)``, with retries."""
        return await self._run(self._state(request, retry, None))

    async def _run(
        self,
        state: CallState,
        reader: Callable[[httpx.Response], Awaitable[httpx.Response]] | None = None,
    ) -> httpx.Response:
        request = state.request
        send = self._http.send
        while True:
            timeout = state.begin()
            if timeout is not None:
                request.extensions["timeout"] = timeout
            try:
                response = await send(request, stream=reader is not None)
                if reader is not None:
                    response = await reader(response)
            except httpx.HTTPError as exc:
                wait = state.on_error(exc)
            else:
                decision = state.on_response(response)
                if decision is None:
                    return response
                await response.aclose()
                wait = decision
            if wait > 0:
                await self._clock.async_sleep(wait)

    async def _fetch(
        self,
        url: str,
        *,
        headers: Mapping[str, str],
        reader: Callable[[httpx.Response], Awaitable[httpx.Response]],
    ) -> httpx.Response:
        """GET with retries, the body read by ``reader`` from the stream (a bounded read)."""
        request = self._http.build_request("GET", url, headers=headers)
        return await self._run(self._state(request, None, None), reader)

    async def get(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a GET request (see :meth:`request`)."""
        return await self.request("GET", url, **options)

    async def head(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a HEAD request (see :meth:`request`)."""
        return await self.request("HEAD", url, **options)

    async def options(
        self, url: httpx.URL | str, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        """Send an OPTIONS request (see :meth:`request`)."""
        return await self.request("OPTIONS", url, **options)

    async def post(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a POST request (see :meth:`request`)."""
        return await self.request("POST", url, **options)

    async def put(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> httpx.Response:
        """Send a PUT request (see :meth:`request`)."""
        return await self.request("PUT", url, **options)

    async def patch(
        self, url: httpx.URL | str, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        """Send a PATCH request (see :meth:`request`)."""
        return await self.request("PATCH", url, **options)

    async def delete(
        self, url: httpx.URL | str, **options: Unpack[RequestOptions]
    ) -> httpx.Response:
        """Send a DELETE request (see :meth:`request`)."""
        return await self.request("DELETE", url, **options)

    async def aclose(self) -> None:
        """Close the connection pool (unless the httpx client was injected)."""
        if self._owns:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
