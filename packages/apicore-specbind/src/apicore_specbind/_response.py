"""Responses: marshal a handler's result (servers), decode a received body (clients)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from apicore_introspect import PROBLEM_MEDIA_TYPE
from apicore_specbind._coerce import types_of
from apicore_specbind._errors import ErrorDetail, ResponseValidationError, UndeclaredStatusError
from apicore_specbind._jsonbody import JSONBodyError, decode_json
from apicore_specbind._models import jsonable
from apicore_specbind._parts import MediaType, Response
from apicore_specbind._request import is_json, match_media, media_type_of
from apicore_specbind._validate import errors_of

if TYPE_CHECKING:
    from apicore_specbind._operation import Operation


def _declared(op: Operation, status: int) -> Response:
    response = op.response_for(status)
    if response is None:
        declared = ", ".join(op.responses) or "none"
        raise UndeclaredStatusError(
            f"{op.method} {op.path} answered {status}, which the spec does not declare "
            f"(declared: {declared}); add it to the responses or return a declared status",
            status=status,
        )
    return response


def _json_media(response: Response, media_type: str | None = None) -> MediaType | None:
    if media_type is not None:
        exact = match_media(media_type, response.content)
        if exact is not None or not is_json(media_type):
            return exact
        # application/problem+json answered where the spec says application/json (as
        # Swagger 2.0 specs must): any JSON entry describes it.
    return next((m for m in response.content if is_json(m.media_type)), None)


def marshal_response(op: Operation, status: int, value: Any, *, validate: bool | None) -> Any:
    """See :meth:`Operation.marshal_response`."""
    ctx = op._context
    assert ctx is not None
    data = jsonable(value)
    if validate is None:
        validate = ctx.options.validate_responses
    if not validate:
        return data
    media = _json_media(_declared(op, status))
    if media is not None and media.schema_pointer is not None:
        errors = errors_of(ctx.validators.get(media.schema_pointer), data, ("response",))
        if errors:
            raise ResponseValidationError(
                f"{op.method} {op.path} returned a {status} body that does not fit the spec: "
                + "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in errors[:5]),
                status=status,
                errors=errors,
            )
    return data


_MEANINGS = {
    "message": "detail",
    "detail": "detail",
    "description": "detail",
    "error_description": "detail",
    "error": "title",
    "title": "title",
    "reason": "title",
    "code": "status",
    "status": "status",
    "type": "type",
    "errors": "errors",
}


def error_body(op: Operation, status: int, problem: Mapping[str, Any]) -> tuple[str, Any]:
    """See :meth:`Operation.error_body`."""
    ctx = op._context
    assert ctx is not None
    response = op.response_for(status)
    if response is None or not response.content:
        return PROBLEM_MEDIA_TYPE, problem
    kinds = [m.media_type.split(";")[0].strip().lower() for m in response.content]
    if PROBLEM_MEDIA_TYPE in kinds:
        return PROBLEM_MEDIA_TYPE, problem
    media = next((m for m in response.content if is_json(m.media_type.lower())), None)
    if media is None:
        return PROBLEM_MEDIA_TYPE, problem
    if media.schema_pointer is None:
        return media.media_type, problem
    validator = ctx.validators.get(media.schema_pointer)
    if not errors_of(validator, dict(problem), ("response",)):
        return media.media_type, problem
    schema = ctx.resolve(media.schema)
    props = ctx.properties_of(schema) if isinstance(schema, Mapping) else {}
    fitted: dict[str, Any] = {}
    for name, prop in props.items():
        meaning = _MEANINGS.get(name.lower())
        if meaning is None or meaning not in problem:
            continue
        value = problem[meaning]
        types = types_of(prop, ctx.resolve)
        if "string" in types and not isinstance(value, str):
            value = str(value)
        elif types & {"integer", "number"} and not isinstance(value, int):
            value = problem["status"]
        fitted[name] = value
    said = {_MEANINGS.get(name.lower()) for name in fitted}
    error = next((name for name in fitted if name.lower() == "error"), None)
    if error is not None and "detail" not in said:
        fitted[error] = str(problem.get("detail", fitted[error]))  # the one text: the detail
    if "errors" in problem and "errors" not in said:
        detailed = {**fitted, "errors": problem["errors"]}  # where the schema allows more
        if not errors_of(validator, detailed, ("response",)):
            return media.media_type, detailed
    if not fitted or errors_of(validator, fitted, ("response",)):
        return PROBLEM_MEDIA_TYPE, problem  # nothing of the problem fits: say it as a problem
    return media.media_type, fitted


def decode_response(
    op: Operation, status: int, body: bytes, content_type: str | None, *, validate: bool
) -> Any:
    """See :meth:`Operation.decode_response`."""
    ctx = op._context
    assert ctx is not None
    response = op.response_for(status)
    if response is None and validate:
        _declared(op, status)
    media_type = media_type_of(content_type)
    if not body:
        return None
    if media_type is not None and not is_json(media_type):
        return body.decode("utf-8", "replace")
    try:
        data = decode_json(body, max_depth=ctx.options.max_depth)
    except JSONBodyError as exc:
        if validate:
            raise ResponseValidationError(
                f"{op.method} {op.path} answered {status} with a body that is not JSON: {exc}",
                status=status,
                errors=[ErrorDetail(("response",), str(exc), exc.kind)],
            ) from None
        return body.decode("utf-8", "replace")
    media = _json_media(response, media_type) if response is not None else None
    if media is None or media.schema_pointer is None:
        return data
    if validate:
        errors = errors_of(ctx.validators.get(media.schema_pointer), data, ("response",))
        if errors:
            raise ResponseValidationError(
                f"{op.method} {op.path} answered {status} with a body that does not fit the spec",
                status=status,
                errors=errors,
            )
    return ctx.unmarshal(data, media.schema)
