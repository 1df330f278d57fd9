"""apicore-specbind: Swagger 2.0 / OpenAPI 3.0 / 3.1 specs, models, request/response handling.

Framework-neutral: servers and clients are thin layers over :class:`Spec` and :class:`Operation`.
"""

from apicore_specbind.__about__ import __version__
from apicore_specbind._errors import (
    PROBLEM_TYPE_PREFIX,
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
    "PROBLEM_TYPE_PREFIX",
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
