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
    RequestError,
    RequestValidationError,
    ResponseValidationError,
    SpecError,
    SpecIssue,
    SpecLimitError,
    SpecLoadError,
    SpecValidationWarning,
    UndeclaredStatusError,
    UnknownModelError,
    UnsafeYAMLError,
    UnsupportedMediaTypeError,
)
from apicore_specbind._models import Model, ModelNamespace, jsonable
from apicore_specbind._operation import (
    MediaType,
    Operation,
    OutgoingRequest,
    Parameter,
    ParsedRequest,
    RequestBody,
    Response,
)
from apicore_specbind._parse import SpecLimits
from apicore_specbind._spec import Spec, clear_cache, import_object, load_spec
from apicore_specbind._validate import Format


def __getattr__(name: str) -> object:
    if name == "PROBLEM_TYPE_PREFIX":
        warnings.warn(
            "apicore_specbind.PROBLEM_TYPE_PREFIX is deprecated: use "
            "apicore_introspect.PROBLEM_TYPE_PREFIX (the one prefix, applied by render_problem)",
            DeprecationWarning,
            stacklevel=2,
        )
        return _PROBLEM_TYPE_PREFIX
    raise AttributeError(f"module 'apicore_specbind' has no attribute {name!r}")


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
    "RequestError",
    "RequestValidationError",
    "Response",
    "ResponseValidationError",
    "Spec",
    "SpecError",
    "SpecIssue",
    "SpecLimitError",
    "SpecLimits",
    "SpecLoadError",
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
