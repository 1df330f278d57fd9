"""Legacy import path: ``from pymacaron_core.utils import get_function``."""

from __future__ import annotations

from typing import Any

from apicore_specbind import import_object
from pymacaron_core.exceptions import PyMacaronCoreException, SpawnError

__all__ = ["get_function"]


def get_function(path: str) -> Any:
    """Import ``package.module.name`` and return ``name`` (legacy helper).

    Raises:
        PyMacaronCoreException: the path has no dot, or the import fails.
    """
    if "." not in path:
        raise PyMacaronCoreException(f"Path [{path}] is too short. Should be at least module.func.")
    try:
        return import_object(path)
    except ImportError as exc:
        raise PyMacaronCoreException(f"Failed to import {path}: {exc}") from exc


def import_named(dotted: str, what: str) -> Any:
    """The object a spec extension names (``package.module.name``), or a ``SpawnError``.

    Shared by the server (handlers, ``x-decorate-server``) and the client
    (``x-decorate-request``); not part of the legacy ``utils`` API.
    """
    try:
        return import_object(dotted)
    except ImportError as exc:
        raise SpawnError(f"Failed to import the {what} {dotted!r}: {exc}") from exc
