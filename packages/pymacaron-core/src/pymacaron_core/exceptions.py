"""Legacy import path: ``from pymacaron_core.exceptions import PyMacaronCoreException``."""

from __future__ import annotations

from pymacaron_core._errors import (
    InternalServerError,
    KlueException,
    MergeApisException,
    PyMacaronCoreException,
    PyMacaronModelException,
    SpawnError,
    SpecLoadError,
    ValidationError,
)

__all__ = [
    "InternalServerError",
    "KlueException",
    "MergeApisException",
    "PyMacaronCoreException",
    "PyMacaronModelException",
    "SpawnError",
    "SpecLoadError",
    "ValidationError",
]
