"""``Api``: the framework-neutral application behind ``symmetric`` and ``asymmetric``.

Everything between an adapter's ``Request`` and the ``Response`` it sends is here, once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import itertools
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from apicore_app._binding import Binding, bind_request
from apicore_app._context import request_call_context
from apicore_app._docs import DocsRoutes
from apicore_app._errors import InvalidRouteError
from apicore_app._execution import LoopThread, job_runner
from apicore_app._forms import FORM_TYPES, FormData, FormError, FormLimits, close_uploads
from apicore_app._http import (
    JSON,
    HTTPError,
    Request,
    Response,
    media_kind,
    problem,
    problem_response,
)
from apicore_app._routing import PathTemplate, RouteTable, normalize_methods
from apicore_auth import (
    ANY_TOKEN,
    NO_AUTH,
    Authenticator,
    AuthSettings,
    CredentialsError,
    Principal,
    Requirement,
    openapi_security,
    openapi_security_schemes,
)
from apicore_introspect import (
    Definitions,
    FunctionOperation,
    Limits,
    RequestError,
    ResultError,
    describe,
    render_problem,
    reset_call_context,
    set_call_context,
)
from apicore_introspect.frozen import frozen

# apicore_callbacks and apicore_openapi load when a callback route or the docs are first
# used, not with the app: most processes never need them (issue 19)
if TYPE_CHECKING:
    from apicore_callbacks import CallbackConfig, Dispatcher, Settings
    from apicore_openapi import ApiInfo, DocumentCache

F = TypeVar("F", bound=Callable[..., Any])
DocsUi = Literal["swagger", "redoc"]
#: Turns a framework's exception into an answer: an ``HTTPError`` or a ``Response``.
ExceptionMapper = Callable[[Any], "HTTPError | Response"]
ResponseDocs = Mapping[int, "str | Mapping[str, Any]"]

logger = logging.getLogger("apicore.app")
access_logger = logging.getLogger("apicore.access")

_END = object()
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=@-]{1,128}")


@frozen
class Route:
    """One decorated function, as served.

    Attributes:
        path: The path template.
        methods: The HTTP methods it answers.
        operation: The described function.
        response_code: The success status.
        requirement: Who may call it (``apicore_auth.NO_AUTH`` for anyone).
        callback: The callback headers it reads, for callback endpoints.
        arguments: Where arguments come from besides the path: ``"body"`` or ``"query"``.
        key: A stable name for the callback job store (``"POST /add"``).
    """

    path: str
    methods: tuple[str, ...]
    operation: FunctionOperation
    response_code: int
    requirement: Requirement
    callback: CallbackConfig | None
    arguments: Literal["body", "query"]
    key: str
    tags: tuple[str, ...] = ()
    summary: str | None = None
    deprecated: bool = False
    responses: tuple[tuple[int, str | Mapping[str, Any]], ...] = ()
    plain: bool = True


@frozen
class BoundRoute:
    """One operation served through a :class:`~apicore_app._binding.Binding` (as ``Route``)."""

    path: str
    methods: tuple[str, ...]
    binding: Binding
    requirement: Requirement
    key: str
    callback: None = None
    plain: bool = False


@dataclass(slots=True)
class Call:
    """A request that passed every check and is ready to run its function.

    ``form`` is the parsed form body, whose uploads are closed once the call is over. Never
    changed (not frozen: that costs about a microsecond more per request).
    """

    route: Route | BoundRoute
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    request_id: str
    principal: Principal | None
    request: Request
    form: FormData | None = None


class Api:
    """A set of routes over plain functions, served by any adapter.

    Args:
        title: The API's title in the docs (default: derived from the module name).
        version: The API's version in the docs.
        description: The API's description in the docs.
        extra: Unknown argument keys: ``"forbid"`` (a 422) or ``"ignore"`` (legacy).
        validation_status: The status of validation errors: 422 (default) or 400.
        max_body_size: Largest accepted request body, in bytes (413 beyond).
        limits: JSON nesting and integer-length limits.
        auth_settings: Header forms and token sources (default: ``AuthSettings()``).
        authenticator: A ready authenticator (default: built from ``auth_settings`` and the
            environment when first needed).
        callback_settings: Job store, secrets and SSRF policy (default: from the environment).
        docs_ui: What ``/docs`` shows: ``"swagger"`` (Swagger UI) or ``"redoc"``.
        openapi_path: Where the document is served (``None``: not served); likewise
            ``docs_path``, ``redoc_path`` and ``swagger_path``.
        threads: Worker threads for sync functions under ``handle_async``.
        endpoint_threads: Of those, how many one endpoint may hold at once (default three
            quarters): the calls beyond wait without holding a thread, so one slow sync
            endpoint cannot stall the others.
        form_limits: Bounds on form bodies and uploads (``FormLimits()`` by default).
        strict_content_type: A body must say it is JSON (``Content-Type:
            application/json`` or ``+json``): a body without a ``Content-Type`` is a 415.
            ``False`` reads such bodies as JSON, as the legacy packages did.
    """

    def __init__(
        self,
        *,
        title: str | None = None,
        version: str = "0.1.0",
        description: str = "",
        extra: Literal["forbid", "ignore"] = "forbid",
        validation_status: int = 422,
        max_body_size: int = 1024 * 1024,
        limits: Limits | None = None,
        auth_settings: AuthSettings | None = None,
        authenticator: Authenticator | None = None,
        callback_settings: Settings | None = None,
        docs_ui: DocsUi = "swagger",
        openapi_path: str | None = "/openapi.json",
        docs_path: str | None = "/docs",
        redoc_path: str | None = "/redoc",
        swagger_path: str | None = "/swagger",
        threads: int = 40,
        endpoint_threads: int | None = None,
        form_limits: FormLimits | None = None,
        strict_content_type: bool = True,
    ) -> None:
        if validation_status not in (400, 422):
            raise ValueError("validation_status must be 400 or 422")
        if threads < 1 or (endpoint_threads is not None and not 1 <= endpoint_threads):
            raise ValueError("threads and endpoint_threads must be at least 1")
        self.title = title
        self.version = version
        self.description = description
        self.extra = extra
        self.validation_status = validation_status
        self.max_body_size = max_body_size
        self.limits = limits or Limits()
        self.definitions = Definitions()
        self.routes: list[Route] = []
        self._table: RouteTable[Route | BoundRoute] = RouteTable()
        self.bound: list[BoundRoute] = []
        self._document: Mapping[str, Any] | None = None
        self._auth_settings = auth_settings or AuthSettings()
        self._authenticator = authenticator
        self._callback_settings = callback_settings
        self._dispatcher: Dispatcher | None = None
        self.openapi_path = openapi_path
        self.docs_path = docs_path
        self._documents: dict[str, DocumentCache] = {}
        self._docs_routes = DocsRoutes(
            openapi_path=openapi_path,
            docs_path=docs_path,
            redoc_path=redoc_path,
            swagger_path=swagger_path,
            docs_ui=docs_ui,
            document=lambda version: self._cache(version).json_bytes(),
            title=lambda: self.api_info().title,
        )
        self._threads = threads
        self._endpoint_threads = min(
            threads, endpoint_threads if endpoint_threads is not None else max(1, threads * 3 // 4)
        )
        self._limits: dict[tuple[int, str], asyncio.Semaphore] = {}
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._loop_thread: LoopThread | None = None
        self._lock = threading.Lock()  # the lazily built parts: one of each
        self._running = threading.Lock()  # start and stop, one at a time
        self._started = False
        self._module: str | None = None
        self.form_limits = form_limits or FormLimits()
        self.strict_content_type = strict_content_type
        self._mappers: list[tuple[type[BaseException], ExceptionMapper]] = []
        self._response_types: tuple[type, ...] = (Response,)
        self._has_forms = False

    # -- declaring ---------------------------------------------------------------------

    def route(
        self,
        path: str,
        *,
        methods: Iterable[str] = ("POST",),
        response_code: int = 200,
        auth: bool | str | Iterable[str] | Requirement = False,
        callback: bool | dict[str, str] = False,
        tags: Iterable[str] = (),
        summary: str | None = None,
        deprecated: bool = False,
        responses: ResponseDocs | None = None,
    ) -> Callable[[F], F]:
        """Serve a function at ``path``; returns a decorator that returns it unchanged.

        Args:
            path: The route, with ``{name}`` path parameters.
            methods: HTTP methods, any case.
            response_code: The success status (202 for callback endpoints).
            auth: ``False`` (public), ``True`` (any valid token), a scope or scopes, or a
                ``Requirement``.
            callback: ``True`` or a dict of legacy header names: answer 202 at once and
                deliver the result to the callback URL of the request.
            tags: Groups in the docs.
            summary: Overrides the docstring's first line in the docs.
            deprecated: Mark the operation deprecated in the docs.
            responses: Other answers to document, by status: a description
                (``{404: "No such item"}``, documented as a problem document) or an
                OpenAPI Response Object.

        Raises:
            RouteError: Bad path or methods, or a duplicate (at decoration time), or
                bad ``responses``.
            SignatureError: A path parameter is not a parameter of the function.
            UnsupportedAnnotationError: A parameter's type has no JSON form.
        """
        template = PathTemplate.compile(path)
        names = normalize_methods(list(methods) if not isinstance(methods, str) else methods)
        requirement = _requirement(auth)
        config = None
        if callback is not False and callback is not None:
            from apicore_callbacks import CallbackConfig

            config = CallbackConfig.from_legacy(callback)
        documented = _responses(path, responses)

        def decorate(func: F) -> F:
            operation = describe(
                func,
                definitions=self.definitions,
                extra=self.extra,
                limits=self.limits,
                injected=(Request,),
                response_types=self._response_types,
            )
            operation.check_path_parameters(template.params)
            module = getattr(func, "__module__", None)
            if self._module is None and module and module != "__main__":
                self._module = module
            source: Literal["body", "query"] = (
                "body" if any(m in _BODY_METHODS for m in names) else "query"
            )
            if operation.form and source != "body":
                raise InvalidRouteError(
                    f"{path}: {operation.name}() reads a form or a file, so its methods "
                    "must include POST, PUT or PATCH"
                )
            if config is not None and not operation.plain:
                raise InvalidRouteError(
                    f"{path}: a callback endpoint's arguments are stored as JSON; "
                    f"{operation.name}() reads headers, cookies, a form or the request"
                )
            route = Route(
                path=template.path,
                methods=names,
                operation=operation,
                response_code=202 if config is not None else response_code,
                requirement=requirement,
                callback=config,
                arguments=source,
                key=f"{'/'.join(names)} {template.path}",
                tags=tuple(tags),
                summary=summary,
                deprecated=deprecated,
                responses=documented,
                plain=operation.plain,
            )
            self._table.add(template, names, route)
            self._has_forms = self._has_forms or operation.form
            self.routes.append(route)
            if config is not None:
                self.dispatcher.register(route.key, job_runner(operation))
            self._changed()
            return func

        return decorate

    def add_operation(
        self,
        path: str,
        binding: Binding,
        *,
        methods: Iterable[str] = ("POST",),
        auth: bool | str | Iterable[str] | Requirement = False,
    ) -> BoundRoute:
        """Serve an operation through a binding (a spec-first operation, say).

        Bound operations are not in the generated document: serve their spec with
        :meth:`serve_document`.

        Args:
            path: The route, with ``{name}`` path parameters (identifiers).
            binding: The operation's binding.
            methods: HTTP methods, any case.
            auth: As for :meth:`route`.

        Raises:
            RouteError: Bad path or methods, or a duplicate.
        """
        template = PathTemplate.compile(path)
        names = normalize_methods(list(methods) if not isinstance(methods, str) else methods)
        route = BoundRoute(
            path=template.path,
            methods=names,
            binding=binding,
            requirement=_requirement(auth),
            key=f"{'/'.join(names)} {template.path}",
        )
        self._table.add(template, names, route)
        self.bound.append(route)
        if binding.body_types is None or not binding.body_types <= {JSON}:
            self._has_forms = True  # forms may come: the adapters read up to the form limit
        return route

    def serve_document(self, document: Mapping[str, Any]) -> None:
        """Serve ``document`` (a spec, Swagger 2.0 or OpenAPI) at the docs paths.

        It replaces the generated document: ``/openapi.json`` answers it as given and the
        docs pages (Swagger UI, ReDoc) render it.
        """
        self._document = document
        self._changed()

    def map_exception(self, kind: type[BaseException], mapper: ExceptionMapper) -> None:
        """Answer a framework's own exception with ``mapper``'s ``HTTPError`` or ``Response``."""
        self._mappers.append((kind, mapper))

    def add_response_type(self, kind: type) -> None:
        """Let functions return a framework's own response objects (sent untouched).

        Call it before routes are declared: return annotations of this type then have no
        JSON Schema.
        """
        if kind not in self._response_types:
            self._response_types = (*self._response_types, kind)

    @property
    def read_limit(self) -> int:
        """The most body bytes an adapter reads: the larger form limit if a route takes forms."""
        if self._has_forms:
            return max(self.max_body_size, self.form_limits.max_size)
        return self.max_body_size

    def _changed(self) -> None:
        # the legacy packages cached the document at first access and missed later routes
        for document in list(self._documents.values()):  # a docs request may add one
            document.clear()
        self._docs_routes.clear()

    # -- configuration -----------------------------------------------------------------

    @property
    def auth_settings(self) -> AuthSettings:
        """How tokens are read; assigning new settings rebuilds the authenticator."""
        return self._auth_settings

    @auth_settings.setter
    def auth_settings(self, settings: AuthSettings) -> None:
        self._auth_settings = settings
        self._authenticator = None
        self._changed()

    @property
    def authenticator(self) -> Authenticator:
        """The token checker, built from the settings and environment on first use."""
        if self._authenticator is None:
            with self._lock:
                if self._authenticator is None:
                    authenticator = Authenticator.from_env(self._auth_settings)
                    authenticator.diagnose(r.requirement for r in self.routes)
                    self._authenticator = authenticator
        return self._authenticator

    @property
    def dispatcher(self) -> Dispatcher:
        """The callback job dispatcher (created with the first callback endpoint)."""
        if self._dispatcher is None:
            from apicore_callbacks import Dispatcher, Settings

            with self._lock:  # two threads' first callback routes make one dispatcher
                if self._dispatcher is None:
                    settings = self._callback_settings or Settings.from_env()
                    self._dispatcher = Dispatcher(settings=settings)
        return self._dispatcher

    @property
    def has_callbacks(self) -> bool:
        """Whether any route is a callback endpoint."""
        return self._dispatcher is not None

    def start(self) -> None:
        """Start background work (the callback worker); idempotent.

        Adapters call it at start-up (ASGI lifespan) or on the first request (WSGI). A
        second caller waits until the first has started everything, and a concurrent
        :meth:`stop` runs before or after it, never in between.
        """
        with self._running:
            if self._started:
                return
            if self._dispatcher is not None:
                self._dispatcher.start()
            if any(r.requirement.authenticated for r in self.routes):
                _ = self.authenticator  # say at start-up how to configure a missing token
            # Last: adapters read the flag without the lock to skip calling start() at all.
            self._started = True

    @staticmethod
    def served() -> bool:
        """Whether this process was started by a WSGI server that calls no start-up hook.

        gunicorn (``SERVER_SOFTWARE=gunicorn/...``) and uWSGI only call the app with requests:
        adapters then call :meth:`start` with the first callback route, so that pending jobs
        resume without waiting for a first request.
        """
        software = os.environ.get("SERVER_SOFTWARE", "")
        return software.startswith("gunicorn/") or "uwsgi" in sys.modules

    def stop(self, timeout: float = 10.0) -> None:
        """Stop background work, finishing what is in flight (up to ``timeout`` seconds)."""
        with self._running:
            started, self._started = self._started, False
            if started and self._dispatcher is not None:
                self._dispatcher.stop(timeout)
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None
        if self._loop_thread is not None:
            self._loop_thread.stop()
            self._loop_thread = None

    # -- documents ---------------------------------------------------------------------

    def api_info(self) -> ApiInfo:
        """The title, version and description of the docs."""
        from apicore_openapi import ApiInfo, default_title

        title = self.title or default_title(self._module or "api")
        return ApiInfo(title=title, version=self.version, description=self.description)

    def openapi(self, version: Literal["3.1.0", "3.0.3"] = "3.1.0") -> dict[str, Any]:
        """The OpenAPI document (built once, rebuilt after routes change)."""
        return self._cache(version).document()

    def _cache(self, version: str) -> DocumentCache:
        cache = self._documents.get(version)
        if cache is None:
            if version not in ("3.1.0", "3.0.3"):  # checked first: no cache for it is kept
                raise ValueError(f"OpenAPI version {version!r}: use '3.1.0' or '3.0.3'")
            from apicore_openapi import DocumentCache

            build = DocumentCache(lambda: self._build_document(version))
            with self._lock:
                cache = self._documents.setdefault(version, build)
        return cache

    def docs_line(self, host: str, port: int, *, scheme: str = "http") -> str | None:
        """One line that says where the docs are, for a server's start-up output.

        ``Docs: http://127.0.0.1:8000/docs (also /redoc, /swagger, /openapi.json)``;
        ``None`` when every docs path is turned off.

        Args:
            host: The interface the server listens on (an IPv6 address gets brackets).
            port: Its port.
            scheme: ``"http"`` or ``"https"``.
        """
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return self._docs_routes.line(f"{scheme}://{shown}:{port}")

    def _build_document(self, version: str) -> dict[str, Any]:
        if self._document is not None:
            return dict(self._document)
        from apicore_openapi import Callback, RouteDoc, build_document

        schemes = openapi_security_schemes(self._auth_settings)
        endpoints = []
        for route in self.routes:
            security = tuple(openapi_security(route.requirement, self._auth_settings))
            callback = None
            if route.callback is not None:
                from apicore_callbacks import callback_parameters

                callback = Callback(
                    url_header=route.callback.url_header,
                    method_header=route.callback.method_header,
                    key_header=route.callback.key_header,
                    status_path=self.dispatcher.settings.jobs_prefix + "/{job_id}",
                    # documented by the package that validates them, so they cannot drift
                    header_parameters=tuple(callback_parameters(route.callback)),
                )
            endpoints.append(
                RouteDoc(
                    route.path,
                    route.operation,
                    methods=route.methods,
                    response_code=route.response_code,
                    security=security,
                    security_schemes=schemes if security else {},
                    callback=callback,
                    tags=route.tags,
                    summary=route.summary,
                    deprecated=route.deprecated,
                    arguments=route.arguments,
                    responses=route.responses,
                )
            )
        return build_document(
            self.api_info(),
            endpoints,
            version=version,  # type: ignore[arg-type]
            validation_status=self.validation_status,
        )

    # -- serving -----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer a request (WSGI): sync functions run inline, async ones on a loop thread."""
        started = time.perf_counter()
        outcome = self.prepare(request)
        if isinstance(outcome, Call):
            response = self._accept(outcome) if outcome.route.callback else self._execute(outcome)
            rid = outcome.request_id
        else:
            response, rid = outcome
        return self._finish(request, response, rid, started)

    async def handle_async(self, request: Request) -> Response:
        """Answer a request (ASGI): async functions are awaited, sync ones run in a thread pool."""
        started = time.perf_counter()
        answer, rid = self._begin_async(request)
        response = answer if isinstance(answer, Response) else await answer
        return self._finish(request, response, rid, started)

    def _begin_async(self, request: Request) -> tuple[Response | Awaitable[Response], str]:
        # ``handle_async`` without its coroutine (the ASGI entry awaits the answer itself, a
        # coroutine layer less per request, then calls ``_finish``)
        outcome = self.prepare(request)
        if not isinstance(outcome, Call):
            return outcome
        if outcome.route.callback is not None:
            # the job commit waits for an fsync: keep it off the event loop
            return asyncio.to_thread(self._accept, outcome), outcome.request_id
        return self._execute_async(outcome), outcome.request_id

    def owns(self, path: str) -> bool:
        """Whether this API answers requests for ``path``: a route, a docs path or a job.

        Adapters that share a server with other routes (a Flask app's) send these to it.
        """
        if self._table.has_path(path) or self._docs_routes.owns(path):
            return True
        if self._dispatcher is not None:
            prefix = self._dispatcher.settings.jobs_prefix.rstrip("/") + "/"
            return path.startswith(prefix) and "/" not in path.removeprefix(prefix)
        return False

    def finish(self, request: Request, response: Response) -> Response:
        """Finish a response the adapter made itself (a 413 seen while reading the body).

        Adds ``X-Request-ID``, empties ``HEAD`` bodies and logs the access line.
        """
        rid = request_id(request.headers.lower_map_view().get("x-request-id"))
        return self._finish(request, response, rid, time.perf_counter())

    def prepare(self, request: Request) -> Call | tuple[Response, str]:
        """Every check before the function runs: route, auth, body, binding, callbacks.

        Returns a ``Call`` to execute, or the response to send (with the request id).
        """
        rid = request_id(request.headers.lower_map_view().get("x-request-id"))
        builtin = self._builtin(request)
        if builtin is not None:
            return builtin, rid
        match = self._table.match(request.method, request.path)
        route = match.handler
        if route is None:
            if not match.allowed:
                detail = f"No route for {request.path}"
                if request.path == "/" and self.docs_path:
                    detail += f"; the API's docs are at {self.docs_path}"  # a newcomer's first try
                return problem_response(problem(404, detail)), rid
            allowed = ", ".join(match.allowed)
            if request.method == "OPTIONS":
                return Response.raw(204, b"", [("Allow", allowed)]), rid
            detail = f"{request.method} is not allowed here; use {allowed}"
            return problem_response(problem(405, detail), headers=[("Allow", allowed)]), rid
        principal = None
        if route.requirement.authenticated:
            try:
                principal = self.authenticator.check(request.headers.items(), route.requirement)
            except CredentialsError as exc:
                return problem_response(render_problem(exc), headers=exc.headers.items()), rid
        if type(route) is BoundRoute:
            call = Call(route, (), {}, rid, principal, request)
            failure = self._check_bound_body(route.binding.body_types, request)
            if failure is not None:
                return self._failure(call, HTTPError(failure["status"], failure["detail"])), rid
            try:
                call.args, call.kwargs = route.binding.bind(request, match.params)
            except Exception as exc:
                return self._failure(call, exc), rid
            return call
        assert isinstance(route, Route)
        failure = self._check_body(route, request)
        if failure is not None:
            return problem_response(failure), rid
        form = None
        try:
            if route.plain:
                args, kwargs = route.operation.bind(
                    request.body if route.arguments == "body" else None,
                    query=request.query() if route.arguments == "query" else None,
                    path=match.params,
                )
            else:
                args, kwargs, form = bind_request(
                    route.operation,
                    request,
                    match.params,
                    from_query=route.arguments == "query",
                    form_limits=self.form_limits,
                    request_id=rid,
                )
        except RequestError as exc:
            status = self.validation_status if exc.status == 422 else exc.status
            return problem_response(render_problem(exc, status=status)), rid
        except FormError as exc:
            return problem_response(problem(exc.status, exc.detail)), rid
        return Call(route, args, kwargs, rid, principal, request, form)

    def _builtin(self, request: Request) -> Response | None:
        if request.method not in ("GET", "HEAD", "DELETE"):
            return None
        response = None
        if request.method != "DELETE":
            response = self._docs_routes.answer(request.path, request.query_string)
        if response is None and self._dispatcher is not None:
            prefix = self._dispatcher.settings.jobs_prefix.rstrip("/") + "/"
            job_id = request.path.removeprefix(prefix)
            if request.path.startswith(prefix) and "/" not in job_id:
                return self._job(job_id, request)
        return response

    def _job(self, job_id: str, request: Request) -> Response:
        # ``GET`` and ``DELETE /jobs/{id}``: an owned job only for its owner (404 for anyone else)
        try:
            principal = self.authenticator.check(request.headers.items(), ANY_TOKEN)
        except CredentialsError:
            principal = None  # an owned job then stays invisible: 404, no hint it exists
        owner = principal.name if principal is not None else None
        if request.method == "DELETE":
            cancelled = self.dispatcher.cancel(job_id, owner=owner)
            if cancelled is None:
                return problem_response(problem(404, "No such job"))
            job, done = cancelled
            if not done:
                detail = f"The job has already ended ({job.state.value}); nothing to cancel."
                return problem_response(problem(409, detail))
        status = self.dispatcher.status(job_id, owner=owner)
        if status is None:
            return problem_response(problem(404, "No such job"))
        return Response.json(200, json.dumps(status, separators=(",", ":")).encode())

    def _check_body(self, route: Route, request: Request) -> dict[str, Any] | None:
        body = request.body
        form = route.operation.form
        limit = self.form_limits.max_size if form else self.max_body_size
        if len(body) > limit:
            return problem(413, f"The body is larger than {limit} bytes.")
        if body and route.arguments == "body":
            kind = media_kind(request.headers.lower_map_view().get("content-type", ""))
            if form:
                if kind not in FORM_TYPES:
                    wanted = " or ".join(sorted(FORM_TYPES))
                    return problem(415, f"Send the body as {wanted}, not {kind or 'untyped'}.")
            elif kind != JSON and not kind.endswith("+json") and (kind or self.strict_content_type):
                given = kind or "a body without a Content-Type"
                return problem(415, f"Send the body as {JSON}, not {given}.")
        return None

    def _check_bound_body(
        self, accepted: frozenset[str] | None, request: Request
    ) -> dict[str, Any] | None:
        body = request.body
        forms = accepted is None or bool(accepted & FORM_TYPES)
        limit = max(self.max_body_size, self.form_limits.max_size) if forms else self.max_body_size
        if len(body) > limit:
            return problem(413, f"The body is larger than {limit} bytes.")
        if body and accepted is not None:
            kind = media_kind(request.headers.lower_map_view().get("content-type", ""))
            if not kind and not self.strict_content_type:
                return None  # the binding reads it as its default (JSON, for legacy specs)
            if kind not in accepted and f"{kind.split('/')[0]}/*" not in accepted:
                wanted = ", ".join(sorted(accepted)) or "no body"
                return problem(415, f"Send the body as {wanted}, not {kind or 'untyped'}.")
        return None

    # -- running -----------------------------------------------------------------------

    def _accept(self, call: Call) -> Response:
        request = call.request
        route = call.route
        config = route.callback
        assert config is not None
        assert isinstance(route, Route)
        import apicore_callbacks as _callbacks  # loaded: the route has a dispatcher

        dispatcher = self.dispatcher
        try:
            callback = config.parse(request.headers.lower_map(), policy=dispatcher.settings.policy)
            submission = dispatcher.submit(
                call.route.key,
                # as JSON for the job store; the worker binds them again (dump and bind
                # round-trip every supported type: property-tested in apicore-introspect)
                json.loads(route.operation.dump(call.kwargs)),
                callback,
                request_id=call.request_id,
                traceparent=request.headers.get("traceparent"),
                owner=call.principal.name if call.principal is not None else None,
                idempotency_key=config.idempotency_key(request.headers.lower_map()),
            )
        except (_callbacks.CallbackRequestError, _callbacks.IdempotencyKeyReusedError) as exc:
            return problem_response(render_problem(exc))
        accepted = submission.acceptance
        body = json.dumps(accepted.body, separators=(",", ":")).encode()
        headers = [("Content-Type", JSON), *accepted.headers.items()]
        return Response.raw(accepted.status, body, headers)

    def _execute(self, call: Call) -> Response:
        route = call.route
        operation = route.binding if isinstance(route, BoundRoute) else route.operation
        # outgoing apicore-client calls made by the function forward the request's ids (read
        # from its headers only if it makes one)
        token = set_call_context(request_call_context(call.request_id, call.request.headers))
        try:
            result = operation.func(*call.args, **call.kwargs)
            if operation.is_async:
                # only the coroutine runs on the private loop thread (it is started with a copy
                # of this context); the result and errors are handled on this request's thread
                result = self._loop().run(result)
            return self._result(call, result)
        except Exception as exc:
            return self._failure(call, exc)
        finally:
            _called(call, token)

    async def _execute_async(self, call: Call) -> Response:
        route = call.route
        operation = route.binding if isinstance(route, BoundRoute) else route.operation
        token = set_call_context(request_call_context(call.request_id, call.request.headers))
        try:
            if operation.is_async:
                result = await operation.func(*call.args, **call.kwargs)
            else:
                loop = asyncio.get_running_loop()
                context = contextvars.copy_context()
                # one semaphore per endpoint and event loop (a semaphore belongs to one loop)
                key = (id(loop), call.route.key)
                limit = self._limits.get(key)
                if limit is None:
                    limit = self._limits.setdefault(key, asyncio.Semaphore(self._endpoint_threads))
                async with limit:
                    result = await loop.run_in_executor(
                        self._pool(),
                        lambda: context.run(operation.func, *call.args, **call.kwargs),
                    )
            return self._result(call, result)
        except Exception as exc:
            return self._failure(call, exc)
        finally:
            _called(call, token)

    def _result(self, call: Call, result: Any) -> Response:
        if isinstance(result, self._response_types):
            if isinstance(result, Response):
                return result.copy()  # it may be a shared constant: _finish adds headers
            status = getattr(result, "status_code", 200)
            return Response.wrap(result, status if isinstance(status, int) else 200)
        route = call.route
        if type(route) is BoundRoute:
            try:
                return route.binding.dump(result)
            except Exception as exc:
                return self._failure(call, exc)
        assert isinstance(route, Route)
        try:
            body = route.operation.dump(result)
        except ResultError:
            logger.exception("request %s: the result cannot be serialized", call.request_id)
            return problem_response(_internal(call.request_id))
        return Response.raw(route.response_code, body, [("Content-Type", JSON)])

    def _failure(self, call: Call, exc: Exception) -> Response:
        route = call.route
        if type(route) is BoundRoute:
            try:
                rendered = route.binding.error(exc)
            except Exception:
                return self._crash(call)
            if rendered is not None:
                return rendered
        if isinstance(exc, HTTPError):
            return exc.response()
        for kind, mapper in self._mappers:
            if isinstance(exc, kind):
                try:
                    mapped = mapper(exc)
                except Exception:
                    return self._crash(call)
                return mapped.response() if isinstance(mapped, HTTPError) else mapped
        return self._crash(call)

    def _crash(self, call: Call) -> Response:
        route = call.route
        name = route.binding.name if isinstance(route, BoundRoute) else route.operation.name
        logger.error("request %s: %s() raised", call.request_id, name, exc_info=sys.exc_info())
        return problem_response(_internal(call.request_id))

    def _finish(self, request: Request, response: Response, rid: str, started: float) -> Response:
        if rid:
            response.headers.append(("X-Request-ID", rid))
        if request.method == "HEAD":
            response.body = b""
            if response.stream is not None:
                close_stream(response.stream)
                response.stream = None
        if access_logger.isEnabledFor(logging.INFO):
            elapsed = (time.perf_counter() - started) * 1000
            access_logger.info(
                "%s %s %d %.1fms request_id=%s",
                log_safe(request.method),
                log_safe(request.path),
                response.status,
                elapsed,
                log_safe(rid),
            )
        return response

    def chunks(self, response: Response) -> Iterator[bytes]:
        """A streaming response's body as plain byte chunks, for WSGI servers.

        Async iterators run on this API's event loop thread, one chunk at a time; the stream
        is closed when the iterator is (a client that went away).
        """
        stream = response.stream
        if stream is None:
            yield response.body
            return
        if not isinstance(stream, AsyncIterable):
            try:
                for chunk in stream:
                    yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
            finally:
                close_stream(stream)
            return
        iterator = stream.__aiter__()
        loop = self._loop()

        async def step() -> Any:
            return await anext(iterator, _END)

        try:
            while (chunk := loop.run(step())) is not _END:
                yield chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
        finally:
            close = getattr(iterator, "aclose", None)
            if close is not None:
                loop.run(close())

    def _pool(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = concurrent.futures.ThreadPoolExecutor(
                        self._threads, thread_name_prefix="apicore-sync"
                    )
        return self._executor

    def _loop(self) -> LoopThread:
        if self._loop_thread is None:
            with self._lock:
                if self._loop_thread is None:
                    self._loop_thread = LoopThread()
        return self._loop_thread


def close_stream(stream: Any) -> None:
    """Close a streaming body that will not be sent (a ``HEAD`` request, a client gone).

    An async generator never started holds nothing: it is dropped.
    """
    close = getattr(stream, "close", None)
    if callable(close):
        close()


def _responses(path: str, responses: ResponseDocs | None) -> tuple[tuple[int, Any], ...]:
    out = []
    for status, doc in sorted((responses or {}).items()):
        code: object = status  # checked at run time too: callers are not always typed
        if not isinstance(code, int) or not 100 <= code <= 599:
            raise InvalidRouteError(
                f"{path}: responses keys must be statuses 100-599, not {status!r}"
            )
        if not isinstance(doc, (str, Mapping)):
            raise InvalidRouteError(
                f"{path}: responses[{status}] must be a description or a Response Object"
            )
        out.append((status, doc if isinstance(doc, str) else dict(doc)))
    return tuple(out)


def _requirement(auth: bool | str | Iterable[str] | Requirement) -> Requirement:
    if isinstance(auth, Requirement):
        return auth
    if auth is True:
        return ANY_TOKEN
    if auth is False or auth is None:
        return NO_AUTH
    scopes = (auth,) if isinstance(auth, str) else tuple(auth)
    return Requirement.for_scopes(*scopes)


def _called(call: Call, token: Any) -> None:
    # after the function: the call context as before, the form's uploads closed
    reset_call_context(token)
    if call.form is not None:
        close_uploads(call.form)


_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def log_safe(text: str) -> str:
    """Escape control characters and backslashes so that request text stays on its line.

    A ``%0a`` in a path decodes to a line break; written raw, it would forge a log line.
    """
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def request_id(given: str | None) -> str:
    """The request id to use: the client's ``X-Request-ID`` when it is sane, else a new one.

    Sane: 1 to 128 letters, digits and ``._:/+=@-`` (it goes into logs and response headers).
    """
    if given and _REQUEST_ID.fullmatch(given):
        return given
    return _new_id()


#: New request ids: 32 hex digits of ``os.urandom``, read 128 ids at a time (one system
#: call per 128 requests). Each id has a number from ``_ID_NUMBERS`` (``next`` on a count is
#: atomic) and is slot ``number % 128`` of the random block for ``number // 128``: no two
#: requests get the same slot of a block, and a block raced by two threads is just random
#: twice. A forked child (a preloading server's workers) draws its own blocks.
_ID_BLOCK = 128
_ID_NUMBERS = itertools.count()
_id_pool: tuple[int, str] = (-1, "")


def _new_id() -> str:
    global _id_pool
    block, slot = divmod(next(_ID_NUMBERS), _ID_BLOCK)
    pool = _id_pool
    if pool[0] != block:
        pool = _id_pool = (block, os.urandom(16 * _ID_BLOCK).hex())
    start = slot * 32
    return pool[1][start : start + 32]


def _forget_ids() -> None:
    global _id_pool
    _id_pool = (-1, "")


os.register_at_fork(after_in_child=_forget_ids)


def _internal(rid: str) -> dict[str, Any]:
    return problem(
        500,
        f"The server failed to answer; quote request id {rid} when reporting it.",
        request_id=rid,
    )
