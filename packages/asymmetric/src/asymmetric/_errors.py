"""The exceptions of asymmetric, under their legacy names.

``AsymmetricError`` is the base of all of them; each also subclasses the apicore exception
it stands for (and so a builtin), so ``except ValueError`` or
``except apicore_app.DuplicateRouteError`` keep working too. The two callback errors are in
``_callback_errors``, loaded with apicore-callbacks when first asked for.
"""

from __future__ import annotations

import apicore_app


class AsymmetricError(Exception):
    """Base class of every exception raised by asymmetric."""


class DuplicatedEndpointError(AsymmetricError, apicore_app.DuplicateRouteError):
    """The same route and HTTP method were decorated twice (raised at decoration time)."""


class AppImportError(AsymmetricError, ImportError):
    """The CLI could not import the module or find its ``asymmetric`` object."""
