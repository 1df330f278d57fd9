"""``Symmetric``: an ``apicore_app.Api`` served next to a Flask app, under symmetric's legacy API.

The API's paths go to ``apicore_app.wsgi_app`` (no Flask on their way); every other path
goes to the Flask app, so users keep their own routes, hooks and extensions on ``.app``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Never, TypeVar

import flask
import werkzeug.wrappers
from werkzeug.exceptions import HTTPException

from apicore_app import (
    Api,
    DuplicateRouteError,
    InvalidRouteError,
    Response,
    WsgiApp,
    adapter_route,
    problem,
    problem_response,
    werkzeug_error,
)
from apicore_auth import AuthSettings, InvalidTokenNameError as AuthTokenNameError, Requirement
from symmetric._errors import DuplicatedRouteError, IncorrectRouteFormatError, InvalidTokenNameError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from apicore_callbacks import Settings as CallbackSettings
    from apicore_openapi import ApiInfo

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One routed function, as legacy ``symmetric.endpoints`` listed it.

    Attributes:
        route: The path template, e.g. ``/items/{item_id}``.
        methods: The HTTP methods, upper case.
        response_code: The success status.
        function: The decorated function (unchanged).
        has_token: Whether a token is required.
    """

    route: str
    methods: tuple[str, ...]
    response_code: int
    function: Callable[..., Any]
    has_token: bool

    @property
    def docstring(self) -> str:
        """The function's docstring, dedented, or ``"No description provided."``."""
        return inspect.getdoc(self.function) or "No description provided."


class Symmetric:
    """A module-to-API app: decorate functions with ``router``, serve it with any WSGI server.

    An instance is a WSGI application (``gunicorn module:app``). Its Flask app is
    ``self.app``; its framework-neutral core, ``self.api``. The options are
    ``apicore_app.Api``'s, with legacy symmetric's defaults.

    Args:
        title: The docs' title (default: from the functions' module, as legacy did).
        version: The API's version in the docs.
        description: The API's description in the docs.
        max_body_size: Largest accepted request body in bytes (413 beyond), 1 MiB default.
        extra: Unknown JSON keys: ``"forbid"`` (422) or ``"ignore"`` (legacy).
        validation_status: The status of validation errors, 422 or 400.
        docs_ui: What ``/docs`` shows: ``"redoc"`` (legacy) or ``"swagger"``.
        auth_settings: Token sources (default: the ``symmetric_api_key`` header and the
            ``SYMMETRIC_API_KEY`` variable, plus ``Authorization: Bearer``, ``X-API-Key``).
        callback_settings: Job store, secrets and SSRF policy of callback endpoints.
        import_name: The Flask app's import name.
        setup_logging: On the first request, log at ``LOG_LEVEL`` (see ``configure_logging``)
            unless the root logger already has handlers.
        api: A ready ``apicore_app.Api`` to serve instead of building one from the above.
    """

    def __init__(
        self,
        *,
        title: str | None = None,
        version: str = "0.1.0",
        description: str = "",
        max_body_size: int = 1024 * 1024,
        extra: Literal["forbid", "ignore"] = "forbid",
        validation_status: int = 422,
        docs_ui: Literal["redoc", "swagger"] = "redoc",
        auth_settings: AuthSettings | None = None,
        callback_settings: CallbackSettings | None = None,
        import_name: str = "symmetric",
        setup_logging: bool = True,
        api: Api | None = None,
    ) -> None:
        self.api = api or Api(
            title=title,
            version=version,
            description=description,
            max_body_size=max_body_size,
            extra=extra,
            validation_status=validation_status,
            docs_ui=docs_ui,
            auth_settings=auth_settings,
            callback_settings=callback_settings,
        )
        self.app = flask.Flask(import_name, static_folder=None)
        self.max_body_size = self.api.max_body_size
        self.app.register_error_handler(HTTPException, self._http_error)
        # a function may call flask.abort() and return Flask/werkzeug responses
        self.api.map_exception(HTTPException, werkzeug_error)
        self.api.add_response_type(werkzeug.wrappers.Response)
        # The API's own paths go straight to apicore-app, without Flask's request context,
        # routing and response objects (about a quarter of a request's time); every other
        # path (the user's own Flask views) goes through Flask as usual.
        self._entry = WsgiApp(self.api, self.app.wsgi_app, setup_logging=setup_logging)
        self.app.wsgi_app = self._entry  # type: ignore[method-assign]

    def router(
        self,
        route: str,
        methods: Iterable[str] = ("post",),
        response_code: int = 200,
        auth_token: bool | str | Iterable[str] | Requirement = False,
        *,
        callback: bool | dict[str, str] = False,
        tags: Iterable[str] = (),
        summary: str | None = None,
        deprecated: bool = False,
        responses: Mapping[int, str | Mapping[str, Any]] | None = None,
        **unknown: Never,
    ) -> Callable[[F], F]:
        """Serve a function at ``route`` (``apicore_app.Api.route``); it is returned unchanged.

        Args:
            route: The path, e.g. ``/add`` or ``/items/{item_id}``.
            methods: HTTP methods, any case (default ``["post"]``).
            response_code: The success status.
            auth_token: ``True`` to require a token; a scope or scopes to require them.
            callback: ``True`` or a dict of legacy header names: answer 202 at once and
                send the result to the request's callback URL.
            tags: Groups in the docs.
            summary: The docs summary (default: the docstring's first line).
            deprecated: Mark the operation deprecated in the docs.
            responses: Other answers to document, by status (``{404: "No such item"}``).
            **unknown: Refused with a ``TypeError`` (asymmetric's ``auth`` gets a hint).

        Raises:
            IncorrectRouteFormatError: A bad route or method, or a path parameter the
                function does not take.
            DuplicatedRouteError: The route and a method were already routed.
        """
        return adapter_route(
            self.api,
            route,
            {
                "methods": methods,
                "response_code": response_code,
                "auth": auth_token,
                "callback": callback,
                "tags": tags,
                "summary": summary,
                "deprecated": deprecated,
                "responses": responses,
            },
            unknown=unknown,
            call="Symmetric.router",
            ours="symmetric",
            sibling="asymmetric",
            renames={"auth": "auth_token"},
            errors=[
                (DuplicateRouteError, DuplicatedRouteError),
                (InvalidRouteError, IncorrectRouteFormatError),
            ],
            # under gunicorn: resume pending jobs at once, not at a first request
            registered=self.start if callback is not False and self.api.served() else None,
        )

    @property
    def max_body_size(self) -> int:
        """Largest accepted request body in bytes; larger ones get a 413 problem."""
        return self.api.max_body_size

    @max_body_size.setter
    def max_body_size(self, size: int) -> None:
        self.api.max_body_size = size
        # One byte more for Werkzeug: a chunked body is cut at its limit without an error,
        # so a body of exactly `size + 1` bytes must reach Api, which answers 413.
        self.app.config["MAX_CONTENT_LENGTH"] = size + 1

    @property
    def endpoints(self) -> list[Endpoint]:
        """The routed functions, sorted by route (as legacy symmetric kept them)."""
        return [
            Endpoint(
                r.path, r.methods, r.response_code, r.operation.func, r.requirement.authenticated
            )
            for r in sorted(self.api.routes, key=lambda r: r.path)
        ]

    @property
    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1.0 document (rebuilt when routes change, unlike legacy's)."""
        return self.api.openapi()

    @property
    def client_token_name(self) -> str:
        """The legacy token header's name (default ``symmetric_api_key``)."""
        return self.api.auth_settings.header_name

    def set_client_token_name(self, name: object) -> bool:
        """Read the token from header ``name`` too; ``True`` (legacy).

        Raises:
            InvalidTokenNameError: ``name`` is not a non-empty header name.
        """
        return self._set_token_name(AuthSettings.with_client_token_name, name)

    def set_server_token_name(self, name: object) -> bool:
        """Read the server's token from variable ``name`` (or ``<name>_FILE``); ``True`` (legacy).

        Raises:
            InvalidTokenNameError: ``name`` is not a usable environment variable name.
        """
        return self._set_token_name(AuthSettings.with_server_token_name, name)

    def _set_token_name(
        self, change: Callable[[AuthSettings, Any], AuthSettings], name: object
    ) -> bool:
        try:
            self.api.auth_settings = change(self.api.auth_settings, name)
        except AuthTokenNameError as exc:
            raise InvalidTokenNameError(str(exc)) from exc
        return True

    def allow_default_token(self) -> None:
        """Accept legacy symmetric's public default token when no token is configured.

        The development server (``symmetric run``, ``Symmetric.run``) calls this; it logs a
        loud warning. Never call it in production: anyone knows ``symmetric_token``.
        """
        settings = self.api.auth_settings
        if not settings.allow_default_token:
            self.api.auth_settings = dataclasses.replace(settings, allow_default_token=True)

    def generate_markdown_documentation(self, module_name: str | None = None) -> str:
        """A Markdown reference of the API (from its OpenAPI document).

        Args:
            module_name: Titles the document ``"<Module Name> API"`` when the app has no
                explicit title, as legacy symmetric did.
        """
        from apicore_openapi import default_title, to_markdown

        document = self.openapi
        if module_name and self.api.title is None:
            info = dict(document["info"])
            info["title"] = default_title(module_name)
            document = {**document, "info": info}
        return to_markdown(document)

    def api_info(self) -> ApiInfo:
        """The title, version and description shown in the docs."""
        return self.api.api_info()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI application (``gunicorn module:symmetric``)."""
        return self.app(environ, start_response)

    def start(self) -> None:
        """Set up logging (see ``setup_logging``) and start background work; idempotent.

        Called on the first request; call it earlier to see start-up messages (such as a
        missing token) at once.
        """
        self._entry.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop background work (the callback worker), finishing what is in flight."""
        self._entry.stop(timeout)

    def run(
        self,
        host: str | None = "127.0.0.1",
        port: int | None = 5000,
        debug: bool | None = None,
        **options: Any,
    ) -> None:
        """Flask's development server (never in production), accepting the default token.

        Args:
            host: The interface to listen on.
            port: The port.
            debug: Flask debug mode (reloader); off by default.
            **options: Passed to ``flask.Flask.run``.
        """
        self.allow_default_token()
        self.start()
        self.app.run(host=host, port=port, debug=debug, **options)

    def _http_error(self, exc: HTTPException) -> flask.Response | HTTPException:
        # Werkzeug's errors (a user's Flask routes, an oversize body, 500s) as problem+json,
        # never Flask's HTML pages; redirects pass through. A path no Flask route matches
        # gets the API's own 404.
        code = exc.code or 500
        if code < 400:
            return exc
        if code == 404 and flask.request.routing_exception is exc:
            self.start()
            return _convert(self._entry.respond(flask.request.environ))
        detail = exc.description or "" if code < 500 else "The server failed to answer."
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return _convert(problem_response(problem(code, detail), headers=headers))

    def test_client(self) -> flask.testing.FlaskClient:
        """Flask's test client for this app (requests run in-process, no server)."""
        return self.app.test_client()


def _convert(response: Response) -> flask.Response:
    if response.native is not None:
        native: flask.Response = response.native
        return native
    body: Any = response.body if response.stream is None else response.stream
    converted = flask.Response(body, status=response.status, headers=response.headers)
    if response.header("content-type") is None:
        # Flask would add its text/html default to bodiless answers (204, HEAD)
        del converted.headers["Content-Type"]
    return converted
