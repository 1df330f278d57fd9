"""The exceptions of symmetric, under legacy symmetric's names.

``SymmetricError`` is the base of them all. Each also subclasses the apicore error it
translates, so ``except IncorrectRouteFormatError`` (legacy) and ``except InvalidRouteError``
(apicore-app) both catch a bad route.
"""

from __future__ import annotations

import apicore_app
import apicore_auth


class SymmetricError(Exception):
    """Base class of every exception raised by symmetric."""


class AppImportError(SymmetricError, ImportError):
    """The CLI could not import the module or find its ``Symmetric`` object."""


class IncorrectRouteFormatError(SymmetricError, apicore_app.InvalidRouteError):
    """A route's path or methods cannot be served (legacy symmetric called ``sys.exit(1)``)."""


class DuplicatedRouteError(SymmetricError, apicore_app.DuplicateRouteError):
    """The same path and method were routed twice; raised when the function is decorated."""


class InvalidTokenNameError(SymmetricError, apicore_auth.InvalidTokenNameError):
    """``set_client_token_name``/``set_server_token_name`` got an unusable name."""


class AuthenticationRequiredError(SymmetricError, apicore_auth.CredentialsError):
    """Kept so legacy imports work; never raised (a bad token gets a 401 problem)."""
