"""asymmetric: the async framework that calls you back.

Plain and ``async`` functions become a validated, documented ASGI API (Starlette inside,
``apicore-app`` for the request pipeline)::

    from asymmetric import asymmetric

    @asymmetric.router("/add")
    def add(a: int, b: int = 372) -> int:
        return a + b

Run it with ``asymmetric run module --reload`` or ``uvicorn module:asymmetric``.
"""

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
from asymmetric._errors import (
    AppImportError,
    AsymmetricError,
    DuplicatedEndpointError,
    InvalidCallbackHeadersError,
    InvalidCallbackObjectError,
)

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
