"""asymmetric: the async framework that calls you back.

Plain and ``async`` functions become a validated, documented ASGI API (Starlette inside,
``apicore-app`` for the request pipeline)::

    from asymmetric import asymmetric

    @asymmetric.router("/add")
    def add(a: int, b: int = 372) -> int:
        return a + b

Run it with ``asymmetric run module --reload`` or ``uvicorn module:asymmetric``.
"""

import typing

from apicore_app import (
    Cookie,
    Form,
    Header,
    HTTPError,
    Path,
    Query,
    Request,
    Response,
    StreamingResponse,
    UploadFile,
)
from asymmetric.__about__ import __version__
from asymmetric._app import Asymmetric, asymmetric
from asymmetric._errors import AppImportError, AsymmetricError, DuplicatedEndpointError

if typing.TYPE_CHECKING:
    from asymmetric._callback_errors import InvalidCallbackHeadersError, InvalidCallbackObjectError

version_info: tuple[int, ...] = tuple(int(part) for part in __version__.split(".")[:3])
"""The version as a tuple of ints, as the legacy package exported it."""

__all__ = [
    "AppImportError",
    "Asymmetric",
    "AsymmetricError",
    "Cookie",
    "DuplicatedEndpointError",
    "Form",
    "HTTPError",
    "Header",
    "InvalidCallbackHeadersError",
    "InvalidCallbackObjectError",
    "Path",
    "Query",
    "Request",
    "Response",
    "StreamingResponse",
    "UploadFile",
    "__version__",
    "asymmetric",
    "version_info",
]


def __getattr__(name: str) -> typing.Any:
    # the callback errors load apicore-callbacks: only when asked for (issue 19)
    if name in ("InvalidCallbackHeadersError", "InvalidCallbackObjectError"):
        from asymmetric import _callback_errors

        return getattr(_callback_errors, name)
    raise AttributeError(f"module 'asymmetric' has no attribute {name!r}")
