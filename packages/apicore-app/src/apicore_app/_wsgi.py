"""``wsgi_app``: an ``Api`` as a WSGI application, with no framework underneath.

The body is read within ``Api.read_limit`` (``Content-Length``, or a chunked body the server
ends); the headers are read from the environ only when asked for.
"""

from __future__ import annotations

import http
import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from apicore_app._app import Api
from apicore_app._asgi import too_large
from apicore_app._http import Request, Response, _EnvironHeaders, problem, problem_response
from apicore_app._logging import configure_logging

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in http.HTTPStatus}


def wsgi_app(api: Api, *, fallback: WSGIApplication | None = None) -> WsgiApp:
    """``api`` as a WSGI application (``gunicorn module:app``); see ``WsgiApp``.

    Args:
        api: The routes to serve.
        fallback: The WSGI app for paths ``api`` does not own (``Api.owns``); without one
            they get a JSON 404 problem.
    """
    return WsgiApp(api, fallback)


class WsgiApp:
    """A WSGI application serving an ``Api`` (build it with ``wsgi_app``).

    ``start()`` runs on the first request (WSGI servers call no start-up hook).

    Attributes:
        api: The served ``Api``.
        fallback: The WSGI app for everything else, or ``None``.
        setup_logging: ``start()`` configures logging (``configure_logging``) unless the
            root logger already has handlers.
    """

    __slots__ = ("_lock", "api", "fallback", "setup_logging", "started")

    def __init__(
        self, api: Api, fallback: WSGIApplication | None = None, *, setup_logging: bool = False
    ) -> None:
        self.api = api
        self.fallback = fallback
        self.setup_logging = setup_logging
        self.started = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Set up logging (see ``setup_logging``) and start ``api``; idempotent."""
        with self._lock:
            if self.started:
                return
            if self.setup_logging and not logging.getLogger().handlers:
                configure_logging()
            self.api.start()
            self.started = True  # last: requests read it without the lock

    def stop(self, timeout: float = 10.0) -> None:
        """Stop ``api``'s background work, finishing what is in flight."""
        with self._lock:
            self.started = False
        self.api.stop(timeout)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI interface."""
        path = environ_path(environ)
        if self.fallback is not None and not self.api.owns(path):
            return self.fallback(environ, start_response)
        if not self.started:
            self.start()
        response = self.respond(environ, path)
        if response.native is not None:
            native: WSGIApplication = response.native
            return native(environ, start_response)
        status = _STATUS_LINES.get(response.status) or f"{response.status} "
        if response.stream is not None:
            start_response(status, response.headers)
            return self.api.chunks(response)
        response.headers.append(("Content-Length", str(len(response.body))))
        start_response(status, response.headers)
        return [response.body]

    def respond(self, environ: WSGIEnvironment, path: str | None = None) -> Response:
        """The ``Api``'s answer to the request of ``environ`` (whatever its path)."""
        api = self.api
        method = environ["REQUEST_METHOD"]
        query = environ.get("QUERY_STRING") or ""
        headers = _EnvironHeaders(environ)
        if path is None:
            path = environ_path(environ)
        try:
            body = read_body(environ, api.read_limit)
        except ValueError:
            bad = problem_response(problem(400, "The Content-Length header is not a number."))
            return api.finish(Request(method, path, query, headers), bad)
        if body is None:
            return api.finish(Request(method, path, query, headers), too_large(api.read_limit))
        address = environ.get("REMOTE_ADDR")
        if address:
            port = environ.get("REMOTE_PORT")
            client = (address, int(port) if port and str(port).isdigit() else 0)
        else:
            client = None
        scheme = environ.get("wsgi.url_scheme") or "http"
        return api.handle(Request(method, path, query, headers, body, client, scheme))


def read_body(environ: WSGIEnvironment, limit: int) -> bytes | None:
    """The request body, or ``None`` when it is over ``limit`` bytes.

    Raises:
        ValueError: ``Content-Length`` is not a number.
    """
    length = environ.get("CONTENT_LENGTH")
    stream = environ["wsgi.input"]
    if length:
        size = int(length)
        if size < 0:
            raise ValueError(length)
        return stream.read(size) if size <= limit else None
    if environ.get("wsgi.input_terminated"):  # chunked: the server ends the stream
        body: bytes = stream.read(limit + 1)
        return body if len(body) <= limit else None
    return b""


def environ_path(environ: WSGIEnvironment) -> str:
    """The request's path as text (``PATH_INFO`` holds its raw bytes as latin-1)."""
    path: str = environ.get("PATH_INFO", "")
    if not path.isascii():  # routes are matched on UTF-8 text
        path = path.encode("latin-1").decode("utf-8", "replace")
    return path or "/"
