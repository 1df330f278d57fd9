"""A spec's bound operations as one ``apicore_app.Api`` (``SpecBinding`` s), mounted on Flask.

apicore-app does routing, limits, request ids, the access log, JSON 404/405, the docs and the
500 of last resort; here: Flask's registration, the legacy ``decorator`` around each route,
and the call id and path (``PymCallID``/``PymCallPath``; the call id is the request id).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import flask
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Response as WerkzeugResponse

from apicore_app import (
    Api,
    Headers,
    Request,
    Response,
    problem,
    problem_response,
    werkzeug_error,
)
from apicore_introspect import CallContext, reset_call_context, set_call_context
from apicore_specbind import Operation
from pymacaron_core._binding import Decoder, ErrorCallback, Handler, SpecBinding
from pymacaron_core._calls import answered, environ_call
from pymacaron_core.exceptions import SpawnError
from pymacaron_core.utils import import_named

Decorator = Callable[[Handler], Handler]
_VAR = re.compile(r"{([^{}/]+)}")


@dataclass(frozen=True, slots=True)
class SpecRoute:
    """How one operation is mounted (pure data, see :func:`plan_route`).

    Attributes:
        rule: The Flask URL rule (``/v1/pets/<petId>``).
        endpoint: The endpoint name, legacy style (``GET__v1_pets_<petId>``).
        method: The HTTP method.
        path_names: Variable names for spec names that are not identifiers (``p_pet_id``).
        path: The path template apicore-app routes (``/v1/pets/{petId}``).
    """

    rule: str
    endpoint: str
    method: str
    path_names: Mapping[str, str]
    path: str = ""


def plan_route(op: Operation, *, base_path: str = "") -> SpecRoute:
    """The rule and endpoint of an operation: ``{param}`` becomes ``<param>``."""
    names: dict[str, str] = {}

    def convert(match: re.Match[str]) -> str:
        name = match.group(1)
        var = name if name.isidentifier() else "p_" + re.sub(r"\W", "_", name)
        names[var] = name
        return "{" + var + "}"

    path = base_path.rstrip("/") + _VAR.sub(convert, op.path) or "/"
    rule = re.sub(r"{(\w+)}", r"<\1>", path)
    endpoint = "_".join([op.method, rule]).replace("/", "_")
    return SpecRoute(rule=rule, endpoint=endpoint, method=op.method, path_names=names, path=path)


def build_api(
    operations: tuple[Operation, ...],
    *,
    error_callback: Callable[[], ErrorCallback],
    base_path: str = "",
    decoders: Mapping[str, Decoder] | None = None,
    passthrough: tuple[type[BaseException], ...] = (),
    **options: Any,
) -> tuple[Api, list[SpecRoute]]:
    """An ``Api`` serving every bound operation, and its routes (``x-no-bind-server`` skipped).

    Raises:
        SpawnError: a handler or decorator cannot be imported, or an operation is unbound.
    """
    api = Api(validation_status=400, strict_content_type=False, **options)
    routes = []
    for op in operations:
        if op.server_binding is None:
            if op.no_bind_server:
                continue
            raise SpawnError(
                f"Swagger api defines no x-bind-server for {op.method} {op.path}: add "
                "'x-bind-server: package.module.function' or 'x-no-bind-server: true'"
            )
        handler = import_named(op.server_binding, "handler")
        if op.decorate_server:
            handler = import_named(op.decorate_server, "x-decorate-server decorator")(handler)
        route = plan_route(op, base_path=base_path)
        binding = SpecBinding(
            op,
            handler,
            name=op.server_binding,
            error_callback=error_callback,
            decoders=decoders,
            path_names=route.path_names,
            passthrough=passthrough,
        )
        api.add_operation(route.path, binding, methods=[op.method])
        routes.append(route)
    return api, routes


def mount_flask(
    app: flask.Flask, api: Api, routes: list[SpecRoute], api_name: str, decorator: Decorator | None
) -> None:
    """Add the routes, the docs paths and JSON 404/405 answers to a Flask app."""
    api.map_exception(HTTPException, werkzeug_error)  # flask.abort() in a handler
    api.add_response_type(WerkzeugResponse)  # Flask responses pass through

    def inner(**_: str) -> WerkzeugResponse:
        g = flask.g._get_current_object()  # one context lookup, not one per attribute
        request: Request = g.apicore_request
        if len(request.body) <= api.read_limit:
            return _to_flask(answered(api.handle(request), g.call_id))
        too_large = problem(413, f"The body is larger than {api.read_limit} bytes.")
        return _to_flask(answered(api.finish(request, problem_response(too_large)), g.call_id))

    def outer(view: Callable[..., Any]) -> Callable[..., WerkzeugResponse]:
        def route(**path: str) -> WerkzeugResponse:
            incoming: flask.Request = flask.request._get_current_object()  # type: ignore[attr-defined]
            environ = incoming.environ
            size = incoming.content_length
            limit = api.read_limit
            if size is None or size > limit:
                body = incoming.stream.read(limit + 1)
            else:
                body = incoming.get_data() if size else b""  # cached: handlers may read it
            call_id, call_path = environ_call(environ, api_name)
            client = environ.get("REMOTE_ADDR")
            g = flask.g._get_current_object()
            g.call_id, g.call_path = call_id, call_path
            g.apicore_request = Request(
                environ["REQUEST_METHOD"],
                incoming.path,
                environ.get("QUERY_STRING", ""),
                Headers.from_environ(environ),
                body,
                (client, int(environ.get("REMOTE_PORT") or 0)) if client else None,
                environ.get("wsgi.url_scheme", "http"),
            )
            token = set_call_context(CallContext(call_id=call_id, call_path=call_path))
            try:
                answer = view(**path)
                return answer if type(answer) is flask.Response else flask.make_response(answer)
            finally:
                reset_call_context(token)

        route.__name__ = getattr(view, "__name__", "route")
        return route

    for route in routes:
        view = outer(decorator(inner) if decorator is not None else inner)
        app.add_url_rule(route.rule, route.endpoint, view, methods=[route.method])
    taken = {rule.rule for rule in app.url_map.iter_rules()}
    for path in ("/openapi.json", "/docs", "/redoc", "/swagger", "/docs/assets/<path:_>"):
        if path not in taken:
            app.add_url_rule(path, f"apicore_docs_{path}", outer(inner), methods=["GET", "HEAD"])
    for status in (404, 405):
        if status not in app.error_handler_spec[None]:
            app.register_error_handler(status, _flask_error)


def _to_flask(response: Response) -> WerkzeugResponse:
    if response.native is not None:
        native: WerkzeugResponse = response.native
        return native
    converted = flask.Response(response.body, status=response.status, headers=response.headers)
    if response.header("content-type") is None:
        del converted.headers["Content-Type"]  # not Flask's text/html default
    return converted


def _flask_error(exc: HTTPException) -> WerkzeugResponse:
    # the app's unknown paths and methods: JSON 404/405 problems (with Allow), not HTML
    allow = ", ".join(exc.valid_methods or ()) if isinstance(exc, MethodNotAllowed) else ""
    detail = f"{flask.request.method} is not allowed here; use {allow}" if allow else None
    document = problem(exc.code or 404, detail or f"No route for {flask.request.path}")
    return _to_flask(problem_response(document, headers=[("Allow", allow)] if allow else []))
