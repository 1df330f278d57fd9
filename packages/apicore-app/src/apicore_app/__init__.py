"""apicore-app: the framework-neutral application core of symmetric and asymmetric.

Declare routes on an ``Api``; an adapter turns each framework request into a ``Request`` and
serves ``Api.handle(request)`` (WSGI) or ``await Api.handle_async(request)`` (ASGI).
"""

from apicore_app.__about__ import __version__
from apicore_app._app import Api, Call, Route, request_id
from apicore_app._errors import AppError, DuplicateRouteError, InvalidRouteError, RouteError
from apicore_app._http import Headers, Request, Response, problem, problem_response
from apicore_app._loading import import_failure
from apicore_app._logging import configure_logging

__all__ = [
    "Api",
    "AppError",
    "Call",
    "DuplicateRouteError",
    "Headers",
    "InvalidRouteError",
    "Request",
    "Response",
    "Route",
    "RouteError",
    "__version__",
    "configure_logging",
    "import_failure",
    "problem",
    "problem_response",
    "request_id",
]
