from __future__ import annotations

import asyncio
import email.utils

import httpx
import pytest

from apicore_client import Client, RetryPolicy, attempts_of
from apicore_client.testing import (
    FakeClock,
    Fault,
    FaultTransport,
    Reply,
    ScriptExhausted,
    no_backoff,
    refuse,
    reset_mid_body,
    set_no_backoff,
    status,
)

POLICY = RetryPolicy(max_attempts=3, wait_initial=1.0)


def _sleeps_with_real_clock_fake_random() -> list[float | None]:
    clock = FakeClock()
    transport = FaultTransport([status(503), status(503), status(200)])
    with Client("http://t", transport=transport, retry=POLICY, clock=clock) as client:
        response = client.get("/")
    return [a.sleep for a in attempts_of(response)]


def test_no_backoff_context_manager() -> None:
    with no_backoff():
        assert _sleeps_with_real_clock_fake_random() == [0.0, 0.0, None]
        with no_backoff(False):
            assert _sleeps_with_real_clock_fake_random()[0] != 0.0
    assert _sleeps_with_real_clock_fake_random()[0] != 0.0


def test_set_no_backoff_global_toggle() -> None:
    set_no_backoff(True)
    try:
        assert _sleeps_with_real_clock_fake_random() == [0.0, 0.0, None]
    finally:
        set_no_backoff(False)
    assert _sleeps_with_real_clock_fake_random()[0] != 0.0


def test_no_backoff_keeps_decisions() -> None:
    # a Retry-After past the deadline still stops the call, it just does not sleep
    clock = FakeClock()
    transport = FaultTransport([status(503, retry_after=100), status(200)], clock=clock)
    with no_backoff(), Client("http://t", transport=transport, clock=clock) as client:
        with pytest.raises(Exception, match="deadline"):
            client.get("/")
    assert clock.sleeps == []


def test_fake_clock() -> None:
    clock = FakeClock(100.0, monotonic=5.0)
    clock.sleep(1.5)
    clock.advance(2.0)
    asyncio.run(clock.async_sleep(0.5))
    assert clock.monotonic() == 9.0
    assert clock.time() == 104.0
    assert clock.sleeps == [1.5, 0.5]
    with pytest.raises(ValueError, match="cannot go back"):
        clock.advance(-1)


def test_transport_records_and_runs_out() -> None:
    transport = FaultTransport([status(201, headers={"x": "1"})])
    with Client("http://t", transport=transport, retry=RetryPolicy.disabled()) as client:
        assert client.post("/a", content=b"body").headers["x"] == "1"
        with pytest.raises(ScriptExhausted, match="has no scripted step"):
            client.get("/b")
    assert [(r.method, r.url.path, r.content) for r in transport.requests] == [
        ("POST", "/a", b"body"),
        ("GET", "/b", b""),
    ]


def test_transport_then_repeats() -> None:
    transport = FaultTransport([refuse()], then=Reply(200, content=b"ok"))
    with Client("http://t", transport=transport) as client:
        assert client.get("/").content == b"ok"
        assert client.get("/").content == b"ok"
    assert len(transport.requests) == 3


def test_reply_slower_than_read_timeout_times_out() -> None:
    clock = FakeClock()
    transport = FaultTransport([status(200, takes=30.0)], clock=clock)
    with pytest.raises(httpx.ReadTimeout):
        httpx.Client(transport=transport, timeout=2.0).get("http://t/")
    assert clock.monotonic() == 2.0


def test_reset_mid_body_sync_and_async() -> None:
    transport = FaultTransport([reset_mid_body(b"abc"), Fault("reset_mid_body")])
    with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
        httpx.Client(transport=transport).get("http://t/")

    async def main() -> None:
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get("http://t/")

    with pytest.raises(httpx.RemoteProtocolError):
        asyncio.run(main())


@pytest.mark.parametrize(
    ("kind", "exc"),
    [
        ("refuse", httpx.ConnectError),
        ("connect_timeout", httpx.ConnectTimeout),
        ("pool_timeout", httpx.PoolTimeout),
        ("read_timeout", httpx.ReadTimeout),
        ("write_timeout", httpx.WriteTimeout),
        ("reset", httpx.ReadError),
    ],
)
def test_faults_raise_httpx_errors(kind: str, exc: type[Exception]) -> None:
    clock = FakeClock()
    transport = FaultTransport([Fault(kind)], clock=clock)  # type: ignore[arg-type]
    with pytest.raises(exc):
        httpx.Client(transport=transport, timeout=4.0).get("http://t/")
    assert clock.monotonic() == (0.0 if kind in {"refuse", "reset"} else 4.0)


def test_reply_headers_and_retry_after() -> None:
    date = email.utils.formatdate(0, usegmt=True)
    transport = FaultTransport([status(429, retry_after=date), status(503, retry_after=2.0)])
    client = httpx.Client(transport=transport)
    assert client.get("http://t/").headers["retry-after"] == date
    assert client.get("http://t/").headers["retry-after"] == "2"


def test_clock_names_are_apicore_introspects() -> None:
    import apicore_client
    import apicore_introspect
    import apicore_introspect.testing

    assert apicore_client.testing.FakeClock is apicore_introspect.testing.FakeClock
    assert apicore_client.Clock is apicore_introspect.Clock
    assert apicore_client.SystemClock is apicore_introspect.SystemClock
    assert apicore_client.parse_retry_after is apicore_introspect.parse_retry_after
