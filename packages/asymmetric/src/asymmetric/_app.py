"""``Asymmetric``: an ``apicore_app.Api`` served as a Starlette (ASGI) application."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, Never, TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request as StarletteRequest
from starlette.responses import Response as StarletteResponse
from starlette.types import Receive, Scope, Send

import apicore_app
from apicore_app import (
    Api,
    AsgiApp,
    Headers,
    Request,
    adapter_route,
    configure_logging,
    problem,
    problem_response,
)
from apicore_auth import AuthSettings, Requirement
from asymmetric._errors import DuplicatedEndpointError

if TYPE_CHECKING:
    from apicore_callbacks import Settings

F = TypeVar("F", bound=Callable[..., Any])
Hook = Callable[[], Any]
Lifespan = Callable[[Starlette], contextlib.AbstractAsyncContextManager[Any]]

#: asymmetric's own token variable; ``APICORE_API_KEY`` is read as well (apicore-auth).
ENV_VAR = "ASYMMETRIC_API_KEY"


class Asymmetric:
    """Plain and async functions as an ASGI application (Starlette inside).

    The object is the ASGI app: serve it with ``uvicorn module:asymmetric``, hypercorn or
    ``asymmetric run module``. Attributes it does not have are looked up on the Starlette
    application (``app.add_middleware(...)``, ``app.state``), as the legacy package did.

    Args:
        title: The API's title in the docs (default: from the module of the first route).
        version: The API's version in the docs.
        description: The API's description in the docs.
        max_body_size: Largest accepted request body in bytes; larger ones get a 413 before
            they are read whole.
        extra: Unknown argument keys: ``"forbid"`` (a 422) or ``"ignore"`` (legacy).
        validation_status: Status of validation errors: 422 (default) or 400.
        auth_settings: Token header forms and sources (default: ``ASYMMETRIC_API_KEY`` or
            ``APICORE_API_KEY``, their ``*_FILE`` forms, and ``APICORE_TOKENS_FILE``).
        callback_settings: Job store, signing secrets and SSRF policy for callback endpoints
            (default from the ``APICORE_CALLBACKS_*`` environment variables).
        docs_ui: What ``/docs`` shows: ``"swagger"`` (Swagger UI, legacy) or ``"redoc"``.
        threads: Worker threads for plain (sync) functions.
        lifespan: A Starlette-style lifespan context, entered after the startup hooks.
        log_config: Configure logging from ``LOG_LEVEL``/``LOG_FILE`` at start-up (legacy).
        api: Serve an existing ``apicore_app.Api`` instead of a new one (the other core
            options are then ignored).
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
        auth_settings: AuthSettings | None = None,
        callback_settings: Settings | None = None,
        docs_ui: Literal["swagger", "redoc"] = "swagger",
        threads: int = 40,
        lifespan: Lifespan | None = None,
        log_config: bool = True,
        api: Api | None = None,
    ) -> None:
        self.api = api or Api(
            title=title,
            version=version,
            description=description,
            max_body_size=max_body_size,
            extra=extra,
            validation_status=validation_status,
            auth_settings=auth_settings or AuthSettings(env_var=ENV_VAR),
            callback_settings=callback_settings,
            docs_ui=docs_ui,
            threads=threads,
        )
        # a function may raise Starlette's HTTPException and return Starlette responses
        self.api.map_exception(HTTPException, _from_http_exception)
        self.api.add_response_type(StarletteResponse)
        self.endpoint = AsgiApp(self.api)
        self.startup_hooks: list[Hook] = []
        self.shutdown_hooks: list[Hook] = []
        self._user_lifespan = lifespan
        self._log_config = log_config
        self.app = Starlette(
            lifespan=self._lifespan,
            exception_handlers={HTTPException: _http_error, Exception: self._server_error},
        )
        # Starlette routes a user adds (app.add_route, app.mount) win; everything else is ours.
        self.app.router.default = self.endpoint

    # -- declaring ---------------------------------------------------------------------

    def router(
        self,
        route: str,
        methods: Iterable[str] = ("post",),
        response_code: int = 200,
        callback: bool | dict[str, str] = False,
        *,
        auth: bool | str | Iterable[str] | Requirement = False,
        tags: Iterable[str] = (),
        summary: str | None = None,
        deprecated: bool = False,
        responses: Mapping[int, str | Mapping[str, Any]] | None = None,
        **unknown: Never,
    ) -> Callable[[F], F]:
        """Serve a plain or async function at ``route``; the function is returned unchanged.

        Arguments come from the JSON body's keys (POST, PUT, PATCH), the query string (GET,
        DELETE, ...) and ``{name}`` path parameters, validated and converted to the
        function's annotated types.

        Args:
            route: The path, with ``{name}`` path parameters.
            methods: HTTP methods, any case (default POST).
            response_code: The success status (callback endpoints answer 202).
            callback: ``True`` or a dict overriding the ``callback_url_header``,
                ``callback_method_header`` or ``custom_callback_key_header`` names: answer
                202 with a job id at once and deliver the result to the request's callback
                URL later.
            auth: ``False`` (public), ``True`` (any valid token), a scope or scopes, or an
                ``apicore_auth.Requirement``.
            tags: Groups in the docs.
            summary: The docs' summary (default: the docstring's first line).
            deprecated: Mark the operation deprecated in the docs.
            responses: Other answers to document, by status: a description
                (``{404: "No such item"}``) or an OpenAPI Response Object.
            **unknown: Refused with a ``TypeError`` that names symmetric's spelling's
                counterpart (``auth_token`` -> ``auth``).

        Raises:
            DuplicatedEndpointError: The route and a method were already declared.
            InvalidCallbackObjectError: ``callback`` is not a bool or a valid dict.
            apicore_app.RouteError: A bad path or method, or a path parameter the function
                does not take.
            TypeError: An unknown keyword argument (symmetric's ``auth_token`` gets a hint).
        """
        errors: list[tuple[type[Exception], Callable[[str], Exception]]] = [
            (apicore_app.DuplicateRouteError, DuplicatedEndpointError)
        ]
        if callback is not False and callback is not None:
            import apicore_callbacks
            from asymmetric._callback_errors import InvalidCallbackObjectError

            errors.append(
                (apicore_callbacks.InvalidCallbackObjectError, InvalidCallbackObjectError)
            )
        return adapter_route(
            self.api,
            route,
            {
                "methods": methods,
                "response_code": response_code,
                "auth": auth,
                "callback": callback,
                "tags": tags,
                "summary": summary,
                "deprecated": deprecated,
                "responses": responses,
            },
            unknown=unknown,
            call="Asymmetric.router",
            ours="asymmetric",
            sibling="symmetric",
            renames={"auth_token": "auth"},
            errors=errors,
        )

    def on_startup(self, hook: F) -> F:
        """Run ``hook`` (plain or async, no arguments) when the server starts; a decorator."""
        self.startup_hooks.append(hook)
        return hook

    def on_shutdown(self, hook: F) -> F:
        """Run ``hook`` (plain or async, no arguments) when the server stops; a decorator."""
        self.shutdown_hooks.append(hook)
        return hook

    def add_event_handler(self, event: Literal["startup", "shutdown"], hook: Hook) -> None:
        """Register a ``"startup"`` or ``"shutdown"`` hook (the Starlette 0.x spelling)."""
        if event == "startup":
            self.startup_hooks.append(hook)
        elif event == "shutdown":
            self.shutdown_hooks.append(hook)
        else:
            raise ValueError(f"event must be 'startup' or 'shutdown', not {event!r}")

    def on_event(self, event: Literal["startup", "shutdown"]) -> Callable[[F], F]:
        """``@app.on_event("startup")``: the Starlette 0.x decorator spelling of the hooks."""

        def register(hook: F) -> F:
            self.add_event_handler(event, hook)
            return hook

        return register

    # -- documents ---------------------------------------------------------------------

    @property
    def openapi(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of the routes declared so far (never stale)."""
        return self.api.openapi()

    # -- serving -----------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The ASGI interface."""
        app = self.app
        if scope["type"] == "http" and not app.user_middleware and not app.router.routes:
            # Nothing of Starlette's would run: skip its layers on the hot path.
            await self.endpoint.serve(scope, receive, send)
            return
        await app(scope, receive, send)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app: Starlette) -> AsyncIterator[Any]:
        if self._log_config:
            configure_logging()
        async with contextlib.AsyncExitStack() as stack:
            await asyncio.to_thread(self.api.start)
            stack.push_async_callback(asyncio.to_thread, self.api.stop)
            for hook in self.startup_hooks:
                await _call(hook)
            stack.push_async_callback(self._run_shutdown_hooks)
            state = None
            if self._user_lifespan is not None:
                state = await stack.enter_async_context(self._user_lifespan(app))
            yield state

    async def _run_shutdown_hooks(self) -> None:
        for hook in self.shutdown_hooks:
            await _call(hook)

    def _server_error(self, request: StarletteRequest, exc: Exception) -> StarletteResponse:
        ours = Request(
            request.method,
            request.url.path,
            request.url.query,
            Headers(request.headers.items()),
        )
        return _starlette(self.endpoint.failure(ours, exc))

    def __getattr__(self, name: str) -> Any:
        # Only reached for names Asymmetric lacks: forward to Starlette, as legacy did.
        if name.startswith("__") or "app" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["app"], name)

    def __repr__(self) -> str:
        return f"<Asymmetric {self.api.api_info().title!r} routes={len(self.api.routes)}>"


# Errors raised in users' Starlette routes and middleware are problem documents too, never
# Starlette's plain-text or HTML pages (Starlette still shows its HTML traceback if debug=True).
def _http_error(request: StarletteRequest, exc: Exception) -> StarletteResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code < 400:
        return StarletteResponse(status_code=exc.status_code, headers=exc.headers)
    document = problem(exc.status_code, str(exc.detail))
    return _starlette(problem_response(document, headers=list((exc.headers or {}).items())))


def _from_http_exception(exc: HTTPException) -> apicore_app.HTTPError | apicore_app.Response:
    # raised by a function: the same status, detail and headers as in a Starlette route
    if exc.status_code < 400:
        return apicore_app.Response(status=exc.status_code, headers=exc.headers)
    return apicore_app.HTTPError(exc.status_code, str(exc.detail), headers=exc.headers)


def _starlette(response: apicore_app.Response) -> StarletteResponse:
    return StarletteResponse(response.body, response.status, headers=dict(response.headers))


async def _call(hook: Hook) -> None:
    result = hook()
    if inspect.isawaitable(result):
        await result


asymmetric = Asymmetric()
"""The legacy singleton: ``from asymmetric import asymmetric``."""
