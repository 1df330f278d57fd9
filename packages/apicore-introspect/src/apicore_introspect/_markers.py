"""Where a parameter comes from: ``Annotated[str, Header("X-Tenant")]`` and friends.

Without a marker a parameter is read from the JSON body (POST, PUT, PATCH), the query
string (other methods) or a ``{name}`` path segment of the same name. A marker places it
explicitly, optionally under another name (its *alias*). ``describe`` reads the markers once,
when the function is decorated; requests never look at annotations.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from apicore_introspect.frozen import frozen

Location = Literal["header", "cookie", "query", "path", "form"]


@frozen
class Source:
    """Base class of the location markers (``Header``, ``Cookie``, ``Query``, ``Path``, ``Form``).

    Attributes:
        alias: The name in the request (default: the parameter's name; for headers, the
            name with ``_`` turned into ``-``).
    """

    location: ClassVar[Location]
    alias: str | None = None

    def key(self, name: str) -> str:
        """The request name of parameter ``name``."""
        return self.alias if self.alias is not None else name


@frozen
class Header(Source):
    """A request header: ``tenant: Annotated[str, Header("X-Tenant")]``.

    Header names are matched in any case. Without an alias, ``if_match`` reads ``If-Match``.
    A list-typed header reads the comma-separated values of the header.
    """

    location: ClassVar[Location] = "header"

    def key(self, name: str) -> str:
        """The header name of parameter ``name``."""
        return self.alias if self.alias is not None else name.replace("_", "-")


@frozen
class Cookie(Source):
    """A cookie of the request: ``session: Annotated[str, Cookie("session")]``."""

    location: ClassVar[Location] = "cookie"


@frozen
class Query(Source):
    """A query-string parameter, also on POST/PUT/PATCH routes.

    ``page: Annotated[int, Query()] = 1`` (the other arguments of such routes are in the body).
    """

    location: ClassVar[Location] = "query"


@frozen
class Path(Source):
    """A ``{name}`` path segment, for a parameter of another name.

    ``item: Annotated[int, Path("id")]`` reads ``{id}``.
    """

    location: ClassVar[Location] = "path"


@frozen
class Form(Source):
    """A field of a form body (``multipart/form-data`` or URL-encoded).

    One ``Form()`` (or one ``UploadFile`` parameter) makes the whole body a form: every
    other unplaced parameter is then a form field too.
    """

    location: ClassVar[Location] = "form"


def find_source(metadata: tuple[Any, ...]) -> Source | None:
    """The location marker among ``Annotated`` metadata (the last one wins), if any."""
    return next((item for item in reversed(metadata) if isinstance(item, Source)), None)
