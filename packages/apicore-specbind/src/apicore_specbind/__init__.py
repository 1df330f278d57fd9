"""apicore-specbind: public API."""

from apicore_specbind.__about__ import __version__

__all__ = ["__version__"]
