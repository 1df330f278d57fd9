"""apicore-app: the framework-neutral application core of symmetric and asymmetric.

Declare routes on an ``Api``; an adapter turns each framework request into a ``Request`` and
serves ``Api.handle(request)`` (WSGI) or ``await Api.handle_async(request)`` (ASGI).
"""

from apicore_app.__about__ import __version__
from apicore_app._app import Api, Call, ExceptionMapper, Route, close_stream, request_id
from apicore_app._errors import AppError, DuplicateRouteError, InvalidRouteError, RouteError
from apicore_app._forms import FormError, FormLimits
from apicore_app._http import (
    Headers,
    HTTPError,
    Request,
    Response,
    StreamingResponse,
    problem,
    problem_response,
)
from apicore_app._loading import import_failure, unknown_keywords
from apicore_app._logging import configure_logging
from apicore_introspect import (
    PROBLEM_TYPE_PREFIX,
    Cookie,
    Form,
    Header,
    Path,
    ProblemError,
    Query,
    UploadFile,
    render_problem,
)

__all__ = [
    "Api",
    "AppError",
    "Call",
    "Cookie",
    "DuplicateRouteError",
    "ExceptionMapper",
    "Form",
    "FormError",
    "FormLimits",
    "HTTPError",
    "Header",
    "Headers",
    "InvalidRouteError",
    "PROBLEM_TYPE_PREFIX",
    "Path",
    "ProblemError",
    "Query",
    "Request",
    "Response",
    "Route",
    "RouteError",
    "StreamingResponse",
    "UploadFile",
    "__version__",
    "close_stream",
    "configure_logging",
    "import_failure",
    "problem",
    "problem_response",
    "render_problem",
    "request_id",
    "unknown_keywords",
]
