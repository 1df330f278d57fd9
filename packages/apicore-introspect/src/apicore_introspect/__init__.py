"""apicore-introspect: public API."""

from apicore_introspect.__about__ import __version__

__all__ = ["__version__"]
