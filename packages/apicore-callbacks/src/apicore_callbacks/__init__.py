"""apicore-callbacks: public API."""

from apicore_callbacks.__about__ import __version__

__all__ = ["__version__"]
