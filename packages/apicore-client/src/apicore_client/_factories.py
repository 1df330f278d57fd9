"""Building spec-driven clients: load or fetch the spec, work out its URL, open the pool."""

from __future__ import annotations

import inspect
import os
import re
import time
from collections.abc import Callable, Mapping
from typing import Any, TypedDict

import httpx

from apicore_client._binding import resolve_base_url, retry_extension
from apicore_client._client import AsyncClient, Client
from apicore_client._clock import Clock
from apicore_client._errors import ConfigError
from apicore_client._policy import RetryPolicy, Timeouts
from apicore_client._specclient import AsyncSpecClient, SpecClient
from apicore_specbind import Spec, SpecError, SpecLimits, SpecLoadError, load_spec

SpecSource = str | os.PathLike[str] | Mapping[str, Any] | Spec
"""What ``from_spec`` loads: a path, YAML/JSON text, a parsed mapping, or a loaded spec."""

_SPEC_ACCEPT = "application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, */*;q=0.1"


class SpecClientOptions(TypedDict, total=False):
    """Keyword options shared by ``from_spec``, ``from_url`` and ``from_app``.

    Attributes:
        headers: Default headers of every request.
        retry: The client-wide retry policy; default: the spec's root ``x-apicore-retry``,
            else ``RetryPolicy()``. An operation's own ``x-apicore-retry`` wins over it.
        timeouts: Per-attempt timeouts (a :class:`Timeouts`, or one number for all).
        idempotency_keys: Add an ``Idempotency-Key`` to non-idempotent requests.
        propagate: Forward the current :class:`CallContext` headers.
        limits: Connection pool limits.
        clock: Where time is read and slept (``FakeClock`` in tests).
        random: A ``[0, 1)`` source for backoff jitter.
        validate_responses: Check answers against the spec (``ResponseValidationError``).
        legacy_kwargs: Accept pymacaron-core's ``max_attempts``, ``read_timeout``,
            ``connect_timeout`` and ``request_headers`` on every operation call.
        spec_options: Keyword options of :func:`apicore_specbind.load_spec`.
    """

    headers: Mapping[str, str] | None
    retry: RetryPolicy | None
    timeouts: Timeouts | float | None
    idempotency_keys: bool
    propagate: bool
    limits: httpx.Limits | None
    clock: Clock | None
    random: Callable[[], float] | None
    validate_responses: bool
    legacy_kwargs: bool
    spec_options: Mapping[str, Any] | None


_SPEC_ONLY = ("validate_responses", "legacy_kwargs", "spec_options")


def _split(options: SpecClientOptions) -> tuple[dict[str, Any], dict[str, Any]]:
    """Options of the retrying client, and those of the spec layer."""
    given: dict[str, Any] = dict(options)
    spec_side = {k: given.pop(k) for k in _SPEC_ONLY if k in given}
    return given, spec_side


def load(source: SpecSource, spec_options: Mapping[str, Any] | None, *, text: bool = False) -> Spec:
    """Load a spec, translating specbind's load errors into :class:`ConfigError`.

    With ``text=True`` a string is spec text, never a file name (a fetched document).
    """
    if isinstance(source, Spec):
        return source
    try:
        if text and isinstance(source, str):
            return Spec.from_string(source, **dict(spec_options or {}))
        return load_spec(source, **dict(spec_options or {}))
    except SpecError as exc:
        if text and isinstance(exc, SpecLoadError) and _not_a_mapping(exc):
            raise ConfigError(
                "the server did not answer with a spec document (a JSON or YAML mapping)"
            ) from exc
        raise ConfigError(f"cannot build a client from this spec: {exc}") from exc


def _not_a_mapping(exc: SpecLoadError) -> bool:
    return any(issue.message.startswith("the spec must be a mapping") for issue in exc.issues)


def spec_from_response(response: httpx.Response, spec_options: Mapping[str, Any] | None) -> Spec:
    """Load the spec document a server answered with (JSON or YAML, bounded like a file)."""
    try:
        return load(response.text, spec_options, text=True)
    except ConfigError as exc:
        if isinstance(exc.__cause__, SpecLoadError) and _not_a_mapping(exc.__cause__):
            raise ConfigError(
                f"{response.request.url} did not answer with a spec document "
                "(a JSON or YAML mapping)"
            ) from exc.__cause__
        raise


def _limits(spec_options: Mapping[str, Any] | None) -> SpecLimits:
    limits = (spec_options or {}).get("limits")
    return limits if isinstance(limits, SpecLimits) else SpecLimits()


_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class _BoundedRead:
    """Reads a streamed spec document: at most ``max_bytes`` within ``fetch_timeout``."""

    def __init__(self, url: str, limits: SpecLimits) -> None:
        self.url = url
        self.limits = limits
        self.deadline = 0.0
        self.total = 0

    def start(self, response: httpx.Response) -> None:
        self.deadline = time.monotonic() + self.limits.fetch_timeout
        self.total = 0
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise self._refuse("max_bytes", f"{self.url} announces {declared} bytes")

    def count(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if self.total > self.limits.max_bytes:
            raise self._refuse(
                "max_bytes", f"{self.url} sent more than {self.limits.max_bytes} bytes"
            )
        if time.monotonic() > self.deadline:
            raise self._refuse(
                "fetch_timeout", f"{self.url} took over {self.limits.fetch_timeout} s to send"
            )

    def _refuse(self, limit: str, what: str) -> ConfigError:
        error = self.limits.refuse(limit, what, source=self.url)
        failure = ConfigError(f"cannot build a client from this spec: {error}")
        failure.__cause__ = error
        return failure

    @staticmethod
    def rebuild(response: httpx.Response, body: bytes) -> httpx.Response:
        headers = [
            (name, value)
            for name, value in response.headers.multi_items()
            if name.lower() not in _DROPPED_HEADERS
        ]
        return httpx.Response(
            response.status_code,
            headers=headers,
            content=body,
            request=response.request,
            extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
        )

    def sync(self, response: httpx.Response) -> httpx.Response:
        chunks: list[bytes] = []
        try:
            self.start(response)
            for chunk in response.iter_bytes():
                self.count(chunk)
                chunks.append(chunk)
        finally:
            response.close()
        return self.rebuild(response, b"".join(chunks))

    async def asynchronous(self, response: httpx.Response) -> httpx.Response:
        chunks: list[bytes] = []
        try:
            self.start(response)
            async for chunk in response.aiter_bytes():
                self.count(chunk)
                chunks.append(chunk)
        finally:
            await response.aclose()
        return self.rebuild(response, b"".join(chunks))


def is_url(source: object) -> bool:
    """Whether ``source`` is an ``http(s)://`` URL rather than a path or spec text."""
    return isinstance(source, str) and re.match(r"^https?://\S+$", source.strip()) is not None


def is_asgi(app: object) -> bool:
    """Whether ``app`` looks like an ASGI application (an async callable)."""
    call = getattr(app, "__call__", None)  # noqa: B004 - a class's __call__, not callable()
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(call)


def default_policy(spec: Spec, retry: RetryPolicy | None) -> RetryPolicy:
    """The client-wide policy: ``retry=`` if given, else the root ``x-apicore-retry``."""
    if retry is not None:
        return retry
    return retry_extension(spec.document, "the spec's root") or RetryPolicy()


def _finish(
    kind: type[SpecClient] | type[AsyncSpecClient],
    client: Client | AsyncClient,
    spec: Spec,
    spec_side: Mapping[str, Any],
    *,
    base_url: str | None,
    retry: RetryPolicy | None,
    document_url: str | None,
    in_process: bool = False,
) -> Any:
    legacy = bool(spec_side.get("legacy_kwargs", False))
    url = resolve_base_url(spec, base_url, document_url=document_url, in_process=in_process)
    policy = default_policy(spec, retry)
    client.retry = policy
    make: Callable[..., Any] = kind  # the sync or async pair, matched by the callers
    return make(
        client,
        spec,
        base_url=url,
        retry=policy,
        validate_responses=bool(spec_side.get("validate_responses", True)),
        legacy_kwargs=legacy,
    )


def sync_from_spec(
    cls: type[Client],
    source: SpecSource,
    *,
    base_url: str | None,
    transport: httpx.BaseTransport | None,
    http_client: httpx.Client | None,
    options: SpecClientOptions,
) -> SpecClient:
    """``Client.from_spec``: load, check, then open the connection pool."""
    if is_url(source):
        url = str(source)
        return sync_from_url(
            cls,
            url,
            base_url=base_url,
            transport=transport,
            http_client=http_client,
            options=options,
        )
    client_options, spec_side = _split(options)
    spec = load(source, spec_side.get("spec_options"))
    # check the spec (base URL, policies) before opening anything
    default_policy(spec, client_options.get("retry"))
    resolve_base_url(spec, base_url)
    client = cls(transport=transport, http_client=http_client, **client_options)
    try:
        built: SpecClient = _finish(
            SpecClient,
            client,
            spec,
            spec_side,
            base_url=base_url,
            retry=client_options.get("retry"),
            document_url=None,
        )
    except BaseException:
        client.close()
        raise
    return built


def async_from_spec(
    cls: type[AsyncClient],
    source: SpecSource,
    *,
    base_url: str | None,
    transport: httpx.AsyncBaseTransport | None,
    http_client: httpx.AsyncClient | None,
    options: SpecClientOptions,
) -> AsyncSpecClient:
    """``AsyncClient.from_spec`` (no I/O but reading a spec file)."""
    if is_url(source):
        raise ConfigError(f"{source!r} is a URL: fetch it with `await AsyncClient.from_url(url)`")
    client_options, spec_side = _split(options)
    spec = load(source, spec_side.get("spec_options"))
    default_policy(spec, client_options.get("retry"))
    resolve_base_url(spec, base_url)
    # nothing below can fail once the checks above passed, so no pool is left open
    client = cls(transport=transport, http_client=http_client, **client_options)
    built: AsyncSpecClient = _finish(
        AsyncSpecClient,
        client,
        spec,
        spec_side,
        base_url=base_url,
        retry=client_options.get("retry"),
        document_url=None,
    )
    return built


def sync_from_url(
    cls: type[Client],
    url: str,
    *,
    base_url: str | None,
    transport: httpx.BaseTransport | None,
    http_client: httpx.Client | None,
    options: SpecClientOptions,
    in_process: bool = False,
) -> SpecClient:
    """``Client.from_url``: fetch the spec with a retrying client, then build on it."""
    client_options, spec_side = _split(options)
    client = cls(transport=transport, http_client=http_client, **client_options)
    try:
        bounded = _BoundedRead(url, _limits(spec_side.get("spec_options")))
        response = client._fetch(url, headers={"Accept": _SPEC_ACCEPT}, reader=bounded.sync)
        spec = spec_from_response(response, spec_side.get("spec_options"))
        built: SpecClient = _finish(
            SpecClient,
            client,
            spec,
            spec_side,
            base_url=base_url,
            retry=client_options.get("retry"),
            document_url=str(response.url),
            in_process=in_process,
        )
    except BaseException:
        client.close()
        raise
    return built


async def async_from_url(
    cls: type[AsyncClient],
    url: str,
    *,
    base_url: str | None,
    transport: httpx.AsyncBaseTransport | None,
    http_client: httpx.AsyncClient | None,
    options: SpecClientOptions,
    in_process: bool = False,
) -> AsyncSpecClient:
    """``AsyncClient.from_url``."""
    client_options, spec_side = _split(options)
    client = cls(transport=transport, http_client=http_client, **client_options)
    try:
        bounded = _BoundedRead(url, _limits(spec_side.get("spec_options")))
        response = await client._fetch(
            url, headers={"Accept": _SPEC_ACCEPT}, reader=bounded.asynchronous
        )
        spec = spec_from_response(response, spec_side.get("spec_options"))
        built: AsyncSpecClient = _finish(
            AsyncSpecClient,
            client,
            spec,
            spec_side,
            base_url=base_url,
            retry=client_options.get("retry"),
            document_url=str(response.url),
            in_process=in_process,
        )
    except BaseException:
        await client.aclose()
        raise
    return built


APP_ORIGIN = "http://app.invalid"
"""The origin of in-process apps (``from_app``): requests never leave the process."""


def wsgi_transport(app: Any) -> httpx.WSGITransport:
    """The transport of ``Client.from_app``; refuses ASGI apps with what to use instead."""
    if is_asgi(app):
        raise ConfigError("this is an ASGI app: use `await AsyncClient.from_app(app)`")
    return httpx.WSGITransport(app=app)


def asgi_transport(app: Any) -> httpx.ASGITransport:
    """The transport of ``AsyncClient.from_app``; refuses WSGI apps with what to use instead."""
    if not is_asgi(app):
        raise ConfigError("this is a WSGI app (not an async callable): use `Client.from_app(app)`")
    return httpx.ASGITransport(app=app)
