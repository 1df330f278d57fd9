"""apicore-client: public API."""

from apicore_client.__about__ import __version__

__all__ = ["__version__"]
