"""Building spec-driven clients: load or fetch the spec, work out its URL, open the pool."""

from __future__ import annotations

import functools
import inspect
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

import httpx

from apicore_client._binding import resolve_base_url, retry_extension
from apicore_client._clock import Clock
from apicore_client._errors import ConfigError
from apicore_client._policy import RetryPolicy, Timeouts
from apicore_client._specclient import AsyncSpecClient, SpecClient
from apicore_specbind import Spec, SpecError, SpecLimits, SpecLoadError, load_spec

if TYPE_CHECKING:  # the clients call in here: this module never imports them back
    from apicore_client._client import AsyncClient, Client

SpecSource = str | os.PathLike[str] | Mapping[str, Any] | Spec
"""What ``from_spec`` loads: a path, YAML/JSON text, a parsed mapping, or a loaded spec."""

_SPEC_ACCEPT = "application/json, application/yaml;q=0.9, application/x-yaml;q=0.9, */*;q=0.1"


class SpecClientOptions(TypedDict, total=False):
    """Keyword options of ``from_spec``, ``from_url`` and ``from_app``.

    ``transport``, ``http_client``, ``headers``, ``timeouts``, ``idempotency_keys``,
    ``propagate``, ``limits``, ``clock`` and ``random`` are the retrying client's
    (:class:`~apicore_client.Client`); the others are the spec client's.

    Attributes:
        base_url: Where to send requests; it replaces the spec's server URL (Swagger 2.0
            ``schemes``/``host``/``basePath``, OpenAPI 3 ``servers[0]``) entirely.
        retry: The client-wide retry policy; default: the spec's root ``x-apicore-retry``,
            else ``RetryPolicy()``. An operation's own ``x-apicore-retry`` wins over it.
        validate_responses: Check answers against the spec (``ResponseValidationError``).
        legacy_kwargs: Accept pymacaron-core's ``max_attempts``, ``read_timeout``,
            ``connect_timeout`` and ``request_headers`` on every operation call.
        spec_options: Keyword options of :func:`apicore_specbind.load_spec`.
    """

    base_url: str | None
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport | None
    http_client: httpx.Client | httpx.AsyncClient | None
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


_SPEC_ONLY = ("base_url", "validate_responses", "legacy_kwargs", "spec_options")


def _split(options: SpecClientOptions) -> tuple[dict[str, Any], dict[str, Any]]:
    """Options of the retrying client, and those of the spec layer."""
    given: dict[str, Any] = dict(options)
    spec_side = {k: given.pop(k) for k in _SPEC_ONLY if k in given}
    spec_side["retry"] = given.get("retry")
    return given, spec_side


def load(source: SpecSource, spec_options: Mapping[str, Any] | None) -> Spec:
    """Load a spec, translating specbind's load errors into :class:`ConfigError`."""
    if isinstance(source, Spec):
        return source
    try:
        return load_spec(source, **dict(spec_options or {}))
    except SpecError as exc:
        raise ConfigError(f"cannot build a client from this spec: {exc}") from exc


def spec_from_response(response: httpx.Response, spec_options: Mapping[str, Any] | None) -> Spec:
    """Load the spec document a server answered with (JSON or YAML, bounded like a file).

    The answer is always spec text, never a file name.
    """
    try:
        return Spec.from_string(response.text, **dict(spec_options or {}))
    except SpecError as exc:
        issues = exc.issues if isinstance(exc, SpecLoadError) else ()
        if any(issue.message.startswith("the spec must be a mapping") for issue in issues):
            raise ConfigError(
                f"{response.request.url} did not answer with a spec document "
                "(a JSON or YAML mapping)"
            ) from exc
        raise ConfigError(f"cannot build a client from this spec: {exc}") from exc


def _limits(spec_options: Mapping[str, Any] | None) -> SpecLimits:
    limits = (spec_options or {}).get("limits")
    return limits if isinstance(limits, SpecLimits) else SpecLimits()


_DROPPED_HEADERS = frozenset({"content-encoding", "content-length", "transfer-encoding"})


class _BoundedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A spec document's decoded body: at most ``max_bytes`` within ``fetch_timeout``."""

    def __init__(self, response: httpx.Response, url: str, limits: SpecLimits) -> None:
        self.response = response
        self.url = url
        self.limits = limits
        self.deadline = 0.0
        self.total = 0

    def _start(self) -> None:
        self.deadline = time.monotonic() + self.limits.fetch_timeout
        declared = self.response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.limits.max_bytes:
            raise self._refuse("max_bytes", f"{self.url} announces {declared} bytes")

    def _count(self, chunk: bytes) -> bytes:
        self.total += len(chunk)
        if self.total > self.limits.max_bytes:
            raise self._refuse(
                "max_bytes", f"{self.url} sent more than {self.limits.max_bytes} bytes"
            )
        if time.monotonic() > self.deadline:
            raise self._refuse(
                "fetch_timeout", f"{self.url} took over {self.limits.fetch_timeout} s to send"
            )
        return chunk

    def _refuse(self, limit: str, what: str) -> ConfigError:
        error = self.limits.refuse(limit, what, source=self.url)
        failure = ConfigError(f"cannot build a client from this spec: {error}")
        failure.__cause__ = error
        return failure

    def __iter__(self) -> Iterator[bytes]:
        self._start()
        return map(self._count, self.response.iter_bytes())

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self._start()
        async for chunk in self.response.aiter_bytes():
            yield self._count(chunk)

    def close(self) -> None:
        self.response.close()

    async def aclose(self) -> None:
        await self.response.aclose()


def bounded(response: httpx.Response, *, url: str, limits: SpecLimits) -> httpx.Response:
    """``response`` with its body read through a :class:`_BoundedStream` (already decoded)."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in _DROPPED_HEADERS
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        stream=_BoundedStream(response, url, limits),
        request=response.request,
        extensions={k: v for k, v in response.extensions.items() if k != "network_stream"},
    )


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


def _asynchronous(cls: type[Any]) -> bool:
    return issubclass(cls._kinds[0], httpx.AsyncClient)


def _finish(
    client: Client | AsyncClient,
    spec: Spec,
    spec_side: Mapping[str, Any],
    *,
    document_url: str | None,
    in_process: bool = False,
) -> SpecClient | AsyncSpecClient:
    base_url = spec_side.get("base_url")
    url = resolve_base_url(spec, base_url, document_url=document_url, in_process=in_process)
    policy = client.retry = default_policy(spec, spec_side.get("retry"))
    kind = AsyncSpecClient if _asynchronous(type(client)) else SpecClient
    return kind(
        client,  # the sync or async pair, as ``kind``
        spec,
        base_url=url,
        retry=policy,
        validate_responses=bool(spec_side.get("validate_responses", True)),
        legacy_kwargs=bool(spec_side.get("legacy_kwargs", False)),
    )


def build(
    cls: type[Any], source: SpecSource, options: SpecClientOptions
) -> SpecClient | AsyncSpecClient:
    """``from_spec``: load, check, then open the connection pool."""
    if is_url(source):
        if _asynchronous(cls):
            raise ConfigError(
                f"{source!r} is a URL: fetch it with `await AsyncClient.from_url(url)`"
            )
        return cls.from_url(str(source), **options)  # type: ignore[no-any-return]
    client_options, spec_side = _split(options)
    spec = load(source, spec_side.get("spec_options"))
    # check the spec (base URL, policies) before opening anything
    default_policy(spec, spec_side["retry"])
    resolve_base_url(spec, spec_side.get("base_url"))
    client = cls(**client_options)
    try:
        return _finish(client, spec, spec_side, document_url=None)
    except BaseException:
        if not _asynchronous(cls):  # an async pool has opened nothing yet
            client.close()
        raise


def start_fetch(
    cls: type[Any],
    url: str,
    options: SpecClientOptions,
    *,
    in_process: bool,
) -> tuple[Any, dict[str, Any], Callable[[httpx.Response], Any]]:
    """``from_url``: the client that fetches, its ``_fetch`` arguments, and the builder.

    The caller sends (sync or async), then builds on the answer, and closes the client if
    anything fails.
    """
    client_options, spec_side = _split(options)
    client = cls(**client_options)
    limits = _limits(spec_side.get("spec_options"))

    def finish(response: httpx.Response) -> SpecClient | AsyncSpecClient:
        spec = spec_from_response(response, spec_side.get("spec_options"))
        document_url = str(response.url)
        return _finish(client, spec, spec_side, document_url=document_url, in_process=in_process)

    fetch = {
        "url": url,
        "headers": {"Accept": _SPEC_ACCEPT},
        "body": functools.partial(bounded, url=url, limits=limits),
    }
    return client, fetch, finish


APP_ORIGIN = "http://app.invalid"
"""The origin of in-process apps (``from_app``): requests never leave the process."""


def app_options(
    app: Any, spec_path: str, options: SpecClientOptions, *, asynchronous: bool
) -> tuple[str, SpecClientOptions]:
    """Where ``from_app`` fetches the spec, and its options with the in-process transport.

    Raises:
        ConfigError: A WSGI app given to the async client, or an ASGI app to the sync one.
    """
    transport: httpx.BaseTransport | httpx.AsyncBaseTransport
    if is_asgi(app) != asynchronous:
        raise ConfigError(
            "this is a WSGI app (not an async callable): use `Client.from_app(app)`"
            if asynchronous
            else "this is an ASGI app: use `await AsyncClient.from_app(app)`"
        )
    transport = httpx.ASGITransport(app=app) if asynchronous else httpx.WSGITransport(app=app)
    return APP_ORIGIN + spec_path, {**options, "transport": transport, "http_client": None}
