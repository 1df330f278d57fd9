"""apicore-introspect: a Python callable as a validated, documented HTTP operation.

``describe(func)`` reads a function's signature, type hints and docstring once and returns an
``Operation``: JSON Schemas for its parameters and result, and a compiled binder that turns
request bodies, query and path parameters into the function's typed arguments, reporting
every failure as an RFC 9457 problem document.
"""

from apicore_introspect.__about__ import __version__
from apicore_introspect._binder import RequestParts
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
    RequestError,
    ResultError,
    SignatureError,
    UnsupportedAnnotationError,
    ValidationError,
)
from apicore_introspect._files import UploadFile
from apicore_introspect._json import JsonDecoder, Limits, dump_json
from apicore_introspect._markers import Cookie, Form, Header, Path, Query, Source
from apicore_introspect._operation import REQUIRED, Operation, Parameter, describe
from apicore_introspect._problem import (
    PROBLEM_MEMBERS,
    PROBLEM_TYPE_PREFIX,
    ProblemError,
    render_problem,
)
from apicore_introspect._timeparse import parse_date, parse_datetime
from apicore_introspect._types import Definitions

__all__ = [
    "Cookie",
    "Definitions",
    "Doc",
    "Docstring",
    "ErrorDetail",
    "Examples",
    "Form",
    "Header",
    "IntrospectError",
    "JsonDecoder",
    "JsonSchema",
    "Length",
    "Limits",
    "MalformedRequestError",
    "MultipleOf",
    "Operation",
    "PROBLEM_MEMBERS",
    "PROBLEM_TYPE_PREFIX",
    "Parameter",
    "Path",
    "Pattern",
    "ProblemError",
    "Query",
    "REQUIRED",
    "Range",
    "RequestError",
    "RequestParts",
    "ResultError",
    "SignatureError",
    "Source",
    "UnsupportedAnnotationError",
    "UploadFile",
    "ValidationError",
    "__version__",
    "describe",
    "dump_json",
    "parse_date",
    "parse_datetime",
    "parse_docstring",
    "render_problem",
]
