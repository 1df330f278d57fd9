"""Test helpers: an in-process client that runs the app's lifespan.

Example:
    ```python
    from asymmetric.testing import client

    async def test_add():
        async with client(app) as http:  # startup hooks and callback worker run
            response = await http.post("/add", json={"a": 1, "b": 2})
        assert response.json() == 3
    ```
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
from starlette.types import ASGIApp

__all__ = ["LifespanError", "client", "lifespan"]


class LifespanError(RuntimeError):
    """The app's startup failed (a startup hook raised); the message says why."""


@contextlib.asynccontextmanager
async def lifespan(app: ASGIApp, *, timeout: float = 10.0) -> AsyncIterator[dict[str, Any]]:
    """Run the ASGI lifespan of ``app``: startup on entry, shutdown on exit.

    Yields:
        The lifespan state (what a Starlette lifespan context yields).

    Raises:
        LifespanError: Startup or shutdown failed.
        TimeoutError: Startup or shutdown took longer than ``timeout`` seconds.
    """
    inbox: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
    state: dict[str, Any] = {}
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": state}
    task = asyncio.ensure_future(app(scope, inbox.get, outbox.put))
    try:
        await inbox.put({"type": "lifespan.startup"})
        await _expect(outbox, task, "lifespan.startup", timeout)
        yield state
        await inbox.put({"type": "lifespan.shutdown"})
        await _expect(outbox, task, "lifespan.shutdown", timeout)
    finally:
        if not task.done():
            task.cancel()
        with contextlib.suppress(BaseException):
            await task


async def _expect(
    outbox: asyncio.Queue[MutableMapping[str, Any]],
    task: asyncio.Future[Any],
    phase: str,
    timeout: float,
) -> None:
    getter = asyncio.ensure_future(outbox.get())
    done, _ = await asyncio.wait({getter, task}, timeout=timeout, return_when="FIRST_COMPLETED")
    if getter not in done:
        getter.cancel()
        if task in done and task.exception() is not None:
            raise LifespanError(f"{phase} failed: {task.exception()!r}")
        raise TimeoutError(f"{phase} did not complete within {timeout} s")
    message = getter.result()
    if message["type"] != f"{phase}.complete":
        raise LifespanError(f"{phase} failed: {message.get('message', '')}")


@contextlib.asynccontextmanager
async def client(
    app: ASGIApp, *, base_url: str = "http://testserver", run_lifespan: bool = True
) -> AsyncIterator[httpx.AsyncClient]:
    """An ``httpx.AsyncClient`` calling ``app`` in-process (after its startup, if asked).

    Args:
        app: The ASGI app (an ``Asymmetric`` object).
        base_url: The URL requests are relative to.
        run_lifespan: Run startup hooks and the callback worker around the client.
    """
    async with contextlib.AsyncExitStack() as stack:
        if run_lifespan:
            await stack.enter_async_context(lifespan(app))
        transport = httpx.ASGITransport(app=app)
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url=base_url)
        )
        yield http
