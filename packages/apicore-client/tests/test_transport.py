"""The retry transports on their own, inside plain httpx clients."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from apicore_client import HTTPStatusError, RetriesExhausted, RetryPolicy, attempts_of
from apicore_client.extending import AsyncRetryTransport, RetryTransport
from apicore_client.testing import FakeClock, FaultTransport, reset_mid_body, status

POLICY = RetryPolicy(max_attempts=3, deadline=60.0, wait_initial=1.0, wait_max=1.0)


def _half() -> float:
    return 0.5


def test_a_plain_httpx_client_retries_through_it() -> None:
    clock = FakeClock()
    faults = FaultTransport([status(503), reset_mid_body(), status(200, json={"ok": True})])
    transport = RetryTransport(faults, retry=POLICY, clock=clock, random=_half)
    with httpx.Client(base_url="http://t", transport=transport) as http:
        response = http.get("/items")
    assert response.json() == {"ok": True}
    assert [a.outcome for a in attempts_of(response)] == ["response", "error", "response"]
    assert clock.sleeps == [0.5, 0.5]
    assert len(faults.requests) == 3


def test_the_async_transport_retries_the_same_way() -> None:
    clock = FakeClock()
    faults = FaultTransport([status(502), status(200, json={"ok": True})])

    async def main() -> httpx.Response:
        transport = AsyncRetryTransport(faults, retry=POLICY, clock=clock, random=_half)
        async with httpx.AsyncClient(base_url="http://t", transport=transport) as http:
            return await http.get("/items")

    response = asyncio.run(main())
    assert response.json() == {"ok": True}
    assert [a.status_code for a in attempts_of(response)] == [502, 200]
    assert clock.sleeps == [0.5]


def test_a_request_carries_its_own_policy() -> None:
    faults = FaultTransport([status(503), status(200)])
    transport = RetryTransport(faults, retry=POLICY, clock=FakeClock())
    with httpx.Client(base_url="http://t", transport=transport) as http:
        request = http.build_request("GET", "/")
        request.extensions["apicore.retry"] = RetryPolicy.disabled()
        with pytest.raises(HTTPStatusError, match="503"):
            http.send(request)
    assert len(faults.requests) == 1


def test_final_errors_are_returned_without_raise_for_status() -> None:
    faults = FaultTransport([status(503), status(503), status(503)])
    transport = RetryTransport(faults, retry=POLICY, clock=FakeClock(), raise_for_status=False)
    with httpx.Client(transport=transport) as http:
        response = http.get("http://t/")
    assert response.status_code == 503
    assert len(attempts_of(response)) == 3


def test_exhausted_retries_raise_with_the_history() -> None:
    faults = FaultTransport([status(503)] * 3)
    transport = RetryTransport(faults, retry=POLICY, clock=FakeClock())
    with httpx.Client(transport=transport) as http, pytest.raises(RetriesExhausted) as caught:
        http.get("http://t/")
    assert [a.status_code for a in caught.value.attempts] == [503, 503, 503]


def test_the_default_inner_transport_is_httpx_s_and_closing_reaches_it() -> None:
    transport = RetryTransport()
    assert isinstance(transport.transport, httpx.HTTPTransport)
    transport.close()
    assert isinstance(AsyncRetryTransport().transport, httpx.AsyncHTTPTransport)
