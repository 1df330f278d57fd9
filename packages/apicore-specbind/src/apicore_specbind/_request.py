"""Server side: validate and convert a raw request for an operation (pure)."""

from __future__ import annotations

import copy
import email.parser
import email.policy
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from apicore_specbind._coerce import coerce_scalar, split_array, strip_scalar, types_of
from apicore_specbind._errors import (
    BodyTooLargeError,
    ErrorDetail,
    MalformedRequestError,
    RequestValidationError,
    UnsupportedMediaTypeError,
)
from apicore_specbind._jsonbody import JSONBodyError, decode_json
from apicore_specbind._parts import MediaType, Parameter, ParsedRequest
from apicore_specbind._validate import errors_of

if TYPE_CHECKING:
    from apicore_specbind._context import Context
    from apicore_specbind._operation import Operation

#: Turns a request body of one media type into JSON-like data (``application/xml``, say);
#: raises ``ValueError`` for a body it cannot read (a 400).
Decoder = Callable[[bytes], Any]

_FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_DECODE_ERRORS = frozenset(
    {
        "json_invalid",
        "utf8_invalid",
        "duplicate_key",
        "too_deep",
        "number_too_large",
        "int_too_long",
        "lone_surrogate",
        "empty",
        "undecodable",
    }
)


def media_type_of(content_type: str | None) -> str | None:
    """``Application/JSON; charset=utf-8`` -> ``application/json``."""
    if not content_type:
        return None
    return content_type.split(";", 1)[0].strip().lower() or None


def is_json(media_type: str) -> bool:
    """JSON media types: ``application/json`` and any ``+json`` suffix."""
    return media_type == "application/json" or media_type.endswith("+json")


def match_media(media_type: str, content: Sequence[MediaType]) -> MediaType | None:
    """The declared media type matching a request's (exact, then ``type/*``, then ``*/*``)."""
    by_type = {m.media_type.split(";")[0].strip().lower(): m for m in content}
    major = media_type.split("/")[0]
    return by_type.get(media_type) or by_type.get(f"{major}/*") or by_type.get("*/*")


def parse_request(
    op: Operation,
    *,
    path_params: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    body: bytes,
    content_type: str | None,
    form: Sequence[tuple[str, str]] | None,
    files: Mapping[str, Any] | None,
    decoders: Mapping[str, Decoder] | None = None,
) -> ParsedRequest:
    """See :meth:`Operation.parse_request`."""
    ctx = op._context
    assert ctx is not None
    errors: list[ErrorDetail] = []
    values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
    query_values: dict[str, list[str]] = {}
    for key, value in query:
        query_values.setdefault(key, []).append(value)
    lower_headers = {k.lower(): v for k, v in headers.items()}
    for param in op.parameters:
        if param.location == "path":
            raw = [path_params[param.name]] if param.name in path_params else None
        elif param.location == "query":
            raw = query_values.get(param.name)
        elif param.location == "header":
            found = lower_headers.get(param.name.lower())
            raw = None if found is None else [found]
        else:
            raw = [cookies[param.name]] if param.name in cookies else None
        loc = (param.location, param.name)
        if raw is None:
            if param.required:
                errors.append(ErrorDetail(loc, "Field required", "missing"))
            else:
                node = ctx.resolve(param.schema)
                if isinstance(node, Mapping) and "default" in node:
                    values[param.location][param.name] = copy.deepcopy(node["default"])
            continue
        value = _decode_param(param, raw, ctx, errors, loc)
        if value is _INVALID:
            continue
        found_errors = errors_of(ctx.validators.get(param.schema_pointer), value, loc)
        if found_errors:
            errors.extend(found_errors)
            continue
        values[param.location][param.name] = ctx.unmarshal(value, param.schema)
    decoded, media, uploads = _body(
        op, ctx, body, content_type, (form, files), decoders or {}, errors
    )
    if errors:
        if all(e.type in _DECODE_ERRORS for e in errors):
            raise MalformedRequestError(errors[0].msg, errors=errors)
        raise RequestValidationError(errors, status=ctx.options.validation_status)
    return ParsedRequest(
        path=values["path"],
        query=values["query"],
        header=values["header"],
        cookie=values["cookie"],
        body=decoded,
        media_type=media,
        files=uploads,
    )


_INVALID = object()


def _decode_param(
    param: Parameter, raw: list[str], ctx: Context, errors: list[ErrorDetail], loc: tuple[str, str]
) -> Any:
    if param.content_type is not None:
        try:
            return decode_json(
                raw[-1].encode("utf-8", "surrogatepass"), max_depth=ctx.options.max_depth
            )
        except JSONBodyError as exc:
            errors.append(ErrorDetail(loc, str(exc), exc.kind))
            return _INVALID
    return _typed(
        raw, param.schema, ctx, style=param.style, explode=param.explode, location=param.location
    )


def _typed(
    raw: Sequence[str], schema: Any, ctx: Context, *, style: str, explode: bool, location: str
) -> Any:
    """Wire strings as the schema's type: an array's items split by ``style``, else a scalar."""
    types = types_of(schema, ctx.resolve)
    if "array" not in types:
        return coerce_scalar(strip_scalar(raw[-1], style=style), types)
    node = ctx.resolve(schema)
    item_types = types_of(node.get("items", {}) if isinstance(node, Mapping) else {}, ctx.resolve)
    parts = split_array(raw, style=style, explode=explode, location=location)
    return [coerce_scalar(p, item_types) for p in parts]


def _body(
    op: Operation,
    ctx: Context,
    body: bytes,
    content_type: str | None,
    parsed: tuple[Sequence[tuple[str, str]] | None, Mapping[str, Any] | None],
    decoders: Mapping[str, Decoder],
    errors: list[ErrorDetail],
) -> tuple[Any, str | None, Mapping[str, Any]]:
    form, files = parsed
    spec_body = op.request_body
    if spec_body is None:
        return None, None, {}
    loc_root = "formData" if spec_body.form_fields else "body"
    limit = ctx.options.max_body_size
    if limit is not None and len(body) > limit:
        raise BodyTooLargeError(f"The body is larger than {limit} bytes.")
    media_type = media_type_of(content_type)
    has_form = form is not None or bool(files)
    if not body and not has_form:
        if not spec_body.form_fields:
            if spec_body.required:
                errors.append(ErrorDetail((loc_root,), "A request body is required", "missing"))
            return None, None, {}
        media_type = media_type or spec_body.content[0].media_type
    if media_type is None:
        if ctx.options.strict_content_type:
            raise _unsupported(op, None)
        # Legacy behaviour: no Content-Type means JSON when the operation takes JSON.
        media_type = next(
            (m.media_type for m in spec_body.content if is_json(m.media_type)),
            spec_body.content[0].media_type if spec_body.content else "application/json",
        )
    declared = match_media(media_type, spec_body.content)
    if declared is None:
        raise _unsupported(op, media_type)
    uploads: Mapping[str, Any] = {}
    decoder = decoders.get(media_type)
    if decoder is not None:
        try:
            value: Any = decoder(body)
        except ValueError as exc:  # a decoder's own parse errors should be ValueErrors
            errors.append(
                ErrorDetail((loc_root,), f"the body cannot be decoded: {exc}", "undecodable")
            )
            return None, media_type, {}
    elif is_json(media_type) or media_type.endswith("/*"):
        try:
            value = decode_json(body, max_depth=ctx.options.max_depth)
        except JSONBodyError as exc:
            errors.append(ErrorDetail((loc_root,), str(exc), exc.kind))
            return None, media_type, {}
    elif media_type in _FORMS and not body and not has_form:
        value = {}  # an empty form: every field absent
    elif media_type in _FORMS:
        try:
            pairs, uploads = _form(media_type, content_type or "", body, form, files)
        except ValueError as exc:
            errors.append(ErrorDetail((loc_root,), str(exc), "form_invalid"))
            return None, media_type, {}
        value = _form_fields(pairs, uploads, declared, ctx)
    elif media_type.startswith("text/"):
        try:
            value = body.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(ErrorDetail((loc_root,), "the body is not valid UTF-8", "utf8_invalid"))
            return None, media_type, {}
    elif declared.schema is None or "string" in types_of(declared.schema, ctx.resolve):
        value = body  # bytes the handler reads itself (a file, a binary string)
    else:
        # XML, say: a schema we cannot check raw bytes against; 415 unless a decoder is given
        raise UnsupportedMediaTypeError(
            f"{media_type!r} bodies cannot be decoded here; send one of: "
            f"{', '.join(sorted(decodable(op, decoders)))}.",
            errors=[ErrorDetail(("header", "Content-Type"), "no decoder for it", "media_type")],
        )
    if isinstance(value, bytes) or declared.schema_pointer is None:
        return value, media_type, uploads
    found = errors_of(ctx.validators.get(declared.schema_pointer), value, (loc_root,))
    if found:
        errors.extend(found)
        return None, media_type, uploads
    result = ctx.unmarshal(value, declared.schema)
    if uploads and isinstance(result, dict):
        result.update(uploads)
    return result, media_type, uploads


def decodable(op: Operation, decoders: Mapping[str, Decoder] | None = None) -> frozenset[str]:
    """See :meth:`Operation.body_media_types`."""
    if op.request_body is None:
        return frozenset()
    ctx = op._context
    assert ctx is not None
    found = set()
    for media in op.request_body.content:
        kind = media.media_type.split(";")[0].strip().lower()
        if (
            is_json(kind)
            or kind in _FORMS
            or kind.startswith("text/")
            or kind.endswith("/*")
            or kind in (decoders or {})
            or media.schema is None
            or "string" in types_of(media.schema, ctx.resolve)
        ):
            found.add(kind)
    return frozenset(found)


def _unsupported(op: Operation, media_type: str | None) -> UnsupportedMediaTypeError:
    accepted = ", ".join(m.media_type for m in op.request_body.content) if op.request_body else ""
    sent = f"{media_type!r} is not accepted" if media_type else "A Content-Type header is required"
    return UnsupportedMediaTypeError(
        f"{sent}; send one of: {accepted}.",
        errors=[
            ErrorDetail(("header", "Content-Type"), f"expected one of: {accepted}", "media_type")
        ],
    )


def _form(
    media_type: str,
    content_type: str,
    body: bytes,
    form: Sequence[tuple[str, str]] | None,
    files: Mapping[str, Any] | None,
) -> tuple[list[tuple[str, str]], Mapping[str, Any]]:
    if form is not None or files:
        return list(form or ()), dict(files or {})
    if media_type == "application/x-www-form-urlencoded":
        text = body.decode("utf-8")  # UnicodeDecodeError is a ValueError
        return urllib.parse.parse_qsl(
            text, keep_blank_values=True, strict_parsing=bool(text), errors="strict"
        ), {}
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        boundary = message.get_boundary()
        if boundary is not None and body.strip() == f"--{boundary}--".encode("latin-1"):
            return [], {}  # no parts: every field absent
        raise ValueError("the multipart body could not be parsed (check the boundary)")
    pairs: list[tuple[str, str]] = []
    uploads: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise ValueError("a multipart part has no Content-Disposition name")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if part.get_filename() is not None:
            uploads[name] = data
        else:
            pairs.append((name, data.decode("utf-8")))
    return pairs, uploads


def _form_fields(
    pairs: list[tuple[str, str]], uploads: Mapping[str, Any], declared: MediaType, ctx: Context
) -> dict[str, Any]:
    schema = ctx.resolve(declared.schema) if declared.schema is not None else {}
    props = ctx.properties_of(schema) if isinstance(schema, Mapping) else {}
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    fields: dict[str, Any] = {}
    for key, raws in grouped.items():
        # a repeated field's values are the items; a single one is split at commas
        fields[key] = _typed(
            raws, props.get(key, {}), ctx, style="form", explode=len(raws) > 1, location="query"
        )
    for key in uploads:
        # Files are opaque to JSON Schema: mark presence only, so 'required' still works.
        fields.setdefault(key, "")
    return fields
