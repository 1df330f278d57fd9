"""The normalised, version-independent view of a spec's operations (value objects)."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apicore_specbind import _client, _request, _response
from apicore_specbind._parts import (
    OutgoingRequest,
    Parameter,
    ParsedRequest,
    RequestBody,
    Response,
)

if TYPE_CHECKING:
    from apicore_specbind._context import Context


@dataclass(frozen=True, eq=False)
class Operation:
    """One operation (a method on a path), the same shape for Swagger 2.0 and OpenAPI 3.x.

    Attributes:
        method: Upper case HTTP method.
        path: The path template as in the spec (``/pets/{petId}``; ``basePath`` not added).
        operation_id: ``operationId`` or ``None``.
        parameters: Path, query, header and cookie parameters (path-level ones merged).
        request_body: The accepted body, or ``None``.
        responses: Declared responses by status key (``"200"``, ``"4XX"``, ``"default"``).
        security: Security requirements (operation-level, else the spec's), or ``None``.
        consumes: Accepted media types.
        produces: Produced media types (Swagger 2.0 ``produces``, else from responses).
        server_binding: The dotted path of the server handler, by legacy precedence: an
            ``operationId`` that is a dotted path, else ``x-bind-server``, else ``None``.
        client_name: A unique Python method name for clients: ``x-bind-client``, else the
            snake-cased ``operationId``, else derived from method and path.
        bind_client: ``x-bind-client`` as written.
        decorate_server: ``x-decorate-server`` (dotted path) or ``None``.
        decorate_request: ``x-decorate-request`` (dotted path) or ``None``.
        no_bind_server: ``x-no-bind-server`` present (legacy: skip the operation).
        extensions: Every ``x-*`` key of the operation.
        summary: Free text.
        description: Free text.
        tags: Tags from the spec.
        deprecated: Marked deprecated.
    """

    method: str
    path: str
    operation_id: str | None
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: Mapping[str, Response]
    security: tuple[Mapping[str, tuple[str, ...]], ...] | None
    consumes: tuple[str, ...]
    produces: tuple[str, ...]
    server_binding: str | None
    client_name: str
    bind_client: str | None = None
    decorate_server: str | None = None
    decorate_request: str | None = None
    no_bind_server: bool = False
    extensions: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    deprecated: bool = False
    _context: Context | None = field(default=None, repr=False, compare=False)

    @property
    def bind_server(self) -> str | None:
        """``x-bind-server`` as written (see :attr:`server_binding` for the precedence)."""
        value = self.extensions.get("x-bind-server")
        return value if isinstance(value, str) else None

    def parameter(self, name: str, location: str | None = None) -> Parameter:
        """The parameter of that name (and location), or ``KeyError``."""
        for param in self.parameters:
            if param.name == name and location in {None, param.location}:
                return param
        raise KeyError(name)

    def response_for(self, status: int) -> Response | None:
        """The declared response for a status: exact, then ``2XX``-style range, then default."""
        return (
            self.responses.get(str(status))
            or self.responses.get(f"{str(status)[:1]}XX")
            or self.responses.get(f"{str(status)[:1]}xx")
            or self.responses.get("default")
        )

    def parse_request(
        self,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Sequence[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        cookies: Mapping[str, str] | None = None,
        body: bytes = b"",
        content_type: str | None = None,
        form: Sequence[tuple[str, str]] | None = None,
        files: Mapping[str, Any] | None = None,
        decoders: Mapping[str, Callable[[bytes], Any]] | None = None,
    ) -> ParsedRequest:
        """Validate and convert a raw request; every failure is reported at once.

        Args:
            path_params: Path parameters as matched by the router, still strings.
            query: Query pairs in order (repeated names allowed).
            headers: Request headers (looked up case-insensitively).
            cookies: Request cookies.
            body: The raw body.
            content_type: The ``Content-Type`` header value.
            form: Form fields already parsed by the framework (optional).
            files: Uploaded files already parsed by the framework (optional).
            decoders: Readers of declared body media types that are not JSON, forms or
                text, by media type (``{"application/xml": parse}``); the data they return
                is validated like JSON. Without one, such a body is a 415 (raw bytes pass
                only where the schema is a string, such as a file).

        Returns:
            The typed parameters and the decoded body (a model instance when the body's
            schema is a model).

        Raises:
            UnsupportedMediaTypeError: the content type is not accepted (415).
            BodyTooLargeError: the body is over ``max_body_size`` (413).
            MalformedRequestError: the body cannot be decoded (400).
            RequestValidationError: parameters or body do not fit (400 unless configured).
        """
        return _request.parse_request(
            self,
            path_params=path_params or {},
            query=query,
            headers=headers or {},
            cookies=cookies or {},
            body=body,
            content_type=content_type,
            form=form,
            files=files,
            decoders=decoders,
        )

    def body_media_types(
        self, decoders: Mapping[str, Callable[[bytes], Any]] | None = None
    ) -> frozenset[str]:
        """The declared body media types a request may use (lower case, no parameters).

        JSON, forms, text and types whose schema is a string (a file) are read as they are;
        any other (``application/xml`` with an object schema) only when ``decoders`` has a
        reader for it. Wildcards (``*/*``) are kept as written.
        """
        return _request.decodable(self, decoders)

    def error_body(self, status: int, problem: Mapping[str, Any]) -> tuple[str, Any]:
        """The media type and body of an error answer, as this operation declares it.

        ``application/problem+json`` when the response for ``status`` (exact, range or
        ``default``) declares it or declares nothing; else the first JSON media type it
        declares, with ``problem`` fitted to its schema when there is one: each property
        the schema names takes the problem member of the same meaning (``message`` and
        ``detail`` take the detail, ``code`` and ``status`` the status, as a string when the
        schema says string). When the fitted body still does not validate, or the response
        declares no JSON at all (XML only), the problem document is answered as is.
        """
        return _response.error_body(self, status, problem)

    def marshal_response(self, status: int, value: Any, *, validate: bool | None = None) -> Any:
        """Turn a handler's result into JSON-able data and check it against the spec.

        Args:
            status: The status the response will have.
            value: A model, a dict, a list, a scalar...
            validate: Check against the declared schema; defaults to the spec's
                ``validate_responses`` option.

        Raises:
            UndeclaredStatusError: the status is not declared and there is no default.
            ResponseValidationError: the value does not fit the declared schema.
            TypeError: the value has no JSON representation.
        """
        return _response.marshal_response(self, status, value, validate=validate)

    def build_request(self, *args: Any, validate: bool = True, **kwargs: Any) -> OutgoingRequest:
        """Build the request a client sends, from keyword arguments (pure, no I/O).

        Parameters are passed by their name or ``python_name``; the body by
        ``request_body.name`` or as the single positional argument (legacy), as a model,
        a dict or any JSON-able value.

        Raises:
            ClientArgumentError: unknown arguments, missing required ones, or a body given twice.
            RequestValidationError: a value does not fit its schema (when ``validate``).
        """
        return _client.build_request(self, args, kwargs, validate=validate)

    def python_signature(self, *, extra: Sequence[inspect.Parameter] = ()) -> inspect.Signature:
        """The signature of a client method calling this operation (``self`` excluded).

        What :meth:`build_request` accepts: the body, when there is one, first (it may be
        passed by position, as pymacaron-core did); then every parameter keyword-only by its
        ``python_name``, required ones first, optional ones defaulting to ``None`` (not
        sent). Annotations are readable strings, never evaluated: a model body is
        ``"Pet | dict[str, Any]"``, the return is the first 2xx response's schema (``"Pet"``,
        ``"list[Pet]"``) or ``"None"``.

        Args:
            extra: Keyword-only parameters added after the operation's own, unless one of
                them has the name (a client's own call options).
        """
        return _client.python_signature(self, extra=extra)

    @property
    def docstring(self) -> str:
        """A Google-style docstring for a client method calling this operation.

        The summary (else ``METHOD /path``), the description, the method and path (marked
        deprecated when the operation is), ``Args:`` (the body and every parameter, by
        ``python_name``) and ``Returns:`` when a 2xx response is declared. A ``Raises:``
        section is the client's to add: the errors are its own.
        """
        return _client.docstring(self)

    @property
    def accept_header(self) -> str | None:
        """The ``Accept`` header a client sends, or ``None`` when nothing is produced.

        The produced media types, plus ``application/problem+json`` (error answers).
        """
        return _client.accept_header(self)

    def decode_response(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        *,
        validate: bool = True,
    ) -> Any:
        """Decode a response body into models by the declared schema (for clients).

        Returns:
            A model instance, a list of models, plain JSON, text for non-JSON bodies, or
            ``None`` for an empty body.

        Raises:
            UndeclaredStatusError: the status is not declared (when ``validate``).
            ResponseValidationError: the body is not JSON or does not fit (when ``validate``).
        """
        return _response.decode_response(self, status, body, content_type, validate=validate)
