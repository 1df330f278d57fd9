"""asymmetric's callback exceptions, loaded with apicore-callbacks on first use (issue 19).

``import asymmetric`` does not load apicore-callbacks: these two classes subclass its
exceptions, so they are built when a callback route is declared or the names are read.
"""

from __future__ import annotations

import apicore_callbacks
from asymmetric._errors import AsymmetricError


class InvalidCallbackObjectError(AsymmetricError, apicore_callbacks.InvalidCallbackObjectError):
    """``callback=`` is not ``True``/``False`` or a dict of the three header-name keys."""


class InvalidCallbackHeadersError(AsymmetricError, apicore_callbacks.CallbackRequestError):
    """A request's callback headers are invalid.

    Kept for imports of the legacy name: a request with bad callback headers is answered with
    a 422 problem document, so this is never raised to your code.
    """
