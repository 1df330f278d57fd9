"""The exceptions of asymmetric, under their legacy names.

``AsymmetricError`` is the base of all of them; each also subclasses the apicore exception
it stands for (and so a builtin), so ``except ValueError`` or
``except apicore_app.DuplicateRouteError`` keep working too.
"""

from __future__ import annotations

import apicore_app
import apicore_callbacks


class AsymmetricError(Exception):
    """Base class of every exception raised by asymmetric."""


class DuplicatedEndpointError(AsymmetricError, apicore_app.DuplicateRouteError):
    """The same route and HTTP method were decorated twice (raised at decoration time)."""


class InvalidCallbackObjectError(AsymmetricError, apicore_callbacks.InvalidCallbackObjectError):
    """``callback=`` is not ``True``/``False`` or a dict of the three header-name keys."""


class InvalidCallbackHeadersError(AsymmetricError, apicore_callbacks.CallbackRequestError):
    """A request's callback headers are invalid.

    Kept for imports of the legacy name: a request with bad callback headers is answered with
    a 422 problem document, so this is never raised to your code.
    """


class AppImportError(AsymmetricError, ImportError):
    """The CLI could not import the module or find its ``asymmetric`` object."""
