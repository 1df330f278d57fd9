"""The Flask edge: one route per bound operation, requests through apicore-specbind.

Layers of a route, inside to outside (as pymacaron-core 1.x, minus its bugs):

1. the handler named by ``x-bind-server`` (or a dotted ``operationId``);
2. the ``x-decorate-server`` decorator;
3. the request pipeline: parse and validate (specbind), call with legacy-shaped arguments,
   send failures through ``error_callback``, marshal and validate the result (specbind);
4. the ``decorator`` given to ``spawn_api``;
5. the call context (``PymCallID``/``PymCallPath``), one log line, and a last-resort 500
   problem document that never carries exception text.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import flask
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse

from apicore_client import CallContext, reset_call_context, set_call_context
from apicore_introspect import PROBLEM_TYPE_PREFIX, render_problem
from apicore_specbind import (
    Operation,
    ParsedRequest,
    ResponseValidationError,
    SpecRequestError,
    UndeclaredStatusError,
    import_object,
    jsonable,
)
from pymacaron_core._calls import CALL_ID_HEADER, incoming_call_context
from pymacaron_core._errors import (
    InternalServerError,
    PyMacaronCoreException,
    SpawnError,
    ValidationError,
)

logger = logging.getLogger("pymacaron_core")

Handler = Callable[..., Any]
ErrorCallback = Callable[[Exception], Any]
Decorator = Callable[[Handler], Handler]

PROBLEM_JSON = "application/problem+json"
_JSON = "application/json"
_VAR = re.compile(r"{([^{}/]+)}")
_CONTEXT_HEADERS = tuple(
    (name, "HTTP_" + name.upper().replace("-", "_"))
    for name in (
        "PymCallID",
        "PymCallPath",
        "PymCallerID",
        "PymCallerPath",
        "X-Request-ID",
        "Request-ID",
        "traceparent",
        "tracestate",
    )
)


@dataclass(frozen=True, slots=True)
class FlaskRoute:
    """How one operation is mounted on Flask (pure data, see :func:`plan_route`).

    Attributes:
        rule: The Flask URL rule (``/v1/pets/<petId>``).
        endpoint: The Flask endpoint name, legacy style (``GET__v1_pets_<petId>``).
        method: The HTTP method.
        path_names: Flask variable name to the spec's parameter name, for names that are not
            Python identifiers (``<p_pet_id>`` for ``{pet-id}``).
    """

    rule: str
    endpoint: str
    method: str
    path_names: Mapping[str, str]


def plan_route(op: Operation, *, base_path: str = "") -> FlaskRoute:
    """The Flask rule and endpoint of an operation: ``{param}`` becomes ``<param>``."""
    names: dict[str, str] = {}

    def convert(match: re.Match[str]) -> str:
        name = match.group(1)
        var = name if name.isidentifier() else "p_" + re.sub(r"\W", "_", name)
        names[var] = name
        return f"<{var}>"

    rule = base_path.rstrip("/") + _VAR.sub(convert, op.path)
    endpoint = "_".join([op.method, rule]).replace("/", "_")
    return FlaskRoute(rule=rule or "/", endpoint=endpoint, method=op.method, path_names=names)


def default_error_callback(error: Exception) -> Any:
    """The legacy default ``error_callback``: re-raise, so the server answers a problem."""
    raise error


def legacy_arguments(
    op: Operation, parsed: ParsedRequest
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Handler arguments as pymacaron-core passed them.

    The body (a model instance for model schemas) is the one positional argument; path and
    query parameters are keyword arguments, typed, with absent optional query parameters as
    ``None`` (legacy); Swagger 2.0 ``formData`` fields are keyword arguments too.
    """
    kwargs: dict[str, Any] = {p.name: None for p in op.parameters if p.location == "query"}
    kwargs.update(parsed.query)
    kwargs.update(parsed.path)
    body = op.request_body
    if body is None:
        return (), kwargs
    if body.form_fields:
        if isinstance(parsed.body, Mapping):
            kwargs.update(parsed.body)
        return (), kwargs
    return (parsed.body,), kwargs


def _produces_html(op: Operation) -> bool:
    types = [t.split(";")[0].strip().lower() for t in op.produces]
    return "text/html" in types and not any(t == _JSON or t.endswith("+json") for t in types)


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def problem_response(problem: Mapping[str, Any]) -> flask.Response:
    """An ``application/problem+json`` response for an RFC 9457 problem document."""
    return flask.Response(
        _dumps(dict(problem)), status=int(problem["status"]), mimetype=PROBLEM_JSON
    )


def problem_of(error: PyMacaronCoreException) -> dict[str, Any]:
    """The problem document of one of our errors (its own, or one built from its status)."""
    if isinstance(error, ValidationError) and error.problem is not None:
        return error.problem
    status = error.status_code
    if status >= 500:
        return _internal_problem()
    return {
        "type": PROBLEM_TYPE_PREFIX + ("validation-error" if status in {400, 422} else "error"),
        "title": "Validation error" if status in {400, 422} else "Request refused",
        "status": status,
        "detail": str(error),
    }


def _internal_problem(call_id: str | None = None) -> dict[str, Any]:
    detail = "The server failed to handle the request."
    if call_id:
        detail += f" Quote the call id {call_id} when reporting it."
    return {
        "type": PROBLEM_TYPE_PREFIX + "internal-error",
        "title": "Internal server error",
        "status": 500,
        "detail": detail,
    }


def _summary(error: SpecRequestError) -> str:
    parts = [f"{'.'.join(str(p) for p in e.loc)}: {e.msg}" for e in error.errors[:10]]
    return f"{error.detail} {'; '.join(parts)}".strip()


class OperationView:
    """The request pipeline of one operation (layer 3): a plain callable for Flask."""

    def __init__(
        self,
        op: Operation,
        handler: Handler,
        *,
        route: FlaskRoute,
        error_callback: Callable[[], ErrorCallback],
        handler_name: str,
    ) -> None:
        self.op = op
        self.handler = handler
        self.route = route
        self._error_callback = error_callback
        self.handler_name = handler_name
        self.html = _produces_html(op)
        self.empty_status = next(
            (
                int(s)
                for s, r in op.responses.items()
                if s.isdigit() and s[0] == "2" and not r.content
            ),
            None,
        )
        self._mimetypes: dict[int, str] = {}
        locations = {p.location for p in op.parameters}
        self.wants = {loc: loc in locations for loc in ("query", "header", "cookie")}
        functools.update_wrapper(self, handler, updated=())

    def __call__(self, **raw_path: str) -> WerkzeugResponse:
        request = flask.request
        names = self.route.path_names
        path_params = {names.get(k, k): v for k, v in raw_path.items()} if names else raw_path
        try:
            # Only hand specbind what the operation declares: each conversion costs.
            parsed = self.op.parse_request(
                path_params=path_params,
                query=list(request.args.items(multi=True)) if self.wants["query"] else (),
                headers=dict(request.headers.items()) if self.wants["header"] else None,
                cookies=request.cookies.to_dict() if self.wants["cookie"] else None,
                body=request.get_data() if self.op.request_body is not None else b"",
                content_type=request.content_type,
            )
        except SpecRequestError as exc:
            error = ValidationError(_summary(exc), status=exc.status, problem=render_problem(exc))
            error.__cause__ = exc
            return self.fail(error)
        args, kwargs = legacy_arguments(self.op, parsed)
        try:
            result = self.handler(*args, **kwargs)
        except HTTPException:
            raise  # flask.abort(404) and friends keep working
        except Exception as exc:
            return self.fail(exc)
        return self.respond(result)

    # -- results ------------------------------------------------------------------------
    def respond(self, result: Any) -> WerkzeugResponse:
        """Turn a handler's result into a response (validated against the spec)."""
        if isinstance(result, WerkzeugResponse):
            return result  # legacy pass-through, its own status
        reply = getattr(result, "http_reply", None)
        if callable(reply) and not isinstance(result, type):
            return flask.make_response(reply())
        if self.html:
            if isinstance(result, tuple | str):
                return flask.make_response(result)
            return self.fail(
                InternalServerError(
                    f"Method {self.handler_name} produces text/html and must return a str or "
                    f"a (body, status) tuple, not a {type(result)}"
                )
            )
        status = 200
        headers: Any = None
        if isinstance(result, tuple) and 2 <= len(result) <= 3 and isinstance(result[1], int):
            status = result[1]
            headers = result[2] if len(result) == 3 else None
            result = result[0]
        if result is None:
            if self.empty_status is not None:
                # the spec's media type, not Flask's text/html default
                mimetype = self.mimetype(self.empty_status)
                return flask.Response(status=self.empty_status, headers=headers, mimetype=mimetype)
            return self.fail(PyMacaronCoreException("Have nothing to send in response"))
        try:
            data = self.op.marshal_response(status, result)
        except UndeclaredStatusError as exc:
            logger.error("%s (handler %s)", exc, self.handler_name)
            data = jsonable(result)
        except ResponseValidationError as exc:
            logger.error("%s (handler %s)", exc, self.handler_name)
            return self.fail(
                InternalServerError(
                    f"Method {self.handler_name} returned a value that does not fit the spec: "
                    + "; ".join(f"{'.'.join(map(str, e.loc))}: {e.msg}" for e in exc.errors[:5])
                )
            )
        except TypeError:
            return self.fail(
                InternalServerError(
                    f"Method {self.handler_name} did not return a model or JSON-able value but "
                    f"a {type(result)}"
                )
            )
        try:
            body = _dumps(data)
        except ValueError:
            return self.fail(
                InternalServerError(f"Method {self.handler_name} returned NaN or Infinity")
            )
        if headers is not None and "content-type" in {str(k).lower() for k in dict(headers)}:
            return flask.Response(body, status=status, headers=headers)
        return flask.Response(body, status=status, headers=headers, mimetype=self.mimetype(status))

    def mimetype(self, status: int) -> str:
        """The JSON media type the spec declares for a status (``application/json`` default)."""
        found = self._mimetypes.get(status)
        if found is None:
            response = self.op.response_for(status)
            media = [m.media_type for m in response.content] if response is not None else []
            found = next((m for m in media if m == _JSON or m.endswith("+json")), _JSON)
            self._mimetypes[status] = found
        return found

    # -- errors -------------------------------------------------------------------------
    def fail(self, error: Exception) -> WerkzeugResponse:
        """Send an error through ``error_callback`` and answer with what it returns.

        A callback that raises (the default re-raises) or returns ``None`` makes a client
        error (4xx) a problem document; anything else propagates to the outer layers.
        """
        status = getattr(error, "status_code", 500)
        if not isinstance(status, int) or not 400 <= status <= 599:
            status = 500
        try:
            result = self._error_callback()(error)
        except PyMacaronCoreException as raised:
            if raised.status_code < 500:
                return problem_response(problem_of(raised))
            raise
        if result is None:  # a callback that only logs: handled as if it re-raised
            if isinstance(error, PyMacaronCoreException) and error.status_code < 500:
                return problem_response(problem_of(error))
            raise error
        if isinstance(result, WerkzeugResponse):
            return result
        reply = getattr(result, "http_reply", None)
        if callable(reply) and not isinstance(result, type):
            return flask.make_response(reply())
        try:
            body = _dumps(jsonable(result))
        except (TypeError, ValueError):
            raise InternalServerError(
                f"error_callback returned a {type(result)}, which has no JSON form"
            ) from error
        return flask.Response(body, status=status, mimetype=_JSON)


def outer_layer(
    view: Handler, *, api_name: str, method: str, rule: str
) -> Callable[..., WerkzeugResponse]:
    """Layer 5: the call context, one log line per request, and the last-resort 500."""

    def route(**path: str) -> WerkzeugResponse:
        environ = flask.request.environ
        # The call-id headers straight from the WSGI environ: cheaper than copying every header.
        headers = {name: environ[key] for name, key in _CONTEXT_HEADERS if key in environ}
        context: CallContext = incoming_call_context(headers, api_name)
        call_id = context.call_id or ""
        flask.g.call_id = call_id
        flask.g.call_path = context.call_path
        token = set_call_context(context)
        started = time.perf_counter()
        try:
            response = flask.make_response(view(**path))
        except HTTPException:
            raise
        except Exception:
            # The log has the traceback; the client gets no exception text (never leak it).
            logger.exception("unhandled error in %s %s (call id %s)", method, rule, call_id)
            response = problem_response(_internal_problem(call_id))
        finally:
            reset_call_context(token)
        response.headers[CALL_ID_HEADER] = call_id
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "%s %s -> %d in %.1f ms (call id %s, path %s)",
                method,
                flask.request.path,
                response.status_code,
                (time.perf_counter() - started) * 1000,
                call_id,
                context.call_path,
            )
        return response

    route.__name__ = getattr(view, "__name__", "route")
    return route


def _import(dotted: str, what: str) -> Any:
    try:
        return import_object(dotted)
    except ImportError as exc:
        raise SpawnError(f"Failed to import the {what} {dotted!r}: {exc}") from exc


def spawn_routes(
    app: flask.Flask,
    operations: tuple[Operation, ...],
    *,
    api_name: str,
    error_callback: Callable[[], ErrorCallback],
    decorator: Decorator | None = None,
    base_path: str = "",
) -> list[FlaskRoute]:
    """Add a route to ``app`` for every bound operation; return the routes added.

    Operations with ``x-no-bind-server`` and no binding are skipped (legacy); an operation
    with neither a binding nor ``x-no-bind-server`` is an error, as in pymacaron-core.

    Raises:
        SpawnError: a handler or decorator cannot be imported, or an operation is unbound.
    """
    routes: list[FlaskRoute] = []
    for op in operations:
        if op.server_binding is None:
            if op.no_bind_server:
                continue
            raise SpawnError(
                f"Swagger api defines no x-bind-server for {op.method} {op.path}: add "
                "'x-bind-server: package.module.function' or 'x-no-bind-server: true'"
            )
        handler = _import(op.server_binding, "handler")
        if op.decorate_server:
            handler = _import(op.decorate_server, "x-decorate-server decorator")(handler)
        route = plan_route(op, base_path=base_path)
        view: Handler = OperationView(
            op,
            handler,
            route=route,
            error_callback=error_callback,
            handler_name=op.server_binding,
        )
        if decorator is not None:
            view = decorator(view)
        app.add_url_rule(
            route.rule,
            route.endpoint,
            outer_layer(view, api_name=api_name, method=op.method, rule=route.rule),
            methods=[op.method],
        )
        routes.append(route)
    return routes
