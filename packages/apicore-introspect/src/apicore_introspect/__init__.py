"""apicore-introspect: a Python callable as a validated, documented HTTP operation.

``describe(func)`` reads a function's signature, type hints and docstring once and returns an
``FunctionOperation``: JSON Schemas for its parameters and result, and a compiled binder that turns
request bodies, query and path parameters into the function's typed arguments, reporting
every failure as an RFC 9457 problem document.
"""

import warnings

from apicore_introspect.__about__ import __version__
from apicore_introspect._binder import RequestParts
from apicore_introspect._clock import Clock, SystemClock, parse_retry_after
from apicore_introspect._constraints import (
    Doc,
    Examples,
    JsonSchema,
    Length,
    MultipleOf,
    Pattern,
    Range,
)
from apicore_introspect._docstrings import Docstring, parse_docstring
from apicore_introspect._errors import (
    ErrorDetail,
    IntrospectError,
    MalformedRequestError,
    ProblemFieldsMixin,
    RequestError,
    ResultError,
    SignatureError,
    UnsupportedAnnotationError,
    ValidationError,
)
from apicore_introspect._files import UploadFile
from apicore_introspect._json import (
    DuplicateKeyError,
    JsonDecoder,
    Limits,
    dump_json,
    strict_object_hook,
)
from apicore_introspect._markers import Cookie, Form, Header, Path, Query, Source
from apicore_introspect._nodes import json_type_name
from apicore_introspect._operation import REQUIRED, FunctionOperation, Parameter, describe
from apicore_introspect._problem import (
    PROBLEM_MEDIA_TYPE,
    PROBLEM_MEMBERS,
    PROBLEM_TYPE_PREFIX,
    ProblemError,
    legacy_problem,
    render_problem,
)
from apicore_introspect._propagation import (
    CallContext,
    call_context,
    child_traceparent,
    current_call_context,
    reset_call_context,
    set_call_context,
)
from apicore_introspect._timeparse import parse_date, parse_datetime
from apicore_introspect._types import Definitions

__all__ = [
    "CallContext",
    "Clock",
    "Cookie",
    "Definitions",
    "Doc",
    "Docstring",
    "DuplicateKeyError",
    "ErrorDetail",
    "Examples",
    "Form",
    "FunctionOperation",
    "Header",
    "IntrospectError",
    "JsonDecoder",
    "JsonSchema",
    "Length",
    "Limits",
    "MalformedRequestError",
    "MultipleOf",
    "PROBLEM_MEDIA_TYPE",
    "PROBLEM_MEMBERS",
    "PROBLEM_TYPE_PREFIX",
    "Parameter",
    "Path",
    "Pattern",
    "ProblemError",
    "ProblemFieldsMixin",
    "Query",
    "REQUIRED",
    "Range",
    "RequestError",
    "RequestParts",
    "ResultError",
    "SignatureError",
    "Source",
    "SystemClock",
    "UnsupportedAnnotationError",
    "UploadFile",
    "ValidationError",
    "__version__",
    "call_context",
    "child_traceparent",
    "current_call_context",
    "describe",
    "dump_json",
    "json_type_name",
    "legacy_problem",
    "parse_date",
    "parse_datetime",
    "parse_docstring",
    "parse_retry_after",
    "render_problem",
    "reset_call_context",
    "set_call_context",
    "strict_object_hook",
]

# Old names (deprecated, see CHANGELOG): ``Operation`` is apicore-specbind's spec operation.
_RENAMED = {"Operation": "FunctionOperation"}


def __getattr__(name: str) -> object:
    if name not in _RENAMED:
        raise AttributeError(f"module 'apicore_introspect' has no attribute {name!r}")
    new = _RENAMED[name]
    warnings.warn(f"apicore_introspect.{name} is deprecated: use {new}", DeprecationWarning, 2)
    return globals()[new]
