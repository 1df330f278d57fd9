"""Path templates and the route table (pure).

Routes use ``{name}`` path parameters (``/items/{item_id}``), matching one path segment.
Static paths are found with one dict lookup; templated ones by their compiled regex.
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

from apicore_app._errors import DuplicateRouteError, InvalidRouteError
from apicore_introspect.frozen import frozen

METHODS = ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE")
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_SEGMENT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%-]*")

T = TypeVar("T")


def normalize_methods(methods: object) -> tuple[str, ...]:
    """``["post", " Get "]`` -> ``("POST", "GET")``; unknown names are an error.

    Raises:
        InvalidRouteError: A bare string, an empty list or an unknown method.
    """
    if isinstance(methods, str) or not isinstance(methods, (list, tuple, set, frozenset)):
        raise InvalidRouteError(
            f"methods must be a list of HTTP method names such as ['post'], not {methods!r}"
        )
    names = tuple(dict.fromkeys(str(m).strip().upper() for m in methods))
    unknown = [m for m in names if m not in METHODS]
    if unknown or not names:
        raise InvalidRouteError(
            f"unknown HTTP method(s) {unknown or list(methods)!r}; use {', '.join(METHODS)}"
        )
    return names


@frozen
class PathTemplate:
    """A compiled route path.

    Attributes:
        path: The template, e.g. ``/items/{item_id}``.
        params: The parameter names, in order.
    """

    path: str
    params: tuple[str, ...]
    regex: re.Pattern[str] | None

    @classmethod
    def compile(cls, path: str) -> PathTemplate:
        """Check and compile a template.

        Raises:
            InvalidRouteError: The path does not start with ``/``, has an empty or invalid
                segment, or repeats a parameter.
        """
        given: object = path  # decorators are called with anything; check at run time
        if not isinstance(given, str) or not path.startswith("/"):
            raise InvalidRouteError(f"route {path!r} must be a string starting with '/'")
        if "//" in path or (len(path) > 1 and path.endswith("/")):
            raise InvalidRouteError(f"route {path!r} has an empty segment; remove the extra '/'")
        params: list[str] = []
        pattern = ""
        for segment in path.split("/")[1:]:
            pattern += "/"
            pos = 0
            for match in _PARAM.finditer(segment):
                literal = segment[pos : match.start()]
                if not _SEGMENT.fullmatch(literal):
                    raise InvalidRouteError(f"route {path!r}: invalid characters in {segment!r}")
                pattern += re.escape(literal) + f"(?P<{match.group(1)}>[^/]+)"
                params.append(match.group(1))
                pos = match.end()
            rest = segment[pos:]
            if not _SEGMENT.fullmatch(rest) or "{" in rest or "}" in rest:
                raise InvalidRouteError(
                    f"route {path!r}: invalid segment {segment!r}; path parameters look like "
                    "{name} with a Python identifier as name"
                )
            pattern += re.escape(rest)
        if len(set(params)) != len(params):
            raise InvalidRouteError(f"route {path!r} repeats a path parameter")
        regex = re.compile(pattern) if params else None
        return cls(path, tuple(params), regex)


class _Entry(Generic[T]):
    """One path's handlers by method, filled in as routes are added."""

    __slots__ = ("allowed", "handlers", "template")

    def __init__(self, template: PathTemplate) -> None:
        self.template = template
        self.handlers: dict[str, T] = {}
        #: The methods the path accepts (``HEAD`` wherever ``GET`` is), kept when routes are added.
        self.allowed: tuple[str, ...] = ()


@frozen
class Match(Generic[T]):
    """A request's route: its handler and path parameters, or why there is none.

    Attributes:
        handler: The handler for the method, or ``None``.
        params: Path parameters (raw text).
        allowed: The methods the path accepts (empty when the path is unknown).
    """

    handler: T | None
    params: dict[str, str]
    allowed: tuple[str, ...]


class RouteTable(Generic[T]):
    """Handlers by path template and method."""

    def __init__(self) -> None:
        self._static: dict[str, _Entry[T]] = {}
        self._dynamic: list[_Entry[T]] = []

    def add(self, template: PathTemplate, methods: tuple[str, ...], handler: T) -> None:
        """Register a handler for some methods of a path.

        Raises:
            DuplicateRouteError: One of the methods is already routed for this path.
        """
        entry = self._entry(template)
        for method in methods:
            if method in entry.handlers:
                raise DuplicateRouteError(
                    f"Endpoint '{template.path}' with HTTP method '{method}' was defined twice."
                )
        for method in methods:
            entry.handlers[method] = handler
        allowed = tuple(entry.handlers)
        if "GET" in allowed and "HEAD" not in allowed:
            allowed = (*allowed, "HEAD")
        entry.allowed = allowed

    def _entry(self, template: PathTemplate) -> _Entry[T]:
        if template.regex is None:
            return self._static.setdefault(template.path, _Entry(template))
        for entry in self._dynamic:
            if entry.template.path == template.path:
                return entry
        entry = _Entry[T](template)
        self._dynamic.append(entry)
        return entry

    def has_path(self, path: str) -> bool:
        """Whether any route's template matches ``path`` (whatever the method)."""
        if path in self._static:
            return True
        return any(
            entry.template.regex is not None and entry.template.regex.fullmatch(path)
            for entry in self._dynamic
        )

    def match(self, method: str, path: str) -> Match[T]:
        """Find the handler for a request; ``HEAD`` falls back to ``GET``."""
        entry = self._static.get(path)
        params: dict[str, str] = {}
        if entry is None:
            for candidate in self._dynamic:
                assert candidate.template.regex is not None
                found = candidate.template.regex.fullmatch(path)
                if found:
                    entry, params = candidate, found.groupdict()
                    break
            else:
                return Match(None, {}, ())
        handler = entry.handlers.get(method)
        if handler is None and method == "HEAD":
            handler = entry.handlers.get("GET")
        return Match(handler, params, entry.allowed)
