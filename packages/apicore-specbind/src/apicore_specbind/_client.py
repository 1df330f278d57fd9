"""Client side of an operation (pure): its request, built from Python arguments.

Also what a client method calling it looks like: signature, docstring, ``Accept`` header.
"""

from __future__ import annotations

import inspect
import json
import urllib.parse
import uuid
from collections.abc import Container, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from apicore_introspect import PROBLEM_MEDIA_TYPE
from apicore_specbind._coerce import serialize, to_wire
from apicore_specbind._errors import ClientArgumentError, ErrorDetail, RequestValidationError
from apicore_specbind._models import jsonable
from apicore_specbind._parts import MediaType, OutgoingRequest
from apicore_specbind._refs import split_pointer
from apicore_specbind._request import is_json
from apicore_specbind._validate import errors_of

if TYPE_CHECKING:
    from apicore_specbind._operation import Operation

_MISSING = object()


def build_request(
    op: Operation, args: tuple[Any, ...], kwargs: dict[str, Any], *, validate: bool
) -> OutgoingRequest:
    """See :meth:`Operation.build_request`."""
    ctx = op._context
    assert ctx is not None
    remaining = dict(kwargs)
    body_spec = op.request_body
    body: Any = _MISSING
    if args:
        if len(args) != 1 or body_spec is None:
            takes = "exactly 1 positional argument (the body)" if body_spec else "no positional"
            raise ClientArgumentError(
                f"{op.client_name} takes {takes}, got {len(args)}; pass parameters by keyword"
            )
        body = args[0]
    if body_spec is not None and body_spec.name in remaining and not body_spec.form_fields:
        if body is not _MISSING:
            raise ClientArgumentError(f"{op.client_name}: the body was given twice")
        body = remaining.pop(body_spec.name)
    errors: list[ErrorDetail] = []
    path = op.path
    query: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    cookies: dict[str, str] = {}
    for param in op.parameters:
        value = remaining.pop(param.python_name, _MISSING)
        if value is _MISSING:
            value = remaining.pop(param.name, _MISSING)
        if value is _MISSING or value is None:
            if param.required:
                errors.append(
                    ErrorDetail((param.location, param.name), "Field required", "missing")
                )
            continue
        data = jsonable(value)
        if validate:
            errors.extend(
                errors_of(
                    ctx.validators.get(param.schema_pointer), data, (param.location, param.name)
                )
            )
        if param.content_type is not None:
            data = json.dumps(data, separators=(",", ":"))
        wire = serialize(
            param.name, data, style=param.style, explode=param.explode, location=param.location
        )
        if isinstance(wire, list):
            query.extend(wire)
        elif param.location == "path":
            path = path.replace("{" + param.name + "}", urllib.parse.quote(wire, safe=""))
        elif param.location == "header":
            headers[param.name] = wire
        else:
            cookies[param.name] = wire
    encoded: bytes | None = None
    content_type: str | None = None
    if body_spec is not None and (body_spec.form_fields or (body_spec.fields and body is _MISSING)):
        # form fields, or the body's properties given as keywords: api.add(a=1, b=2)
        names = body_spec.form_fields or body_spec.fields
        body = {k: remaining.pop(k) for k in list(remaining) if k in names} or _MISSING
    if remaining:
        known = [p.python_name for p in op.parameters]
        known += [body_spec.name, *body_spec.fields] if body_spec is not None else []
        raise ClientArgumentError(
            f"{op.client_name} got unexpected arguments {', '.join(sorted(remaining))}; "
            f"it accepts: {', '.join(known) or 'nothing'}"
        )
    if body_spec is not None:
        if body is _MISSING or body is None:
            if body_spec.required:
                errors.append(ErrorDetail(("body",), "A request body is required", "missing"))
        else:
            media = (
                _form_media(body_spec.content)
                if body_spec.form_fields
                else next(
                    (m for m in body_spec.content if is_json(m.media_type)),
                    body_spec.content[0] if body_spec.content else None,
                )
            )
            data = jsonable(body)
            if validate and media is not None and media.schema_pointer is not None:
                errors.extend(errors_of(ctx.validators.get(media.schema_pointer), data, ("body",)))
            content_type = media.media_type if media is not None else "application/json"
            if is_json(content_type):
                encoded = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(
                    "utf-8"
                )
            elif content_type == "multipart/form-data" and isinstance(data, Mapping):
                encoded, content_type = _multipart(body)
            elif content_type == "application/x-www-form-urlencoded" and isinstance(data, Mapping):
                pairs = [
                    (k, to_wire(item))
                    for k, v in data.items()
                    for item in (v if isinstance(v, list) else [v])
                ]
                encoded = urllib.parse.urlencode(pairs).encode("ascii")
            elif isinstance(body, (bytes, bytearray)):
                encoded = bytes(body)
            else:
                encoded = str(data).encode("utf-8")
            headers["Content-Type"] = content_type
    if errors:
        raise RequestValidationError(errors)
    return OutgoingRequest(
        method=op.method,
        path=_protect_dot_segments(path),
        query=tuple(query),
        headers=headers,
        cookies=cookies,
        body=encoded,
        content_type=content_type,
    )


def _protect_dot_segments(path: str) -> str:
    """Percent-encode ``.`` and ``..`` segments (a path parameter's value).

    URL normalisation (RFC 3986 section 5.2.4, which httpx applies) would otherwise remove
    them and send the request to another resource: ``/items/..`` would become ``/``.
    """
    segments = path.split("/")
    if not any(s in {".", ".."} for s in segments):
        return path
    return "/".join(s.replace(".", "%2E") if s in {".", ".."} else s for s in segments)


def _form_media(content: tuple[MediaType, ...]) -> MediaType | None:
    by_type = {m.media_type: m for m in content}
    return by_type.get("application/x-www-form-urlencoded") or (content[0] if content else None)


def _multipart(fields: Mapping[str, Any]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    chunks: list[bytes] = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
            if isinstance(item, (bytes, bytearray)):
                head += f'; filename="{name}"\r\nContent-Type: application/octet-stream'
                data = bytes(item)
            else:
                data = to_wire(jsonable(item)).encode("utf-8")
            chunks.append(head.encode("utf-8") + b"\r\n\r\n" + data + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode("ascii"))
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def accept_header(op: Operation) -> str | None:
    """See :attr:`Operation.accept_header`."""
    produced = [m for m in op.produces if m]
    if not produced:
        return None
    if PROBLEM_MEDIA_TYPE not in produced:
        produced.append(PROBLEM_MEDIA_TYPE)
    return ", ".join(produced)


def _model_names(op: Operation) -> frozenset[str]:
    """The names of the spec's models (``spec.models``), as the operation's context knows them."""
    ctx = op._context
    if ctx is None:
        return frozenset()
    return frozenset(cls.__model_name__ for cls in ctx.model_by_pointer.values())


def _model_name(models: Container[str], schema: Mapping[str, Any] | None) -> str | None:
    if not isinstance(schema, Mapping):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        name = split_pointer(ref[1:])[-1]
        return name if name in models else None
    return None


_SCALARS = {"integer": "int", "number": "float", "string": "str", "boolean": "bool"}


def annotation_of(
    models: Container[str],
    schema: Mapping[str, Any] | None,
    *,
    output: bool = False,
    depth: int = 0,
) -> str:
    """A readable Python annotation for a schema (for signatures; never evaluated).

    ``models`` are the names of the spec's models. Inputs accept a model or a dict where the
    schema is a model; outputs are the model.
    """
    if not isinstance(schema, Mapping) or depth > 3:
        return "Any"
    model = _model_name(models, schema)
    if model is not None:
        return model if output else f"{model} | dict[str, Any]"
    kind = schema.get("type")
    if isinstance(kind, list):
        names = [_type_name(models, schema, k, output, depth) for k in kind if k != "null"]
        text = " | ".join(dict.fromkeys(names)) or "None"
        return f"{text} | None" if "null" in kind and text != "None" else text
    if isinstance(kind, str):
        return _type_name(models, schema, kind, output, depth)
    return "Any"


def _type_name(
    models: Container[str], schema: Mapping[str, Any], kind: str, output: bool, depth: int
) -> str:
    if kind == "array":
        items = annotation_of(models, schema.get("items"), output=output, depth=depth + 1)
        return f"list[{items}]"
    if kind == "object":
        return "dict[str, Any]"
    return _SCALARS.get(kind, "Any")


def python_signature(
    op: Operation, *, extra: Sequence[inspect.Parameter] = ()
) -> inspect.Signature:
    """See :meth:`Operation.python_signature`."""
    models = _model_names(op)
    params: list[inspect.Parameter] = []
    body = op.request_body
    taken: set[str] = set()
    named: list[tuple[str, bool, Mapping[str, Any] | None]] = [
        (p.python_name, p.required, p.schema) for p in op.parameters
    ]
    if body is not None and not body.form_fields:
        json_media = next((m for m in body.content if m.media_type.endswith("json")), None)
        media = json_media or (body.content[0] if body.content else None)
        params.append(
            inspect.Parameter(
                body.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                # with fields, the body may also be given property by property
                default=inspect.Parameter.empty if body.required and not body.fields else None,
                annotation=annotation_of(models, media.schema if media else None),
            )
        )
        taken.add(body.name)
        # an object body's properties as keywords (our function-first servers' arguments)
        schema = json_media.schema if json_media is not None else None
        props = schema.get("properties", {}) if isinstance(schema, Mapping) else {}
        named += [(name, False, props.get(name)) for name in body.fields]
    elif body is not None:  # Swagger 2.0 formData: one keyword per field
        form = body.content[0].schema if body.content else None
        props = form.get("properties", {}) if isinstance(form, Mapping) else {}
        required = form.get("required", ()) if isinstance(form, Mapping) else ()
        named += [(name, name in required, props.get(name)) for name in body.form_fields]
    for name, needed, schema in sorted(named, key=lambda n: not n[1]):  # required ones first
        if name in taken or not name.isidentifier():
            continue
        taken.add(name)
        annotation = annotation_of(models, schema)
        params.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=inspect.Parameter.empty if needed else None,
                annotation=annotation if needed else f"{annotation} | None",
            )
        )
    params += [p for p in extra if p.name not in taken]
    success = next((r for s, r in op.responses.items() if s.startswith("2")), None)
    returns = "None"
    if success is not None and success.content:
        returns = annotation_of(models, success.content[0].schema, output=True)
    return inspect.Signature(params, return_annotation=returns)


def docstring(op: Operation) -> str:
    """See :attr:`Operation.docstring`."""
    lines = [op.summary.strip() or f"{op.method} {op.path}"]
    if op.description.strip() and op.description.strip() != lines[0]:
        lines += ["", op.description.strip()]
    lines += ["", f"``{op.method} {op.path}``" + (" (deprecated)" if op.deprecated else "")]
    args = []
    body = op.request_body
    if body is not None and not body.form_fields:
        args.append(f"    {body.name}: The request body. {body.description.strip()}".rstrip())
    for param in op.parameters:
        text = param.description.strip() or f"The {param.location} parameter ``{param.name}``."
        args.append(f"    {param.python_name}: {' '.join(text.split())}")
    if args:
        lines += ["", "Args:", *args]
    success = [s for s in op.responses if s.startswith("2")]
    if success:
        lines += ["", "Returns:", f"    The decoded {'/'.join(success)} response body."]
    return "\n".join(lines)
