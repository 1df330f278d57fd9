"""pymacaron-core: spec-first Flask microservices from Swagger 2.0 and OpenAPI 3.x.

``ApiPool.add("login", yaml_path="login.yaml")`` loads a spec (through apicore-specbind);
``ApiPool.login.spawn_api(app)`` mounts every ``x-bind-server`` operation on a Flask app with
validated, typed arguments and model bodies; ``ApiPool.login.model.Credentials`` are the
models; ``ApiPool.login.client.<x-bind-client>(...)`` calls the API with safe retries
(through apicore-client). Legacy imports (``pymacaron_core.swagger.apipool``,
``pymacaron_core.exceptions``) keep working.
"""

import warnings

from pymacaron_core.__about__ import __version__
from pymacaron_core._api import API
from pymacaron_core._binding import SpecBinding, default_error_callback, legacy_arguments
from pymacaron_core._calls import (
    CALL_ID_HEADER,
    CALL_PATH_HEADER,
    current_call_id,
    current_call_path,
    incoming_call_context,
)
from pymacaron_core._client import ApiClient, legacy_base_url
from pymacaron_core._legacy import (
    LEGACY_KWARGS,
    LEGACY_PARAMETERS,
    LegacyCallOptions,
    legacy_call_options,
    pop_call_options,
    pop_legacy_kwargs,
)
from pymacaron_core._pool import ApiPool, Pool
from pymacaron_core._server import SpecRoute, plan_route
from pymacaron_core.exceptions import (
    InternalServerError,
    KlueException,
    MergeApisException,
    PyMacaronCoreException,
    PyMacaronModelException,
    SpawnError,
    SpecLoadError,
    ValidationError,
)

_DEPRECATED = {
    # old name: (new object, message); see CHANGELOG
    "OperationView": (
        SpecBinding,
        "operations are served by apicore-app through pymacaron_core.SpecBinding",
    ),
    "Route": (SpecRoute, "use SpecRoute (apicore_app.Route is the app's route)"),
}


def __getattr__(name: str) -> object:
    if name not in _DEPRECATED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value, advice = _DEPRECATED[name]
    warnings.warn(f"pymacaron_core.{name} is deprecated: {advice}", DeprecationWarning, 2)
    return value


__all__ = [
    "API",
    "ApiClient",
    "ApiPool",
    "CALL_ID_HEADER",
    "CALL_PATH_HEADER",
    "InternalServerError",
    "KlueException",
    "LEGACY_KWARGS",
    "LEGACY_PARAMETERS",
    "LegacyCallOptions",
    "MergeApisException",
    "Pool",
    "PyMacaronCoreException",
    "PyMacaronModelException",
    "SpawnError",
    "SpecBinding",
    "SpecLoadError",
    "SpecRoute",
    "ValidationError",
    "__version__",
    "current_call_id",
    "current_call_path",
    "default_error_callback",
    "incoming_call_context",
    "legacy_arguments",
    "legacy_base_url",
    "legacy_call_options",
    "plan_route",
    "pop_call_options",
    "pop_legacy_kwargs",
]
