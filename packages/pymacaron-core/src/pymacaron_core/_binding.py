"""The spec binding: one apicore-specbind operation served by apicore-app's pipeline.

Here: parsing and validating the request, legacy-shaped handler arguments, marshalling the
result, and errors through the API's ``error_callback`` or in the operation's declared media type.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from apicore_app import HTTPError, Request, Response
from apicore_introspect import PROBLEM_TYPE_PREFIX, render_problem
from apicore_specbind import (
    Operation,
    ParsedRequest,
    ResponseValidationError,
    SpecRequestError,
    UndeclaredStatusError,
    jsonable,
)
from pymacaron_core.exceptions import InternalServerError, PyMacaronCoreException, ValidationError

logger = logging.getLogger("pymacaron_core")

Handler = Callable[..., Any]
ErrorCallback = Callable[[Exception], Any]
Decoder = Callable[[bytes], Any]
_JSON = "application/json"


def default_error_callback(error: Exception) -> Any:
    """The legacy default ``error_callback``: re-raise, so the server answers a problem."""
    raise error


def legacy_arguments(
    op: Operation, parsed: ParsedRequest
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Handler arguments as pymacaron-core passed them, from declared locations only.

    The body (a model instance for model schemas) is the one positional argument; path and
    query parameters are keyword arguments, typed, with absent optional query parameters as
    ``None`` (legacy). Swagger 2.0 ``formData`` fields the spec declares are keyword
    arguments too; undeclared fields never are, and no form field replaces a path or query
    parameter of the same name.
    """
    kwargs: dict[str, Any] = {}
    body = op.request_body
    args: tuple[Any, ...] = ()
    if body is not None and body.form_fields:
        if isinstance(parsed.body, Mapping):
            kwargs.update((k, parsed.body[k]) for k in body.form_fields if k in parsed.body)
    elif body is not None:
        args = (parsed.body,)
    kwargs.update((p.name, None) for p in op.parameters if p.location == "query")
    kwargs.update(parsed.query)
    kwargs.update(parsed.path)
    return args, kwargs


def _problem_of(error: Exception) -> dict[str, Any]:
    if isinstance(error, ValidationError) and error.problem is not None:
        return error.problem
    if isinstance(error, HTTPError):
        return error.problem()
    status = getattr(error, "status_code", 500)
    title = "Validation error" if status in {400, 422} else "Request refused"
    return {
        "type": PROBLEM_TYPE_PREFIX + "error",
        "title": title,
        "status": status,
        "detail": str(error),
    }


def describe_errors(errors: Sequence[Any], limit: int | None = None, root: str = "") -> str:
    """``loc.of.value: message; ...`` for validation errors (``root`` names an empty loc)."""
    return "; ".join(f"{'.'.join(map(str, e.loc)) or root}: {e.msg}" for e in errors[:limit])


class SpecBinding:
    """One spec operation for ``apicore_app.Api.add_operation`` (its ``Binding``).

    Args:
        op: The operation.
        handler: The function ``x-bind-server`` names, decorated by ``x-decorate-server``.
        name: Its dotted name, for logs and messages.
        error_callback: Returns the API's current ``error_callback``.
        decoders: Readers of body media types that are not JSON, forms or text.
        path_names: Route variable names to the spec's parameter names, for names that are
            not identifiers (``p_pet_id`` for ``pet-id``).
        passthrough: Exceptions left to the pipeline, without ``error_callback``: the
            framework's own (``flask.abort(404)`` keeps its status).
    """

    def __init__(
        self,
        op: Operation,
        handler: Handler,
        *,
        name: str,
        error_callback: Callable[[], ErrorCallback],
        decoders: Mapping[str, Decoder] | None = None,
        path_names: Mapping[str, str] | None = None,
        passthrough: tuple[type[BaseException], ...] = (),
    ) -> None:
        self.op = op
        self.func = handler
        self.name = name
        self.is_async = inspect.iscoroutinefunction(handler)
        self.decoders = dict(decoders or {})
        self.body_types: frozenset[str] | None = (
            op.body_media_types(self.decoders) if op.request_body else frozenset()
        )
        if any(t.endswith("/*") for t in self.body_types):
            self.body_types = None  # wildcards: specbind matches them itself
        self._error_callback = error_callback
        self._path_names = dict(path_names or {})
        self._passthrough = passthrough
        self._wants = {p.location for p in op.parameters}
        types = [t.split(";")[0].strip().lower() for t in op.produces]
        self.html = "text/html" in types and not any(
            t == _JSON or t.endswith("+json") for t in types
        )
        self._empty = next(
            (
                int(s)
                for s, r in op.responses.items()
                if s.isdigit() and s[0] == "2" and not r.content
            ),
            None,
        )
        self._mimetypes: dict[int, str] = {}

    def bind(
        self, request: Request, path: Mapping[str, str]
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """Parse and validate the request (only what the operation declares is read)."""
        names = self._path_names
        wants = self._wants
        headers = request.headers
        parsed = self.op.parse_request(
            path_params={names.get(k, k): v for k, v in path.items()} if names else path,
            query=request.query() if "query" in wants else (),
            headers=headers.lower_map_view() if "header" in wants else None,
            cookies=request.cookies if "cookie" in wants else None,
            body=request.body,
            content_type=headers.get("content-type"),
            decoders=self.decoders,
        )
        return legacy_arguments(self.op, parsed)

    # -- results ------------------------------------------------------------------------
    def dump(self, result: Any) -> Response:
        """The response for a handler's result, validated against the spec."""
        reply = getattr(result, "http_reply", None)
        if callable(reply) and not isinstance(result, type):
            result = reply()
            if isinstance(result, Response) or not isinstance(result, (dict, list, tuple)):
                return Response.wrap(result, getattr(result, "status_code", 200))
        status, headers = 200, None
        if isinstance(result, tuple) and 2 <= len(result) <= 3 and isinstance(result[1], int):
            status, headers = result[1], (result[2] if len(result) == 3 else None)
            result = result[0]
        if self.html:
            if not isinstance(result, str):
                raise InternalServerError(
                    f"Method {self.name} produces text/html and must return a str or a "
                    f"(body, status) tuple, not a {type(result)}"
                )
            return Response(result, status=status, headers=headers, media_type="text/html")
        if result is None:
            if self._empty is None:
                raise PyMacaronCoreException("Have nothing to send in response")
            return Response(
                None, status=self._empty, headers=headers, media_type=self._mimetype(self._empty)
            )
        try:
            data = self.op.marshal_response(status, result)
        except UndeclaredStatusError as exc:
            logger.error("%s (handler %s)", exc, self.name)
            data = jsonable(result)
        except ResponseValidationError as exc:
            detail = describe_errors(exc.errors, 5)
            raise InternalServerError(
                f"Method {self.name} returned a value that does not fit the spec: {detail}"
            ) from exc
        except TypeError as exc:
            raise InternalServerError(
                f"Method {self.name} did not return a model or JSON-able value but a {type(result)}"
            ) from exc
        try:
            body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except ValueError as exc:
            raise InternalServerError(f"Method {self.name} returned NaN or Infinity") from exc
        given = dict(headers or {})
        if any(k.lower() == "content-type" for k in given):
            return Response(body, status=status, headers=given, media_type=_JSON)
        return Response.raw(
            status, body.encode(), [("Content-Type", self._mimetype(status)), *given.items()]
        )

    def _mimetype(self, status: int) -> str:
        found = self._mimetypes.get(status)
        if found is None:
            response = self.op.response_for(status)
            media = [m.media_type for m in response.content] if response is not None else []
            found = next((m for m in media if m == _JSON or m.endswith("+json")), _JSON)
            self._mimetypes[status] = found
        return found

    # -- errors -------------------------------------------------------------------------
    def error(self, exc: Exception) -> Response | None:
        """Send a failure through ``error_callback``; answer what it returns.

        A callback that raises (the default re-raises) or returns ``None`` makes a client
        error (4xx) a problem in the operation's declared error media type and schema
        (see ``Operation.error_body``); a server error goes to the pipeline (a logged 500).
        """
        if isinstance(exc, self._passthrough):
            return None
        error: Exception = exc
        if isinstance(exc, SpecRequestError):
            summary = f"{exc.detail} {describe_errors(exc.errors, 10)}".strip()
            error = ValidationError(summary, status=exc.status, problem=render_problem(exc))
            error.__cause__ = exc
        elif isinstance(exc, HTTPError) and exc.status < 500:
            error = ValidationError(str(exc), status=exc.status, problem=exc.problem())
            error.__cause__ = exc
        try:
            result = self._error_callback()(error)
            if result is None:  # a callback that only logs: handled as if it re-raised
                raise error
        except Exception as raised:
            if getattr(raised, "status_code", 500) < 500:
                return self.problem(_problem_of(raised))
            if raised is error or raised is exc:
                return None  # the pipeline's answer: a mapped exception, or a logged 500
            raise
        status = getattr(error, "status_code", 500)
        status = status if isinstance(status, int) and 400 <= status <= 599 else 500
        reply = getattr(result, "http_reply", None)
        if callable(reply) and not isinstance(result, type):
            result = reply()
        if not isinstance(result, (dict, list, str, int, float, bool)) and not hasattr(
            result, "to_json"
        ):
            return Response.wrap(result, getattr(result, "status_code", status))
        try:
            body = json.dumps(jsonable(result), separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError):
            raise InternalServerError(
                f"error_callback returned a {type(result)}, which has no JSON form"
            ) from error
        return Response.raw(status, body.encode(), [("Content-Type", self._mimetype(status))])

    def problem(self, document: Mapping[str, Any]) -> Response:
        """A problem document, in the media type and schema the operation declares."""
        media_type, data = self.op.error_body(int(document["status"]), document)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return Response.raw(int(document["status"]), body.encode(), [("Content-Type", media_type)])
