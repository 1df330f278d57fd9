"""apicore-auth: public API."""

from apicore_auth.__about__ import __version__

__all__ = ["__version__"]
