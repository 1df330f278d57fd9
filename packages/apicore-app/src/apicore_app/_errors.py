"""The exceptions of apicore-app: route declaration errors (request-time failures are answered)."""

from __future__ import annotations


class AppError(Exception):
    """Base class of every exception raised by apicore-app."""


class RouteError(AppError, ValueError):
    """A route declaration is wrong; raised when the function is decorated."""


class InvalidRouteError(RouteError):
    """A route's path or methods cannot be served."""


class DuplicateRouteError(RouteError):
    """The same path and method were declared twice."""
