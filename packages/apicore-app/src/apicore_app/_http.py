"""Framework-neutral request and response values, and problem responses."""

from __future__ import annotations

import dataclasses
import functools
import http
import json
from collections.abc import AsyncIterable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote

from apicore_introspect import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_PREFIX, dump_json, render_problem

JSON = "application/json"


@functools.lru_cache(maxsize=256)  # bounded: the header is the client's to choose
def media_kind(content_type: str) -> str:
    """The media type of a ``Content-Type`` value, lower case, without its parameters."""
    return content_type.split(";", 1)[0].strip().lower()


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation error",
    500: "Internal server error",
}
_SLUGS = {
    404: "not-found",
    405: "method-not-allowed",
    413: "body-too-large",
    415: "unsupported-media-type",
    500: "internal-error",
}


_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


class Headers:
    """Case-insensitive, read-only request headers (the first value of a repeated name wins).

    Built lazily: the pairs are decoded on the first read, so a request whose headers are
    never read costs nothing (ASGI servers give raw latin-1 byte pairs).

    Args:
        items: ``(name, value)`` pairs as str or latin-1 bytes, or a mapping.
    """

    __slots__ = ("_map", "_source")

    def __init__(
        self, items: Iterable[tuple[str | bytes, str | bytes]] | Mapping[str, str]
    ) -> None:
        self._source = items
        self._map: dict[str, str] | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any]) -> Headers:
        """A view of a WSGI environ's headers (``HTTP_*``, ``CONTENT_TYPE``, ...), read lazily."""
        return _EnvironHeaders(environ)

    def _load(self) -> dict[str, str]:
        # The map only; the pairs are decoded again if ``items()`` is ever called. The map
        # is built backwards: the first value of a repeated name wins.
        pairs: Any = self._source  # most often an ASGI scope's byte pairs
        if type(pairs) is not list:  # an ASGI scope's list is used as it is (no ABC check)
            pairs = self._source = list(pairs.items() if isinstance(pairs, Mapping) else pairs)
        try:  # an ASGI scope's byte pairs, most often
            lowered = {}
            for k, v in reversed(pairs):
                name = _NAMES.get(k)
                if name is None:
                    name = k.decode("latin-1").lower()
                    if len(_NAMES) < 256:  # bounded: past it, names are decoded each time
                        _NAMES[k] = name
                lowered[name] = v.decode("latin-1")
        except AttributeError:
            lowered = {_text(k).lower(): _text(v) for k, v in reversed(pairs)}
        self._map = lowered
        return lowered

    def get(self, name: str, default: str | None = None) -> str | None:
        """The value of a header (any case), or ``default``."""
        lowered = self._map if self._map is not None else self._load()
        return lowered.get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def items(self) -> list[tuple[str, str]]:
        """Every ``(name, value)`` pair, as received."""
        source = self._source
        if type(source) is not list:  # an iterator is read once
            source = self._source = list(source.items() if isinstance(source, Mapping) else source)
        return [(_text(k), _text(v)) for k, v in source]

    def lower_map(self) -> dict[str, str]:
        """A plain ``{lower-case name: value}`` dict (a copy)."""
        return dict(self.lower_map_view())

    def lower_map_view(self) -> Mapping[str, str]:
        """The ``{lower-case name: value}`` map itself, read-only by contract (no copy)."""
        return self._map if self._map is not None else self._load()


#: Raw ASGI header names -> their lower-case text, for the first names seen.
_NAMES: dict[bytes | str, str] = {}


class _EnvironHeaders(Headers):
    # A WSGI environ's headers: single reads go to the environ itself (no map is built).
    __slots__ = ("_view",)

    def __init__(self, environ: Mapping[str, Any]) -> None:
        # ``Headers.__init__`` inlined: built on every WSGI request
        self._source = _EnvironPairs(environ)
        self._map = None
        self._view = _EnvironMap(environ, self)

    def get(self, name: str, default: str | None = None) -> str | None:
        value: str | None = self._view.get(name, default)
        return value

    def lower_map_view(self) -> Mapping[str, str]:
        return self._view


class _EnvironMap(Mapping[str, str]):
    __slots__ = ("_environ", "_headers")

    def __init__(self, environ: Mapping[str, Any], headers: Headers) -> None:
        self._environ = environ
        self._headers = headers

    def get(self, name: str, default: Any = None) -> Any:
        key = _ENVIRON_KEYS.get(name)
        if key is None:
            key = _environ_key(name)
            if len(_ENVIRON_KEYS) < 1024:  # the names code asks for, not clients' names
                _ENVIRON_KEYS[name] = key
        value: str | None = self._environ.get(key)
        if value is None or (not value and key[0] == "C"):  # an empty CONTENT_TYPE: none sent
            return default
        return value

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return str(value)

    def __iter__(self) -> Iterator[str]:
        return iter(Headers.lower_map_view(self._headers))

    def __len__(self) -> int:
        return len(Headers.lower_map_view(self._headers))


def _environ_key(name: str) -> str:
    upper = name.upper().replace("-", "_")
    return upper if upper in ("CONTENT_TYPE", "CONTENT_LENGTH") else "HTTP_" + upper


_ENVIRON_KEYS = {
    name: _environ_key(name)
    for name in ("content-type", "content-length", "x-request-id", "host", "traceparent")
}


class _EnvironPairs:
    # an iterable of the environ's header pairs, read once when the full map is needed
    __slots__ = ("_environ",)

    def __init__(self, environ: Mapping[str, Any]) -> None:
        self._environ = environ

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for key, value in self._environ.items():
            if key.startswith("HTTP_"):
                yield key[5:].replace("_", "-").lower(), value
            elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
                yield key.replace("_", "-").lower(), value


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


@dataclass(slots=True)
class Request:
    """What an adapter extracts from its framework's request; a function's view of it.

    A parameter annotated ``Request`` receives a read-only copy (``view``) whose
    ``request_id`` is set. Adapters build a new one per request and never change it (it is
    not frozen only because frozen dataclasses cost a microsecond more per request).

    Attributes:
        method: The HTTP method, upper case.
        path: The URL path (decoded, without the query string).
        query_string: The raw query string (without ``?``).
        headers: The request headers.
        body: The body bytes, already read within the size limit.
        client: The client's ``(host, port)``, when the server knows it.
        scheme: ``"http"`` or ``"https"``.
        request_id: The request id (set on a function's view).
    """

    method: str
    path: str
    query_string: str = ""
    headers: Headers = field(default_factory=lambda: Headers(()))
    body: bytes = b""
    client: tuple[str, int] | None = None
    scheme: str = "http"
    request_id: str = ""

    def query(self) -> list[tuple[str, str]]:
        """The query parameters as ``(name, value)`` pairs."""
        if not self.query_string:
            return []
        return parse_qsl(self.query_string, keep_blank_values=True)

    @property
    def url(self) -> str:
        """The full URL: scheme, ``Host`` header, path and query string."""
        host = self.headers.get("host") or "localhost"
        url = f"{self.scheme}://{host}{quote(self.path, safe=_PATH_SAFE)}"
        return f"{url}?{self.query_string}" if self.query_string else url

    @property
    def cookies(self) -> dict[str, str]:
        """The ``Cookie`` header's cookies by name (empty when it cannot be parsed)."""
        return parse_cookies(self.headers.get("cookie"))

    def view(self, request_id: str) -> Request:
        """A read-only copy with ``request_id`` set: what a function receives."""
        copy = object.__new__(_ReadOnlyRequest)
        for name in _REQUEST_FIELDS:
            object.__setattr__(copy, name, getattr(self, name))
        object.__setattr__(copy, "request_id", request_id)
        return copy


class _ReadOnlyRequest(Request):
    __slots__ = ()

    def __setattr__(self, name: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"the request is read-only; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"the request is read-only; cannot delete {name!r}")


_REQUEST_FIELDS = tuple(f.name for f in dataclasses.fields(Request))


def parse_cookies(header: str | None) -> dict[str, str]:
    """The cookies of a ``Cookie`` header by name (empty when absent or unparsable)."""
    if not header:
        return {}
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


HeaderInput = Mapping[str, str] | Iterable[tuple[str, str]] | None


@dataclass(slots=True, init=False)
class Response:
    """An HTTP response: what a function may return, and what adapters send.

    ``content`` is dumped to JSON with the rules of a plain result (``application/json``),
    except ``bytes`` and ``str`` given with a ``media_type``, which are sent as they are
    (text, CSV, a PDF). ``None`` sends no body. ``str`` bodies of ``text/*`` media types get
    ``; charset=utf-8``.

    Args:
        content: The body.
        status: The HTTP status code.
        headers: Extra headers, as a mapping or ``(name, value)`` pairs.
        media_type: The ``Content-Type`` (default: JSON for dumped content).

    Raises:
        apicore_introspect.ResultError: ``content`` has no JSON form.

    Attributes:
        status: The HTTP status code.
        body: The body bytes.
        headers: ``(name, value)`` pairs, ``Content-Type`` included.
        native: A framework's own response object, sent untouched by its adapter.
    """

    status: int
    body: bytes
    headers: list[tuple[str, str]]
    native: Any
    stream: Iterable[bytes | str] | AsyncIterable[bytes | str] | None
    streaming: ClassVar[bool] = False

    def __init__(
        self,
        content: Any = None,
        *,
        status: int = 200,
        headers: HeaderInput = None,
        media_type: str | None = None,
    ) -> None:
        if not 100 <= status <= 599:
            raise ValueError(f"status must be 100-599, not {status!r}")
        pairs = _pairs(headers)
        if content is None:
            body = b""
        elif isinstance(content, (bytes, bytearray, memoryview)):
            body = bytes(content)
            media_type = media_type or "application/octet-stream"
        elif isinstance(content, str) and media_type is not None:
            body = content.encode("utf-8")
        else:
            body = dump_json(content)
            media_type = media_type or JSON
        if media_type is not None and not any(k.lower() == "content-type" for k, _ in pairs):
            if media_type.startswith("text/") and "charset" not in media_type:
                media_type += "; charset=utf-8"
            pairs.insert(0, ("Content-Type", media_type))
        self.status = status
        self.body = body
        self.headers = pairs
        self.native = None
        self.stream = None

    @classmethod
    def raw(
        cls, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None
    ) -> Response:
        """A response from ready parts (no checks, no copies): the pipeline's own answers."""
        response = cls.__new__(cls)
        response.status = status
        response.body = body
        response.headers = headers if headers is not None else []
        response.native = None
        response.stream = None
        return response

    @classmethod
    def json(cls, status: int, body: bytes, *, content_type: str = JSON) -> Response:
        """A JSON response from already-serialized bytes."""
        return cls.raw(status, body, [("Content-Type", content_type)])

    @classmethod
    def wrap(cls, native: Any, status: int) -> Response:
        """A framework's own response object (``status`` is for the access log)."""
        response = cls.raw(status)
        response.native = native
        return response

    def copy(self) -> Response:
        """A copy with its own header list (a returned response may be a shared constant)."""
        clone = type(self).raw(self.status, self.body, list(self.headers))
        clone.native = self.native
        clone.stream = self.stream
        return clone

    def header(self, name: str) -> str | None:
        """The first value of a response header (any case)."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


class StreamingResponse(Response):
    """A response whose body is sent in chunks as an iterator yields them (downloads).

    Args:
        content: An iterator or async iterator of ``bytes`` (or ``str``, sent as UTF-8).
            Sync iterators run in a worker thread under ASGI.
        status: The HTTP status code.
        headers: Extra headers, as a mapping or ``(name, value)`` pairs.
        media_type: The ``Content-Type`` (default ``application/octet-stream``).
    """

    streaming: ClassVar[bool] = True

    def __init__(
        self,
        content: Iterable[bytes | str] | AsyncIterable[bytes | str],
        *,
        status: int = 200,
        headers: HeaderInput = None,
        media_type: str | None = "application/octet-stream",
    ) -> None:
        if isinstance(content, (bytes, str)) or not isinstance(content, (Iterable, AsyncIterable)):
            raise TypeError("content must be an iterator or async iterator of bytes or str")
        super().__init__(None, status=status, headers=headers, media_type=media_type)
        self.stream = content


class HTTPError(Exception):
    """Raise it in a function to answer with an ``application/problem+json`` error.

    Args:
        status: The HTTP status, 400-599.
        detail: What went wrong, for the client.
        title: The problem's title (default: the status's reason phrase).
        headers: Extra response headers (``Retry-After``, ``WWW-Authenticate``, ...).
        type: The problem type URI (default ``urn:apicore:problem:<slug>``).
        extra: More members of the problem document (not ``type``, ``title``,
            ``status``, ``detail``).
    """

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        type: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        code: object = status  # checked at run time too: callers are not always typed
        if not isinstance(code, int) or not 400 <= code <= 599:
            raise ValueError(f"HTTPError status must be 400-599, not {status!r}")
        clash = {"type", "title", "status", "detail"} & set(extra or {})
        if clash:
            raise ValueError(f"extra cannot set {sorted(clash)}; use the arguments")
        super().__init__(detail or _phrase(status))
        self.status = status
        self.detail = detail
        self.title = title
        self.headers = dict(_pairs(headers))  # no line breaks: no header injection
        self.type = type
        self.extra = dict(extra or {})

    def problem_fields(self) -> dict[str, Any]:
        """The problem protocol's members (and ``type`` when one was given)."""
        title = self.title if self.title is not None else _TITLES.get(self.status)
        fields = {
            "status": self.status,
            "slug": _SLUGS.get(self.status, "error"),
            "title": title or _phrase(self.status),
            "detail": self.detail,
            "errors": (),
            **self.extra,
        }
        return fields if self.type is None else {**fields, "type": self.type}

    def problem(self) -> dict[str, Any]:
        """The problem document this error is answered with (``render_problem(self)``)."""
        return render_problem(self)

    def response(self) -> Response:
        """The ``application/problem+json`` response."""
        return problem_response(self.problem(), headers=self.headers.items())


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _pairs(headers: HeaderInput) -> list[tuple[str, str]]:
    if headers is None:
        return []
    items = headers.items() if isinstance(headers, Mapping) else headers
    pairs = []
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"header names and values must be str, not {name!r}: {value!r}")
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            raise ValueError(f"header {name!r} has a line break or a colon in its name")
        pairs.append((name, value))
    return pairs


def problem_response(
    problem: Mapping[str, Any], *, headers: Iterable[tuple[str, str]] = ()
) -> Response:
    """An ``application/problem+json`` response for an RFC 9457 problem document."""
    body = json.dumps(problem, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response.raw(
        int(problem["status"]), body, [("Content-Type", PROBLEM_MEDIA_TYPE), *headers]
    )


def problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """A problem document for the statuses the pipeline produces itself (404, 405, 413, ...)."""
    return {
        "type": PROBLEM_TYPE_PREFIX + _SLUGS.get(status, "error"),
        "title": _TITLES.get(status) or _phrase(status),
        "status": status,
        "detail": detail,
        **extra,
    }


def werkzeug_error(exc: Any) -> HTTPError | Response:
    """Answer werkzeug's ``HTTPException`` raised by a function (``flask.abort()``).

    The mapper the Flask adapters give ``Api.map_exception``; it reads the exception's
    attributes and imports no framework. A response attached to the exception is sent as it
    is; a status under 400 (a redirect) keeps its headers; an error becomes a problem
    document with the exception's status, description and headers.
    """
    if exc.response is not None:
        return Response.wrap(exc.response, exc.response.status_code)
    code = exc.code or 500
    headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
    if code < 400:
        return Response(status=code, headers=headers)
    return HTTPError(code, exc.description or None, headers=dict(headers))
