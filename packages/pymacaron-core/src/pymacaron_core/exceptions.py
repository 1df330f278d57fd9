"""The exceptions of pymacaron-core (legacy names, import path and status codes kept).

``PyMacaronCoreException`` is the base class, as in pymacaron-core 1.x
(``from pymacaron_core.exceptions import PyMacaronCoreException``). Each class carries the
HTTP status it answers with as ``status_code`` (legacy attribute).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import apicore_specbind


class PyMacaronCoreException(Exception):
    """Base class of the errors raised by pymacaron-core; answers 500 unless a subclass says."""

    status_code = 500


class KlueException(PyMacaronCoreException):
    """Legacy alias kept so old ``except KlueException`` clauses still import."""


class ValidationError(PyMacaronCoreException, ValueError):
    """A request (or model data) does not fit the spec; answers 400 by default.

    Attributes:
        status_code: The HTTP status (400, or the status of the problem it wraps: 413, 415...).
        problem: The RFC 9457 problem document describing every failure, when there is one.
    """

    status_code = 400

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        problem: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        if status is not None:
            self.status_code = status
        self.problem: dict[str, Any] | None = dict(problem) if problem is not None else None


class InternalServerError(PyMacaronCoreException):
    """A server-side failure (a handler's result that does not fit the spec, for example)."""


class MergeApisException(PyMacaronCoreException):
    """``ApiPool.merge()`` found one model name defined differently in two APIs."""


class PyMacaronModelException(PyMacaronCoreException):
    """A model was used in a way the spec does not allow."""


class SpawnError(PyMacaronCoreException, ImportError):
    """A handler or decorator named in the spec cannot be imported when spawning the server."""


class SpecLoadError(PyMacaronCoreException, apicore_specbind.SpecLoadError):
    """The spec given to ``ApiPool.add`` cannot be loaded (every issue listed, with its path).

    Both a :class:`PyMacaronCoreException` (as pymacaron-core 1.x promised) and an
    :class:`apicore_specbind.SpecLoadError`; the specbind error it wraps (an
    ``UnsafeYAMLError``, a ``SpecLimitError``...) is its ``__cause__``.
    """


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
