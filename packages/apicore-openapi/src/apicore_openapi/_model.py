"""Value objects: what an app tells apicore-openapi about itself."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from apicore_introspect import FunctionOperation, SignatureError
from apicore_openapi._errors import EndpointError

ArgumentSource = Literal["auto", "body", "query"]

#: The HTTP methods an OpenAPI Path Item can hold, in the order documents list them.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: Methods whose arguments come from the JSON body when ``arguments="auto"``.
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_PATH_PARAM = re.compile(r"\{([^{}/]+)\}")


def humanize(name: str) -> str:
    """Humanize a module name as the legacy packages did: ``"my_api"`` -> ``"My Api"``.

    Lowercases, turns ``_`` and ``-`` into spaces, then title-cases; dots are kept.
    """
    return name.lower().replace("_", " ").replace("-", " ").title()


def default_title(module: str | None) -> str:
    """The legacy document title for an app whose functions live in ``module``.

    ``humanize(<top-level package>) + " API"``; ``"Symmetric API"`` when there is no module.
    """
    if not module:
        return "Symmetric API"
    return humanize(module.split(".")[0]) + " API"


def path_parameters(path: str) -> tuple[str, ...]:
    """The ``{name}`` parameters of a path template, in order."""
    return tuple(_PATH_PARAM.findall(path))


@dataclass(frozen=True, slots=True)
class ApiInfo:
    """The document's ``info`` and ``servers``.

    Attributes:
        title: The API's name; see ``default_title`` for the legacy default.
        version: The API's own version (not the OpenAPI version).
        description: Markdown shown at the top of the docs.
        servers: Base URLs, e.g. ``("https://api.example.com",)``.
    """

    title: str = "Symmetric API"
    version: str = "0.0.1"
    description: str = ""
    servers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Callback:
    """How a callback endpoint is documented (plain data; apicore-callbacks can fill it).

    The defaults describe the legacy asymmetric headers. The optional fields replace the
    built-in fragments with ones another package produces, e.g.
    ``apicore_callbacks.callback_parameters(config)``.

    Attributes:
        url_header: Header with the callback URL (required).
        method_header: Header with the callback method.
        key_header: Header with a key to wrap the result as ``{key: result}``.
        methods: The methods the callback request may use.
        status_path: The job status path; its one ``{param}`` is the job id.
        header_parameters: Replacement header Parameter Objects.
        accepted_schema: Replacement schema of the 202 body.
        status_schema: Replacement schema of the job status body.
        callbacks: Replacement OpenAPI ``callbacks`` object.
    """

    url_header: str = "Asymmetric-Callback-URL"
    method_header: str = "Asymmetric-Callback-Method"
    key_header: str = "Asymmetric-Custom-Callback-Key"
    methods: tuple[str, ...] = ("POST", "PUT", "PATCH")
    status_path: str = "/jobs/{job_id}"
    header_parameters: tuple[Mapping[str, Any], ...] = ()
    accepted_schema: Mapping[str, Any] | None = None
    status_schema: Mapping[str, Any] | None = None
    callbacks: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class RouteDoc:
    """One route of an app, to document.

    Attributes:
        path: The path template, with ``{name}`` path parameters.
        operation: The function, described by ``apicore_introspect.describe``.
        methods: HTTP methods (any case).
        response_code: The success status code.
        security: Security requirement alternatives, e.g. ``({"BearerAuth": []},)``;
            empty for a public endpoint.
        security_schemes: The ``components.securitySchemes`` entries ``security`` names.
        callback: Set for a callback endpoint (answers 202, delivers the result later).
        tags: Tags to group operations in the docs.
        summary: Overrides the docstring's summary.
        description: Overrides the docstring's description.
        deprecated: Marks the operation deprecated.
        operation_id: Overrides the generated operationId.
        arguments: Where arguments come from: ``"auto"`` (the body for POST/PUT/PATCH,
            the query string otherwise), ``"body"`` or ``"query"``. Path parameters
            always come from the path.
        responses: More answers to document, as ``(status, doc)`` pairs or a mapping: a
            description (a problem document answer, e.g. ``{404: "No such item"}``) or a
            complete OpenAPI Response Object (which may replace the success response).
    """

    path: str
    operation: FunctionOperation
    methods: tuple[str, ...] = ("POST",)
    response_code: int = 200
    security: tuple[Mapping[str, Sequence[str]], ...] = ()
    security_schemes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    callback: Callback | None = None
    tags: tuple[str, ...] = ()
    summary: str | None = None
    description: str | None = None
    deprecated: bool = False
    operation_id: str | None = None
    arguments: ArgumentSource = "auto"
    responses: Mapping[int, str | Mapping[str, Any]] | tuple[tuple[int, Any], ...] = ()

    def __post_init__(self) -> None:
        declared = self.responses
        pairs = tuple(declared.items()) if isinstance(declared, Mapping) else tuple(declared)
        for status, doc in pairs:
            code: object = status  # checked at run time too: callers are not always typed
            if not isinstance(code, int) or not 100 <= code <= 599:
                raise EndpointError(f"{self.path}: response status {status!r} is not 100-599")
            if not isinstance(doc, (str, Mapping)):
                raise EndpointError(
                    f"{self.path}: response {status} must be a description or a Response Object"
                )
        object.__setattr__(self, "responses", tuple(sorted(pairs, key=lambda p: p[0])))
        if not self.path.startswith("/"):
            raise EndpointError(f"path {self.path!r} must start with '/'")
        given: object = self.methods  # a bare string is a common slip: "GET" is not ("GET",)
        if isinstance(given, str):
            raise EndpointError(
                f"methods must be a sequence of names, not the string {self.methods!r}"
            )
        methods = tuple(dict.fromkeys(m.upper() for m in self.methods))
        unknown = [m for m in methods if m.lower() not in METHODS]
        if unknown or not methods:
            raise EndpointError(
                f"{self.path}: unknown HTTP method(s) {unknown or methods!r}; use GET, POST, ..."
            )
        object.__setattr__(self, "methods", methods)
        if not 100 <= self.response_code <= 599:
            raise EndpointError(f"{self.path}: response code {self.response_code} is not 100-599")
        if self.arguments not in ("auto", "body", "query"):
            raise EndpointError(
                f"arguments must be 'auto', 'body' or 'query', not {self.arguments!r}"
            )
        for requirement in self.security:
            for scheme in requirement:
                if scheme not in self.security_schemes:
                    raise EndpointError(
                        f"{self.path}: security names scheme {scheme!r}, which is not in "
                        "security_schemes; pass its Security Scheme Object too"
                    )
        try:
            self.operation.check_path_parameters(path_parameters(self.path))
        except SignatureError as exc:
            raise EndpointError(f"{self.path}: {exc}") from exc

    def takes_body(self, method: str) -> bool:
        """Whether ``method`` reads the arguments from a JSON body."""
        if self.arguments == "auto":
            return method.upper() in BODY_METHODS
        return self.arguments == "body"
