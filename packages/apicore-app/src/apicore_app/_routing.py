"""Path templates (``/items/{item_id}``: a parameter matches one segment) and the route table."""

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
    """``["post", " Get "]`` -> ``("POST", "GET")``; ``InvalidRouteError`` if none or unknown."""
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
    """A route path: the template, its parameter names and regex (``None`` if static)."""

    path: str
    params: tuple[str, ...]
    regex: re.Pattern[str] | None

    @classmethod
    def compile(cls, path: str) -> PathTemplate:
        """Check and compile a template; a bad one is an ``InvalidRouteError``."""
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
    # one path's handlers by method, and the methods it accepts (``HEAD`` wherever ``GET`` is)
    __slots__ = ("allowed", "handlers", "template")

    def __init__(self, template: PathTemplate) -> None:
        self.template = template
        self.handlers: dict[str, T] = {}
        self.allowed: tuple[str, ...] = ()


@frozen
class Match(Generic[T]):
    """A request's handler or ``None``, path parameters, and the methods its path accepts."""

    handler: T | None
    params: dict[str, str]
    allowed: tuple[str, ...]


class RouteTable(Generic[T]):
    """Handlers by path template and method."""

    def __init__(self) -> None:
        self._static: dict[str, _Entry[T]] = {}
        self._dynamic: list[_Entry[T]] = []

    def add(self, template: PathTemplate, methods: tuple[str, ...], handler: T) -> None:
        """Register a handler for some methods of a path (``DuplicateRouteError`` if taken)."""
        entry = self._entry(template)
        for method in methods:
            if method in entry.handlers:
                raise DuplicateRouteError(
                    f"Endpoint '{template.path}' with HTTP method '{method}' was defined twice."
                )
        entry.handlers.update(dict.fromkeys(methods, handler))
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
        return path in self._static or any(
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
