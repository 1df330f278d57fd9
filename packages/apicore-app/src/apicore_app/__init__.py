"""apicore-app: the framework-neutral application core of symmetric and asymmetric.

Declare routes on an ``Api`` and serve it with ``wsgi_app(api)`` or ``asgi_app(api)``
(plain WSGI and ASGI callables, no framework); adapters add their framework's
registration, decorators and CLI, and pass their framework's app as ``fallback``.
"""

from apicore_app.__about__ import __version__
from apicore_app._adapter import adapter_route
from apicore_app._app import Api, Call, ExceptionMapper, Route, close_stream, request_id
from apicore_app._asgi import AsgiApp, asgi_app
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
    werkzeug_error,
)
from apicore_app._loading import (
    import_failure,
    import_traceback,
    load_app,
    load_or_exit,
    unknown_keywords,
)
from apicore_app._logging import configure_logging
from apicore_app._wsgi import WsgiApp, wsgi_app
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
    "AsgiApp",
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
    "WsgiApp",
    "__version__",
    "adapter_route",
    "asgi_app",
    "close_stream",
    "configure_logging",
    "import_failure",
    "import_traceback",
    "load_app",
    "load_or_exit",
    "problem",
    "problem_response",
    "render_problem",
    "request_id",
    "unknown_keywords",
    "werkzeug_error",
    "wsgi_app",
]
