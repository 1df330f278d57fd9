"""The clients forward the current call context (apicore-introspect's) on outgoing calls."""

from __future__ import annotations

import asyncio
import threading

from apicore_client import (
    AsyncClient,
    CallContext,
    Client,
    call_context,
    current_call_context,
)
from apicore_client.testing import FaultTransport, status

TRACE = "0af7651916cd43dd8448eb211c80319c"
# what a server sets while a function runs (apicore-introspect tests how it reads headers)
SERVED = CallContext(
    request_id="req-1",
    traceparent=f"00-{TRACE}-b7ad6b7169203331-01",
    call_id="call-7",
    call_path="svc-a.op/svc-b.op",
)


def test_clients_add_the_context_unless_set_explicitly() -> None:
    transport = FaultTransport(then=status(200))
    with Client("http://t", transport=transport) as client:
        client.get("/before")
        with call_context(SERVED):
            client.get("/inside", headers={"PymCallID": "explicit"})
        client.get("/after")
    before, inside, after = transport.requests
    assert "x-request-id" not in before.headers
    assert inside.headers["x-request-id"] == "req-1"
    assert inside.headers["pymcallid"] == "explicit"
    assert inside.headers["pymcallpath"] == "svc-a.op/svc-b.op"
    assert inside.headers["traceparent"].split("-")[1] == TRACE
    assert "traceparent" not in after.headers


def test_propagation_can_be_turned_off() -> None:
    transport = FaultTransport(then=status(200))
    with call_context(CallContext(request_id="r")):
        with Client("http://t", transport=transport, propagate=False) as client:
            client.get("/")
    assert "x-request-id" not in transport.requests[0].headers


def test_contexts_are_isolated_between_tasks_and_threads() -> None:
    transport = FaultTransport(then=status(200))

    async def serve(request_id: str) -> None:
        with call_context(CallContext(request_id=request_id)):
            await asyncio.sleep(0)
            async with AsyncClient("http://t", transport=transport) as client:
                await client.get(f"/{request_id}")

    async def main() -> None:
        await asyncio.gather(serve("one"), serve("two"))

    asyncio.run(main())
    seen = {r.url.path: r.headers["x-request-id"] for r in transport.requests}
    assert seen == {"/one": "one", "/two": "two"}

    found: list[CallContext | None] = []
    with call_context(CallContext(request_id="main")):
        thread = threading.Thread(target=lambda: found.append(current_call_context()))
        thread.start()
        thread.join(5)
    assert found == [None]
