"""symmetric: turn a Python module into a Flask/WSGI API in minutes.

Legacy symmetric's code runs unchanged (``@symmetric.router("/add")`` on a function, then
``symmetric run module`` or ``gunicorn module:symmetric``). ``Symmetric`` builds independent
apps; the request pipeline is ``apicore_app.Api``'s.
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
from symmetric.__about__ import __version__
from symmetric._app import Endpoint, Symmetric
from symmetric._errors import (
    AppImportError,
    AuthenticationRequiredError,
    DuplicatedRouteError,
    IncorrectRouteFormatError,
    InvalidTokenNameError,
    SymmetricError,
)

#: The process-wide app of legacy symmetric (``from symmetric import symmetric``).
symmetric = Symmetric()

#: Legacy ``symmetric.version_info``.
version_info = tuple(int(part) for part in __version__.split("."))

__all__ = [
    "AppImportError",
    "AuthenticationRequiredError",
    "Cookie",
    "DuplicatedRouteError",
    "Endpoint",
    "Form",
    "HTTPError",
    "Header",
    "IncorrectRouteFormatError",
    "InvalidTokenNameError",
    "Path",
    "Query",
    "Request",
    "Response",
    "StreamingResponse",
    "Symmetric",
    "SymmetricError",
    "UploadFile",
    "__version__",
    "symmetric",
    "version_info",
]
