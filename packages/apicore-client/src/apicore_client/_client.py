"""The retrying clients: the I/O edge over httpx (the decisions live in ``_retry``)."""

from __future__ import annotations

import functools
import os
import ssl
import uuid
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar, Unpack, cast

import httpx

from apicore_client._clock import Clock
from apicore_client._errors import ConfigError
from apicore_client._lifecycle import AsyncClosing, Closing
from apicore_client._policy import RetryPolicy, Timeouts
from apicore_client._transport import (
    BODY_EXTENSION,
    RETRY_POLICY_EXTENSION,
    AsyncRetryTransport,
    RetryTransport,
)
from apicore_introspect import current_call_context

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

_H = TypeVar("_H", httpx.Client, httpx.AsyncClient)
_R = TypeVar("_R", httpx.Response, Coroutine[Any, Any, httpx.Response])
_S = TypeVar("_S", "SpecClient", "AsyncSpecClient")  # what from_spec builds
_F = TypeVar("_F", "SpecClient", "Coroutine[Any, Any, AsyncSpecClient]")  # from_url, from_app


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


class _Sender(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """An httpx client seen as a transport.

    Each attempt is one ``send`` (redirects, auth and cookies included), its body left to the
    retry transport to read.
    """

    def __init__(self, http: httpx.Client | httpx.AsyncClient) -> None:
        self.http = http

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self.http, httpx.Client)
        return self.http.send(request, stream=True)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(self.http, httpx.AsyncClient)
        return await self.http.send(request, stream=True)


class _Base(Generic[_H, _R, _S, _F]):
    """Everything both clients share.

    The one sync or async difference is which httpx client and which retry transport they
    are made of (``_kinds``).
    """

    _kinds: tuple[type[_H], type[RetryTransport] | type[AsyncRetryTransport]]
    _http: _H

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
        transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None = None,
        limits: httpx.Limits | None = None,
        http_client: _H | None = None,
        clock: Clock | None = None,
        random: Callable[[], float] | None = None,
    ) -> None:
        if http_client is not None and (base_url or headers or transport or limits):
            raise ConfigError(
                "pass base_url, headers, transport and limits to the httpx client you inject, "
                "not to apicore's client as well"
            )
        http_class, retry_class = self._kinds
        self._owns = http_client is None
        self._http = http_client or http_class(
            base_url=base_url,
            headers=headers,
            transport=transport,  # type: ignore[arg-type]  # each class gets its own kind
            limits=httpx.Limits() if limits is None else limits,
            timeout=httpx.Timeout(**Timeouts.of(timeouts or Timeouts()).as_dict()),
            verify=shared_ssl_context() if transport is None else True,
        )
        retrying = retry_class(
            _Sender(self._http),
            retry=retry,
            raise_for_status=raise_for_status,
            clock=clock,
            random=random,
        )
        self._retrying = retrying
        send: Any = (
            retrying.handle_request
            if isinstance(retrying, RetryTransport)
            else retrying.handle_async_request
        )
        self._send: Callable[[httpx.Request], _R] = send
        self._idempotency_keys = idempotency_keys
        self._propagate = propagate
        self._timeout_arg: httpx.Timeout | Any = httpx.USE_CLIENT_DEFAULT
        if timeouts is None:
            self.timeouts = Timeouts(**self._http.timeout.as_dict())
        else:
            self.timeouts = Timeouts.of(timeouts)
            if not self._owns:
                # an injected httpx client keeps its own default: override it per request
                self._timeout_arg = httpx.Timeout(**self.timeouts.as_dict())

    @property
    def retry(self) -> RetryPolicy:
        """The client-wide retry policy."""
        return self._retrying.retry

    @retry.setter
    def retry(self, policy: RetryPolicy) -> None:
        self._retrying.retry = policy

    @property
    def http_client(self) -> _H:
        """The underlying httpx client."""
        return self._http

    def request(self, method: str, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send a request, retrying as the policy allows (``await`` it on :class:`AsyncClient`).

        ``url`` is absolute or relative to ``base_url``; ``options`` are :class:`RequestOptions`.
        Returns the final response (body read, attempt history attached); raises
        :class:`HTTPStatusError`, :class:`RetriesExhausted`, :class:`DeadlineExceeded` or
        :class:`TransportError` when the call fails.
        """
        timeouts = options.get("timeouts")
        request = self._http.build_request(
            method,
            url,
            params=options.get("params"),
            headers=options.get("headers"),
            content=options.get("content"),
            json=options.get("json"),
            data=options.get("data"),
            files=options.get("files"),
            timeout=self._timeout_arg
            if timeouts is None
            else httpx.Timeout(**Timeouts.of(timeouts).as_dict()),
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
        return self.send(request, retry=options.get("retry"))

    def send(self, request: httpx.Request, *, retry: RetryPolicy | None = None) -> _R:
        """Send a request built with ``client.http_client.build_request(...)``, with retries."""
        if self._propagate:
            context = current_call_context()
            if context is not None:
                for name, value in context.outgoing_headers().items():
                    if name not in request.headers:
                        request.headers[name] = value
        if retry is not None:
            request.extensions[RETRY_POLICY_EXTENSION] = retry
        return self._send(request)

    def _fetch(
        self, url: str, *, headers: Mapping[str, str], body: Callable[[httpx.Response], Any]
    ) -> _R:
        """GET with retries, each attempt's response passed through ``body`` (a bounded read)."""
        request = self._http.build_request("GET", url, headers=headers)
        request.extensions[BODY_EXTENSION] = body
        return self.send(request)

    @classmethod
    def from_spec(cls, source: SpecSource, **options: Unpack[SpecClientOptions]) -> _S:
        """Build a client with one method per operation of a Swagger 2.0 / OpenAPI 3.x spec.

        ``api = Client.from_spec("petstore.yaml")`` then ``api.get_pet(pet_id=1)``: arguments
        are validated and placed by the spec, the request is retried by the operation's
        policy, and the body is decoded into the spec's model classes.

        ``source`` is a path, YAML/JSON text, a parsed mapping, an :class:`apicore_specbind.Spec`,
        or an ``http(s)://`` URL (see :meth:`from_url`); ``options`` are
        :class:`~apicore_client.SpecClientOptions`. Returns a :class:`~apicore_client.SpecClient`
        (an :class:`~apicore_client.AsyncSpecClient` from :class:`AsyncClient`, which refuses
        URLs: use :meth:`from_url`). Raises :class:`ConfigError` when the spec cannot be
        loaded, names no absolute server URL (pass ``base_url``) or has an invalid
        ``x-apicore-retry``.
        """
        from apicore_client._factories import build

        return cast("_S", build(cls, source, options))

    @classmethod
    def from_url(cls, url: str, **options: Unpack[SpecClientOptions]) -> _F:
        """Fetch a spec (e.g. an app's ``/openapi.json``) and build a client for it.

        The document is fetched with this client's retries and JSON or YAML accepted
        (``await`` it on :class:`AsyncClient`).
        Relative server URLs (and specs naming none, as our apps serve them) are resolved
        against ``url``. Arguments as for :meth:`from_spec`.
        """
        return cls._fetched(url, options, in_process=False)

    @classmethod
    def from_app(
        cls, app: Any, *, spec_path: str = "/openapi.json", **options: Unpack[SpecClientOptions]
    ) -> _F:
        """Build a client for an in-process app from the spec it serves.

        Requests go to ``app`` through :class:`httpx.WSGITransport` (nothing touches the
        network), so this suits tests; for ASGI apps use ``await AsyncClient.from_app(app)``
        (:class:`httpx.ASGITransport`).

        ``app`` is a WSGI callable (Flask, a symmetric app), or an ASGI app for
        :class:`AsyncClient`; ``base_url`` defaults to the app's server URL, else its root.
        """
        from apicore_client._factories import app_options

        url, given = app_options(
            app, spec_path, options, asynchronous=cls._kinds[0] is httpx.AsyncClient
        )
        return cls._fetched(url, given, in_process=True)

    @classmethod
    def _fetched(cls, url: str, options: SpecClientOptions, *, in_process: bool) -> _F:
        """Fetch the spec at ``url`` and build on it, closing the client if that fails."""
        from apicore_client._factories import start_fetch

        client, fetch, build = start_fetch(cls, url, options, in_process=in_process)
        return cast("_F", client._built(client._fetch(**fetch), build))

    def _built(self, sent: Any, build: Callable[[httpx.Response], Any]) -> Any:
        raise NotImplementedError

    def get(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send a GET request (see :meth:`request`)."""
        return self.request("GET", url, **options)

    def head(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send a HEAD request (see :meth:`request`)."""
        return self.request("HEAD", url, **options)

    def options(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send an OPTIONS request (see :meth:`request`)."""
        return self.request("OPTIONS", url, **options)

    def post(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send a POST request (see :meth:`request`)."""
        return self.request("POST", url, **options)

    def put(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send a PUT request (see :meth:`request`)."""
        return self.request("PUT", url, **options)

    def patch(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send a PATCH request (see :meth:`request`)."""
        return self.request("PATCH", url, **options)

    def delete(self, url: httpx.URL | str, **options: Unpack[RequestOptions]) -> _R:
        """Send a DELETE request (see :meth:`request`)."""
        return self.request("DELETE", url, **options)


class Client(Closing, _Base[httpx.Client, httpx.Response, "SpecClient", "SpecClient"]):
    """A synchronous HTTP client that retries safely (see :class:`RetryPolicy`).

    It wraps one :class:`httpx.Client` (connection pooling, HTTP/1.1 keep-alive), sends
    through a :class:`RetryTransport`, and returns plain :class:`httpx.Response` objects; the
    attempt history of a successful call is in ``response.extensions["apicore.attempts"]``
    (read it with :func:`attempts_of`).

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

    _kinds = (httpx.Client, RetryTransport)

    def _pool(self) -> httpx.Client:
        return self._http

    def _built(self, sent: Any, build: Callable[[httpx.Response], Any]) -> Any:
        try:
            return build(sent)
        except BaseException:
            self.close()
            raise


class AsyncClient(
    AsyncClosing,
    _Base[
        httpx.AsyncClient,
        Coroutine[Any, Any, httpx.Response],
        "AsyncSpecClient",
        "Coroutine[Any, Any, AsyncSpecClient]",
    ],
):
    """The asyncio form of :class:`Client`: the same arguments, ``await`` the calls.

    It sends through an :class:`AsyncRetryTransport`; ``transport`` is an httpx async
    transport and ``clock.async_sleep`` is what waits.
    """

    _kinds = (httpx.AsyncClient, AsyncRetryTransport)

    def _pool(self) -> httpx.AsyncClient:
        return self._http

    async def _built(self, sent: Any, build: Callable[[httpx.Response], Any]) -> Any:
        try:
            return build(await sent)
        except BaseException:
            await self.aclose()
            raise
