"""``build_document``: endpoints -> an OpenAPI 3.1.0 or 3.0.3 document (a plain dict)."""

from __future__ import annotations

import contextlib
import copy
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from apicore_introspect import (
    PROBLEM_MEDIA_TYPE,
    FunctionOperation,
    Parameter,
    ResultError,
    dump_json,
)
from apicore_openapi._convert import COMPONENTS, document_31, rewrite_refs, to_openapi_30
from apicore_openapi._errors import EndpointError
from apicore_openapi._model import METHODS, ApiInfo, Callback, RouteDoc, path_parameters
from apicore_openapi._problems import ERROR_RESPONSES, PROBLEM, problem_response, problem_schemas

OpenApiVersion = Literal["3.1.0", "3.0.3"]

_JOB_ACCEPTED = "JobAccepted"
_JOB_STATUS = "JobStatus"


def build_document(
    info: ApiInfo,
    endpoints: Iterable[RouteDoc],
    *,
    version: OpenApiVersion = "3.1.0",
    validation_status: int = 422,
) -> dict[str, Any]:
    """Build the OpenAPI document of an app.

    The output is deterministic: paths, methods and components come in a stable order, so
    documents of the same app diff cleanly.

    Args:
        info: Title, version, description and servers.
        endpoints: The app's routes.
        version: ``"3.1.0"`` (the default) or ``"3.0.3"``, converted from the same model
            (``nullable``, no ``$defs``, ``example``, boolean exclusive bounds, ...).
        validation_status: The status the app answers validation errors with (422 or 400).

    Returns:
        A new dict, safe to mutate and serialize.

    Raises:
        EndpointError: Two endpoints claim the same path and method or operationId, a
            security scheme is defined twice differently, or a type name clashes with a
            built-in component.
    """
    if version not in ("3.1.0", "3.0.3"):
        raise ValueError(f"version must be '3.1.0' or '3.0.3', not {version!r}")
    if validation_status not in (400, 422):
        raise ValueError(f"validation_status must be 400 or 422, not {validation_status!r}")
    builder = _Builder(validation_status)
    for endpoint in sorted(endpoints, key=lambda e: e.path):
        builder.add(endpoint)
    document = document_31(builder.document(info))
    return to_openapi_30(document) if version == "3.0.3" else document


class _Builder:
    def __init__(self, validation_status: int) -> None:
        self.validation_status = validation_status
        self.paths: dict[str, dict[str, Any]] = {}
        self.schemas: dict[str, Any] = {}
        self.responses: set[str] = set()
        self.schemes: dict[str, dict[str, Any]] = {}
        self.operation_ids: set[str] = set()
        self.tags: set[str] = set()
        self.seen_definitions: set[int] = set()
        self.status_path: tuple[Callback, list[dict[str, list[str]]]] | None = None

    def add(self, endpoint: RouteDoc) -> None:
        op = endpoint.operation
        self._definitions(op)
        security = [{name: list(scopes) for name, scopes in r.items()} for r in endpoint.security]
        for name, scheme in endpoint.security_schemes.items():
            if self.schemes.setdefault(name, dict(scheme)) != dict(scheme):
                raise EndpointError(
                    f"security scheme {name!r} is defined twice, differently; give each "
                    "scheme one definition"
                )
        base = endpoint.operation_id or op.name
        item = self.paths.setdefault(endpoint.path, {})
        for index, method in enumerate(endpoint.methods):
            key = method.lower()
            if key in item:
                raise EndpointError(f"{method} {endpoint.path} is declared twice")
            wanted = base if index == 0 else f"{base}_{key}"
            if endpoint.operation_id is not None and wanted in self.operation_ids:
                raise EndpointError(
                    f"operationId {wanted!r} of {endpoint.path} is already used; "
                    "choose another operation_id"
                )
            item[key] = self._operation(endpoint, method, self._unique(wanted), security)
        self.tags.update(endpoint.tags)
        if endpoint.callback is not None and self.status_path is None:
            self.status_path = (endpoint.callback, security)

    def _unique(self, wanted: str) -> str:
        candidate, number = wanted, 1
        while candidate in self.operation_ids:
            number += 1
            candidate = f"{wanted}_{number}"
        self.operation_ids.add(candidate)
        return candidate

    def _definitions(self, op: FunctionOperation) -> None:
        if id(op.definitions) in self.seen_definitions:
            return
        self.seen_definitions.add(id(op.definitions))
        for name, schema in op.definitions.schemas().items():
            if name in (PROBLEM, "ValidationProblem", _JOB_ACCEPTED, _JOB_STATUS):
                raise EndpointError(
                    f"a type named {name!r} clashes with a built-in component of the "
                    "document; rename the type"
                )
            self.schemas.setdefault(name, rewrite_refs(schema))

    def _operation(
        self,
        endpoint: RouteDoc,
        method: str,
        operation_id: str,
        security: list[dict[str, list[str]]],
    ) -> dict[str, Any]:
        op = endpoint.operation
        out: dict[str, Any] = {"operationId": operation_id}
        summary = endpoint.summary if endpoint.summary is not None else op.summary
        description = endpoint.description if endpoint.description is not None else op.description
        if summary:
            out["summary"] = summary
        if description:
            out["description"] = description
        if endpoint.tags:
            out["tags"] = list(endpoint.tags)
        if endpoint.deprecated:
            out["deprecated"] = True

        in_path = path_parameters(endpoint.path)
        body = endpoint.takes_body(method)
        parameters = [_path_parameter(op, name) for name in in_path]
        if not body:
            parameters += [
                _query_parameter(p, self.schemas)
                for p in op.parameters
                if p.kind != "var_keyword" and p.name not in in_path and p.source == "auto"
            ]
        parameters += [
            _query_parameter(p, self.schemas)
            for p in op.parameters
            if p.source in ("header", "cookie", "query")
        ]
        callback = endpoint.callback
        if callback is not None:
            parameters += [rewrite_refs(dict(p)) for p in callback.header_parameters] or (
                _callback_headers(callback)
            )
        if parameters:
            out["parameters"] = parameters
        if body:
            schema = op.body_schema(exclude=in_path)
            if schema["properties"] or schema.get("additionalProperties") not in (None, False):
                media = {"schema": rewrite_refs(schema)}
                content = {"multipart/form-data" if op.form else "application/json": media}
                if op.form and '"format": "binary"' not in json.dumps(media):
                    # Files need multipart; without files the form may be URL-encoded too.
                    content["application/x-www-form-urlencoded"] = media
                out["requestBody"] = {"required": bool(schema.get("required")), "content": content}

        out["responses"] = self._responses(endpoint, body, bool(parameters or op.parameters))
        if security:
            out["security"] = security
        if callback is not None:
            out["callbacks"] = (
                rewrite_refs(dict(callback.callbacks))
                if callback.callbacks is not None
                else _callbacks_object(callback, rewrite_refs(op.return_schema))
            )
        return out

    def _responses(self, endpoint: RouteDoc, body: bool, has_input: bool) -> dict[str, Any]:
        op = endpoint.operation
        responses: dict[str, Any] = {}
        callback = endpoint.callback
        if callback is not None:
            for name, given in (
                (_JOB_ACCEPTED, callback.accepted_schema),
                (_JOB_STATUS, callback.status_schema),
            ):
                if name not in self.schemas:
                    self.schemas[name] = (
                        _default_job_schema(name) if given is None else rewrite_refs(dict(given))
                    )
            responses["202"] = {
                "description": "Accepted: the job is stored; its result goes to the callback URL.",
                "headers": {
                    "Location": {"description": "The job status URL.", "schema": {"type": "string"}}
                },
                "content": {"application/json": {"schema": {"$ref": COMPONENTS + _JOB_ACCEPTED}}},
            }
        else:
            code = endpoint.response_code
            description = op.returns_description or "Successful response."
            success: dict[str, Any] = {"description": description}
            if code not in (204, 304) and not (op.returns_response and not op.return_schema):
                schema = rewrite_refs(op.return_schema)
                success["content"] = {"application/json": {"schema": schema}}
            responses[str(code)] = success
        declared = dict(endpoint.responses)
        for status, doc in declared.items():
            responses[str(status)] = _declared_response(doc)
        errors = ["BadRequest", "InternalError"]
        if endpoint.security:
            errors.append("Unauthorized")
            if any(scopes for r in endpoint.security for scopes in r.values()):
                errors.append("Forbidden")
        if body:
            errors += ["PayloadTooLarge", "UnsupportedMediaType"]
        if has_input or op.extra == "forbid" or callback is not None:
            errors.append("ValidationFailed")
        for name in errors:
            status = (
                self.validation_status if name == "ValidationFailed" else ERROR_RESPONSES[name][0]
            )
            if status in declared or (str(status) in responses and name != "ValidationFailed"):
                continue
            responses[str(status)] = {"$ref": f"#/components/responses/{name}"}
            self.responses.add(name)
        return dict(sorted(responses.items()))

    def document(self, info: ApiInfo) -> dict[str, Any]:
        if self.status_path is not None:
            self._add_status_path(*self.status_path)
        self.schemas.update(problem_schemas())
        doc: dict[str, Any] = {
            "openapi": "3.1.0",
            "info": {"title": info.title, "version": info.version},
        }
        if info.description:
            doc["info"]["description"] = info.description
        if info.servers:
            doc["servers"] = [{"url": url} for url in info.servers]
        if self.tags:
            doc["tags"] = [{"name": tag} for tag in sorted(self.tags)]
        doc["paths"] = {
            path: {m: item[m] for m in METHODS if m in item}
            for path, item in sorted(self.paths.items())
        }
        components: dict[str, Any] = {"schemas": dict(sorted(self.schemas.items()))}
        components["responses"] = {
            name: copy.deepcopy(ERROR_RESPONSES[name][1]) for name in sorted(self.responses)
        }
        if self.validation_status == 400 and "ValidationFailed" in self.responses:
            components["responses"]["ValidationFailed"]["description"] = (
                "The request is malformed or its arguments are invalid."
            )
        if self.schemes:
            components["securitySchemes"] = dict(sorted(self.schemes.items()))
        doc["components"] = components
        return doc

    def _add_status_path(self, callback: Callback, security: list[dict[str, list[str]]]) -> None:
        path = callback.status_path
        if "get" in self.paths.get(path, {}):
            return  # the app documents its own status route
        operation: dict[str, Any] = {
            "operationId": self._unique("get_job"),
            "summary": "The state of a callback job",
            "description": "Poll this path (the 202 response's `Location`) for the job's "
            "state, attempts and, once done, its result.",
            "parameters": [
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": "The job id from the 202 response.",
                    "schema": {"type": "string"},
                }
                for name in path_parameters(path)
            ],
            "responses": {
                "200": {
                    "description": "The job.",
                    "content": {"application/json": {"schema": {"$ref": COMPONENTS + _JOB_STATUS}}},
                },
                "404": {"$ref": "#/components/responses/NotFound"},
            },
        }
        self.responses.add("NotFound")
        if security:
            operation["security"] = security
            operation["responses"]["401"] = {"$ref": "#/components/responses/Unauthorized"}
            self.responses.add("Unauthorized")
        operation["responses"] = dict(sorted(operation["responses"].items()))
        self.paths.setdefault(path, {})["get"] = operation


def _path_parameter(op: FunctionOperation, name: str) -> dict[str, Any]:
    # a Path("alias") parameter, else the parameter of that name (None: taken by **kwargs)
    parameter: Parameter | None = next(
        (p for p in op.parameters if p.source == "path" and p.key == name),
        next((p for p in op.parameters if p.source == "auto" and p.name == name), None),
    )
    out: dict[str, Any] = {"name": name, "in": "path", "required": True}
    if parameter is not None and parameter.kind != "var_keyword":
        if parameter.description:
            out["description"] = parameter.description
        out["schema"] = rewrite_refs(parameter.schema)
    else:
        out["schema"] = {"type": "string"}
    return out


def _declared_response(doc: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(doc, str):
        return problem_response(doc)
    return {**doc, "description": doc.get("description", "")}


def _query_parameter(p: Parameter, schemas: Mapping[str, Any]) -> dict[str, Any]:
    where = "query" if p.source == "auto" else p.source
    out: dict[str, Any] = {"name": p.key, "in": where, "required": p.required}
    if p.description:
        out["description"] = p.description
    schema = rewrite_refs(p.schema)
    if not p.required:
        with contextlib.suppress(ResultError, ValueError):  # no JSON for it: left out
            schema["default"] = json.loads(dump_json(p.default))
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        out["example"] = examples[0]
    if _is_object(schema, schemas):
        # apicore-introspect reads an object in the query string as JSON text.
        out["content"] = {"application/json": {"schema": schema}}
    else:
        out["schema"] = schema
    return out


def _is_object(schema: Any, schemas: Mapping[str, Any], depth: int = 0) -> bool:
    if not isinstance(schema, dict) or depth > 8:
        return False
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(COMPONENTS):
        return _is_object(schemas.get(ref.removeprefix(COMPONENTS)), schemas, depth + 1)
    kind = schema.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind):
        return True
    branches = schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", [])
    return any(_is_object(b, schemas, depth + 1) for b in branches)


def _callback_headers(callback: Callback) -> list[dict[str, Any]]:
    uri = {"type": "string", "format": "uri"}
    methods = {"type": "string", "enum": list(callback.methods), "default": "POST"}
    key = "Key to wrap the result in (`{key: result}`); unwrapped by default."
    headers = [
        (callback.url_header, True, "URL to send the function's result to.", uri),
        (callback.method_header, False, "HTTP method of the callback request.", methods),
        (callback.key_header, False, key, {"type": "string"}),
    ]
    return [
        {"name": name, "in": "header", "required": required, "description": text, "schema": schema}
        for name, required, text, schema in headers
    ]


def _callbacks_object(callback: Callback, result: dict[str, Any]) -> dict[str, Any]:
    # Shared objects are fine: build_document's JSON round trip unshares them.
    wrapped = {
        "type": "object",
        "description": f"The result as {{key: result}} when `{callback.key_header}` is sent.",
        "additionalProperties": result,
        "minProperties": 1,
        "maxProperties": 1,
    }
    operation = {
        "summary": "The function's result, sent by this server when the job is done",
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"anyOf": [result, wrapped]}},
                PROBLEM_MEDIA_TYPE: {"schema": {"$ref": COMPONENTS + PROBLEM}},
            },
        },
        "responses": {
            "2XX": {"description": "Delivered."},
            "410": {"description": "Gone: stop delivering this job."},
        },
    }
    expression = "{$request.header." + callback.url_header + "}"
    return {"result": {expression: {method.lower(): operation for method in callback.methods}}}


def _default_job_schema(name: str) -> dict[str, Any]:
    # The 202 body and the job status body, for a Callback that brings no schema of its own.
    if name == _JOB_ACCEPTED:
        notes = {
            "job_id": "The job id.",
            "state": "The job's state.",
            "status_url": "Path of the job status.",
        }
        props = {key: {"type": "string", "description": note} for key, note in notes.items()}
        return {"type": "object", "required": list(notes), "properties": props}
    result = {"description": "The body delivered to the callback, once done."}
    props = {"job_id": {"type": "string"}, "state": {"type": "string"}, "result": result}
    return {"type": "object", "required": ["job_id", "state"], "properties": props}


class DocumentCache:
    """A document built once, on first use, and its JSON bytes (for ``/openapi.json``).

    Thread-safe. Call ``clear`` after adding routes to rebuild on next use.

    Args:
        build: Builds the document, e.g. ``lambda: build_document(info, app.endpoints)``.
    """

    def __init__(self, build: Callable[[], Mapping[str, Any]]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._document: dict[str, Any] | None = None
        self._bytes: bytes | None = None

    def document(self) -> dict[str, Any]:
        """The document (do not mutate it: it is shared)."""
        with self._lock:
            if self._document is None:
                self._document = dict(self._build())
            return self._document

    def json_bytes(self) -> bytes:
        """The document as compact UTF-8 JSON, serialized once."""
        document = self.document()
        with self._lock:
            if self._bytes is None:
                self._bytes = json.dumps(
                    document, ensure_ascii=False, separators=(",", ":")
                ).encode()
            return self._bytes

    def clear(self) -> None:
        """Forget the built document; the next call rebuilds it."""
        with self._lock:
            self._document = None
            self._bytes = None
