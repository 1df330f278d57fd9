"""The exceptions of apicore-openapi: one hierarchy, rooted in ``OpenApiError``."""

from __future__ import annotations


class OpenApiError(Exception):
    """Base class of every error raised by apicore-openapi."""


class EndpointError(OpenApiError, ValueError):
    """An endpoint cannot be documented as given (bad path, method or code)."""


class AssetNotFoundError(OpenApiError, LookupError):
    """A docs asset path names no packaged file (answer 404)."""
