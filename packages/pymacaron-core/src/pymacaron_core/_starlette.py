"""Spec-first APIs on Starlette (and asymmetric): the ASGI edge of :mod:`pymacaron_core._server`."""

from __future__ import annotations

from typing import Any

from apicore_app import Api, Headers, HTTPError, Request, Response
from pymacaron_core._calls import answered, call_request
from pymacaron_core._server import Route


def mount_starlette(app: Any, api: Api, routes: list[Route], api_name: str) -> None:
    """Add the routes to a Starlette app (or asymmetric's), all answered by ``api``.

    On a plain Starlette app, requests no route matches go to ``api`` too: JSON 404/405,
    and the spec's ``/docs``, ``/redoc`` and ``/openapi.json``.
    """
    from starlette.exceptions import HTTPException
    from starlette.responses import Response as StarletteResponse
    from starlette.routing import Route as StarletteRoute, Router

    router: Router = app.router
    api.map_exception(HTTPException, _from_http_exception)
    api.add_response_type(StarletteResponse)
    endpoint = Endpoint(api, api_name)
    for path in dict.fromkeys(route.path for route in routes):
        # every method: a method the spec does not declare is apicore-app's JSON 405
        router.routes.append(StarletteRoute(path, endpoint))
    if getattr(router.default, "__func__", None) is Router.not_found:
        router.default = endpoint


def _from_http_exception(exc: Any) -> HTTPError:
    return HTTPError(exc.status_code, str(exc.detail), headers=exc.headers)


class Endpoint:
    """An ASGI app answering every request with ``api`` (a Starlette route's endpoint)."""

    def __init__(self, api: Api, api_name: str) -> None:
        self.api = api
        self.api_name = api_name

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.requests import Request as StarletteRequest

        api = self.api
        body = b""
        async for chunk in StarletteRequest(scope, receive).stream():
            body += chunk
            if len(body) > api.read_limit:
                error = HTTPError(413, f"The body is larger than {api.read_limit} bytes.")
                await _send(error.response(), scope, receive, send)
                return
        client = (scope["client"][0], scope["client"][1]) if scope.get("client") else None
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        request = Request(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            Headers(raw),
            body,
            client,
            scope.get("scheme", "http"),
        )
        request = call_request(request, self.api_name)
        response = answered(await api.handle_async(request), request)
        await _send(response, scope, receive, send)


async def _send(response: Response, scope: Any, receive: Any, send: Any) -> None:
    from starlette.responses import Response as StarletteResponse

    if response.native is not None:
        await response.native(scope, receive, send)
        return
    native = StarletteResponse(response.body, status_code=response.status)
    native.raw_headers = [
        *((k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers),
        (b"content-length", str(len(response.body)).encode()),
    ]
    await native(scope, receive, send)
