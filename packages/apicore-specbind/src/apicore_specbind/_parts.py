"""The parts of a normalised operation: parameters, bodies, responses, parsed requests.

Value objects only, so the request, response and client modules can build them without
importing the operation itself (``_operation`` calls into those modules).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Parameter:
    """One path, query, header or cookie parameter of an operation.

    Attributes:
        name: The name on the wire (``petId``, ``X-Request-ID``).
        location: ``"path"``, ``"query"``, ``"header"`` or ``"cookie"``.
        required: Whether the request must carry it (path parameters always do).
        schema: Its JSON Schema as written (Swagger 2.0 ``type``/``items``... become a schema).
        schema_pointer: Where that schema lives in ``Spec.document`` (a JSON pointer).
        style: OpenAPI 3 serialisation style; Swagger 2.0 ``collectionFormat`` mapped onto it
            (``csv`` -> ``form``/``simple``, ``ssv`` -> ``spaceDelimited``, ``pipes`` ->
            ``pipeDelimited``, ``tsv`` -> ``tabDelimited``, ``multi`` -> ``form`` + explode).
        explode: OpenAPI 3 ``explode``.
        python_name: An identifier for keyword arguments (``x_request_id``).
        content_type: Set when the value is itself encoded (OpenAPI 3 ``content``), e.g. JSON.
        description: Free text from the spec.
        deprecated: Marked deprecated in the spec.
    """

    name: str
    location: str
    required: bool
    schema: Mapping[str, Any]
    schema_pointer: str
    style: str
    explode: bool
    python_name: str
    content_type: str | None = None
    description: str = ""
    deprecated: bool = False


@dataclass(frozen=True, slots=True)
class MediaType:
    """One accepted or produced media type and the schema of its content.

    Attributes:
        media_type: ``application/json``, ``application/x-www-form-urlencoded``, ...
        schema: Its JSON Schema as written, or ``None`` when the spec gives none.
        schema_pointer: Where that schema lives in ``Spec.document``, or ``None``.
    """

    media_type: str
    schema: Mapping[str, Any] | None
    schema_pointer: str | None


@dataclass(frozen=True, slots=True)
class RequestBody:
    """The body an operation accepts (OpenAPI 3 ``requestBody``, Swagger 2.0 body/formData).

    Attributes:
        required: Whether an empty body is an error.
        content: The accepted media types, in spec order.
        name: The keyword a client uses for it: Swagger 2.0's body parameter name,
            ``x-body-name``, else ``"body"``.
        form_fields: For Swagger 2.0 ``formData`` parameters, their names in order (the body
            is then a form whose fields are also reported as parameters).
        description: Free text from the spec.
        fields: For a JSON body whose schema is an object with named properties (as our
            function-first servers describe their arguments), the property names: a client
            may pass them as keyword arguments instead of one body argument.
    """

    required: bool
    content: tuple[MediaType, ...]
    name: str = "body"
    form_fields: tuple[str, ...] = ()
    description: str = ""
    fields: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Response:
    """One declared response.

    Attributes:
        status: ``"200"``, ``"2XX"`` or ``"default"``, as in the spec.
        description: Free text from the spec.
        content: The produced media types and their schemas (empty: no body).
        headers: Response header names to their schemas.
    """

    status: str
    description: str
    content: tuple[MediaType, ...]
    headers: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    """A request validated and converted by :meth:`Operation.parse_request`.

    Attributes:
        path: Path parameters by name, typed (``{"petId": 42}``).
        query: Query parameters by name, typed; absent optional ones are left out, defaults
            from the spec applied.
        header: Header parameters by their spec name.
        cookie: Cookie parameters by name.
        body: The decoded body: a model instance when its schema is a model, a list of models,
            a plain value, form fields as a dict, or ``None`` without a body.
        media_type: The body's media type as matched against the spec, or ``None``.
        files: Uploaded files of a multipart body by field name.
    """

    path: Mapping[str, Any]
    query: Mapping[str, Any]
    header: Mapping[str, Any]
    cookie: Mapping[str, Any]
    body: Any = None
    media_type: str | None = None
    files: Mapping[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> dict[str, Any]:
        """Every parameter by name (path, query, header, cookie; later ones win)."""
        return {**self.cookie, **self.header, **self.query, **self.path}


@dataclass(frozen=True, slots=True)
class OutgoingRequest:
    """What a client sends, built by :meth:`Operation.build_request` (no I/O, no base URL).

    Attributes:
        method: The HTTP method, upper case.
        path: The path with parameters substituted and percent-encoded (``.`` and ``..``
            segments too, so URL normalisation keeps them).
        query: Query pairs in order (arrays already serialised by style).
        headers: Header parameters plus ``Content-Type`` when there is a body.
        cookies: Cookie parameters.
        body: The encoded body, or ``None``.
        content_type: The body's media type, or ``None``.
    """

    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    body: bytes | None
    content_type: str | None
