"""Spec-first APIs on Starlette (and asymmetric): the ASGI edge of :mod:`pymacaron_core._server`."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from apicore_app import Api, HTTPError, asgi_app
from pymacaron_core._calls import CALL_ID_HEADER, call_headers
from pymacaron_core._server import SpecRoute


def mount_starlette(app: Any, api: Api, routes: list[SpecRoute], api_name: str) -> None:
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
    endpoint = CallIdApp(api, api_name)
    for path in dict.fromkeys(route.path for route in routes):
        # every method: a method the spec does not declare is apicore-app's JSON 405
        router.routes.append(StarletteRoute(path, endpoint))
    if getattr(router.default, "__func__", None) is Router.not_found:
        router.default = endpoint


def _from_http_exception(exc: Any) -> HTTPError:
    return HTTPError(exc.status_code, str(exc.detail), headers=exc.headers)


class CallIdApp:
    """An ASGI app answering every request with ``api`` (apicore-app's ``asgi_app``).

    It adds the call id and path to the request's headers and ``PymCallID`` to the answer.
    """

    def __init__(self, api: Api, api_name: str) -> None:
        self.app = asgi_app(api)
        self.api_name = api_name

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        headers, call_id, _ = call_headers(raw, self.api_name)
        encoded = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        marked = (CALL_ID_HEADER.lower().encode(), call_id.encode("latin-1"))

        async def send_with_call_id(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), marked]}
            await send(message)

        await self.app.serve({**scope, "headers": encoded}, receive, send_with_call_id)
