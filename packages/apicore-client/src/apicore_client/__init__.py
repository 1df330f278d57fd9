"""Retrying HTTP client with correct, idempotency-aware retries, and clients built from OpenAPI/Swagger specs."""

from apicore_client.__about__ import __version__

__all__ = ["__version__"]
