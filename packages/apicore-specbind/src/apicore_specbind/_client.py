"""Client side: build the request for an operation from Python arguments (pure)."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from apicore_specbind._coerce import serialize, to_wire
from apicore_specbind._errors import ClientArgumentError, ErrorDetail, RequestValidationError
from apicore_specbind._models import jsonable
from apicore_specbind._parts import MediaType, OutgoingRequest
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
    if body_spec is not None and body_spec.form_fields:
        fields = {k: remaining.pop(k) for k in list(remaining) if k in body_spec.form_fields}
        body = fields if fields else _MISSING
    elif body_spec is not None and body_spec.fields and body is _MISSING:
        # the body's properties given as keywords: api.add(a=1, b=2)
        fields = {k: remaining.pop(k) for k in list(remaining) if k in body_spec.fields}
        body = fields if fields else _MISSING
    if remaining:
        known = [p.python_name for p in op.parameters] + ([body_spec.name] if body_spec else [])
        known += list(body_spec.fields) if body_spec is not None else []
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
        path=path,
        query=tuple(query),
        headers=headers,
        cookies=cookies,
        body=encoded,
        content_type=content_type,
    )


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
