"""API tokens for HTTP APIs: hashed at rest, rotation, scopes, constant-time checks and OpenAPI security schemes."""

from apicore_auth.__about__ import __version__

__all__ = ["__version__"]
