"""apicore-specbind: Swagger 2.0 / OpenAPI 3.0 / 3.1 specs, models, request/response handling.

Framework-neutral: servers and clients are thin layers over :class:`Spec` and :class:`Operation`.
"""

import warnings

from apicore_introspect import PROBLEM_TYPE_PREFIX as _PROBLEM_TYPE_PREFIX
from apicore_specbind.__about__ import __version__
from apicore_specbind._errors import (
    BodyTooLargeError,
    ClientArgumentError,
    ErrorDetail,
    MalformedRequestError,
    ModelError,
    RefResolutionError,
    RequestValidationError,
    ResponseValidationError,
    ServerURLError,
    SpecError,
    SpecIssue,
    SpecLimitError,
    SpecLoadError,
    SpecRequestError,
    SpecValidationWarning,
    UndeclaredStatusError,
    UnknownModelError,
    UnsafeYAMLError,
    UnsupportedMediaTypeError,
)
from apicore_specbind._models import Model, ModelNamespace, jsonable
from apicore_specbind._operation import Operation
from apicore_specbind._parse import SpecLimits
from apicore_specbind._parts import (
    MediaType,
    OutgoingRequest,
    Parameter,
    ParsedRequest,
    RequestBody,
    Response,
)
from apicore_specbind._spec import Spec, clear_cache, import_object, load_spec
from apicore_specbind._validate import Format

# Old names (deprecated, see CHANGELOG): new name, or the value itself.
_RENAMED: dict[str, str] = {
    "PROBLEM_TYPE_PREFIX": "apicore_introspect.PROBLEM_TYPE_PREFIX (applied by render_problem)",
    "RequestError": "SpecRequestError (apicore_introspect.RequestError is function-first's)",
}


def __getattr__(name: str) -> object:
    if name not in _RENAMED:
        raise AttributeError(f"module 'apicore_specbind' has no attribute {name!r}")
    warnings.warn(
        f"apicore_specbind.{name} is deprecated: use {_RENAMED[name]}", DeprecationWarning, 2
    )
    return _PROBLEM_TYPE_PREFIX if name == "PROBLEM_TYPE_PREFIX" else SpecRequestError


__all__ = [
    "BodyTooLargeError",
    "ClientArgumentError",
    "ErrorDetail",
    "Format",
    "MalformedRequestError",
    "MediaType",
    "Model",
    "ModelError",
    "ModelNamespace",
    "Operation",
    "OutgoingRequest",
    "Parameter",
    "ParsedRequest",
    "RefResolutionError",
    "RequestBody",
    "RequestValidationError",
    "Response",
    "ResponseValidationError",
    "ServerURLError",
    "Spec",
    "SpecError",
    "SpecIssue",
    "SpecLimitError",
    "SpecLimits",
    "SpecLoadError",
    "SpecRequestError",
    "SpecValidationWarning",
    "UndeclaredStatusError",
    "UnknownModelError",
    "UnsafeYAMLError",
    "UnsupportedMediaTypeError",
    "__version__",
    "clear_cache",
    "import_object",
    "jsonable",
    "load_spec",
]
