"""The fault matrix of reliability.md 7.E (26, 27): exact attempts and sleeps on a fake clock."""

from __future__ import annotations

import asyncio
import email.utils
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import apicore_client
from apicore_client import AsyncClient, Client, RetryPolicy, Timeouts, attempts_of, testing
from apicore_client.extending import classify_error

WALL = 1_700_000_000.0
HTTP_DATE_IN_30S = email.utils.formatdate(WALL + 30, usegmt=True)
# random() == 0.5 makes full jitter deterministic: half of each cap (1, 2, 4, ... seconds)
POLICY = RetryPolicy(max_attempts=3, deadline=100.0, wait_initial=1.0, wait_max=10.0)
KEY = {"Idempotency-Key": "k-1"}

# fault -> (retried for any method, retried for retry-safe requests, error when not retried)
FAULTS: dict[str, tuple[testing.Step, bool, type[apicore_client.ClientError]]] = {
    "connect-refused": (testing.refuse(), True, apicore_client.ConnectError),
    "connect-timeout": (testing.connect_timeout(), True, apicore_client.RequestTimeout),
    "reset-before-response": (testing.reset(), False, apicore_client.TransportError),
    "read-timeout": (testing.read_timeout(), False, apicore_client.RequestTimeout),
    "partial-body-then-reset": (testing.reset_mid_body(), False, apicore_client.TransportError),
    "500": (testing.status(500), False, apicore_client.HTTPStatusError),
    "502": (testing.status(502), False, apicore_client.HTTPStatusError),
    "503": (testing.status(503), False, apicore_client.HTTPStatusError),
    "503-retry-after-seconds": (
        testing.status(503, retry_after=7),
        False,
        apicore_client.HTTPStatusError,
    ),
    "503-retry-after-date": (
        testing.status(503, retry_after=HTTP_DATE_IN_30S),
        False,
        apicore_client.HTTPStatusError,
    ),
    "429": (testing.status(429, retry_after="3"), False, apicore_client.HTTPStatusError),
    "408": (testing.status(408), False, apicore_client.HTTPStatusError),
}
NEVER_RETRIED = {"404": testing.status(404), "400": testing.status(400)}
REQUESTS = {
    "GET": ("GET", {}),
    "PUT": ("PUT", {}),
    "POST": ("POST", {}),
    "POST+key": ("POST", KEY),
}


def _first_sleep(name: str) -> float:
    return {"503-retry-after-seconds": 7.0, "503-retry-after-date": 30.0, "429": 3.0}.get(name, 0.5)


def _second_sleep(name: str) -> float:
    # the HTTP-date stays the same, so the second wait is what is left of it: nothing
    return {"503-retry-after-seconds": 7.0, "503-retry-after-date": 0.0, "429": 3.0}.get(name, 1.0)


def run(
    flavour: str,
    steps: list[testing.Step],
    method: str = "GET",
    *,
    headers: dict[str, str] | None = None,
    policy: RetryPolicy = POLICY,
    timeouts: Timeouts | None = None,
    raise_for_status: bool = True,
) -> tuple[httpx.Response | apicore_client.ClientError, testing.FaultTransport, testing.FakeClock]:
    clock = testing.FakeClock(WALL)
    transport = testing.FaultTransport(steps, clock=clock)
    options: dict[str, Any] = {
        "retry": policy,
        "clock": clock,
        "random": lambda: 0.5,
        "timeouts": timeouts,
        "raise_for_status": raise_for_status,
    }
    if flavour == "sync":
        with Client("http://api.test", transport=transport, **options) as client:
            try:
                return client.request(method, "/things/1", headers=headers), transport, clock
            except apicore_client.ClientError as exc:
                return exc, transport, clock

    async def main() -> httpx.Response | apicore_client.ClientError:
        async with AsyncClient("http://api.test", transport=transport, **options) as client:
            try:
                return await client.request(method, "/things/1", headers=headers)
            except apicore_client.ClientError as exc:
                return exc

    return asyncio.run(main()), transport, clock


FLAVOURS = pytest.mark.parametrize("flavour", ["sync", "async"])
REQUEST_KINDS = pytest.mark.parametrize("request_kind", REQUESTS)


def every_request_and_fault(test: Callable[..., None]) -> Callable[..., None]:
    """Run ``test`` for each flavour, each kind of request and each fault of ``FAULTS``."""
    for mark in (FLAVOURS, REQUEST_KINDS, pytest.mark.parametrize("fault", FAULTS)):
        test = mark(test)
    return test


@every_request_and_fault
def test_fault_then_success(flavour: str, request_kind: str, fault: str) -> None:
    step, always, error = FAULTS[fault]
    method, headers = REQUESTS[request_kind]
    outcome, transport, clock = run(flavour, [step, testing.status(200)], method, headers=headers)
    retried = always or request_kind != "POST"
    if retried:
        assert isinstance(outcome, httpx.Response)
        assert outcome.status_code == 200
        assert len(transport.requests) == 2
        assert clock.sleeps == [_first_sleep(fault)]
        history = attempts_of(outcome)
        assert [a.number for a in history] == [1, 2]
        assert history[0].sleep == _first_sleep(fault)
        assert history[1].sleep is None
        assert history[1].status_code == 200
    else:
        assert type(outcome) is error
        assert len(transport.requests) == 1
        assert clock.sleeps == []
        assert len(outcome.attempts) == 1
        assert outcome.attempts[0].sleep is None
        assert "Idempotency-Key" in str(outcome)


@every_request_and_fault
def test_persistent_fault_exhausts_attempts(flavour: str, request_kind: str, fault: str) -> None:
    step, always, error = FAULTS[fault]
    method, headers = REQUESTS[request_kind]
    outcome, transport, clock = run(flavour, [step] * 3, method, headers=headers)
    assert isinstance(outcome, apicore_client.ClientError)
    if always or request_kind != "POST":
        assert type(outcome) is apicore_client.RetriesExhausted
        assert len(transport.requests) == 3
        expected = [_first_sleep(fault), _second_sleep(fault)]
        assert [a.sleep for a in outcome.attempts] == [*expected, None]
        assert clock.sleeps == [s for s in expected if s]  # a zero wait is no sleep
        if isinstance(step, testing.Reply):
            assert outcome.response is not None
            assert outcome.status_code == step.status
            assert outcome.exception is None
        else:
            assert isinstance(outcome.exception, httpx.TransportError)
            assert outcome.__cause__ is outcome.exception
            assert outcome.response is None
    else:
        assert type(outcome) is error
        assert len(transport.requests) == 1


@FLAVOURS
@REQUEST_KINDS
@pytest.mark.parametrize("code", NEVER_RETRIED)
def test_client_errors_are_never_retried(flavour: str, request_kind: str, code: str) -> None:
    method, headers = REQUESTS[request_kind]
    outcome, transport, clock = run(flavour, [NEVER_RETRIED[code]], method, headers=headers)
    assert isinstance(outcome, apicore_client.HTTPStatusError)
    assert outcome.status_code == int(code)
    assert len(transport.requests) == 1
    assert clock.sleeps == []


@FLAVOURS
def test_idempotency_key_is_the_same_on_every_attempt(flavour: str) -> None:
    steps: list[testing.Step] = [
        testing.status(503),
        testing.read_timeout(),
        testing.reset(),
        testing.status(201),
    ]
    policy = RetryPolicy(max_attempts=4, deadline=100.0, wait_initial=1.0)
    clock = testing.FakeClock()
    transport = testing.FaultTransport(steps, clock=clock)

    async def async_call() -> httpx.Response:
        async with AsyncClient("http://t", transport=transport, retry=policy, clock=clock) as c:
            return await c.post("/orders", json={"n": 1}, idempotency_key=True)

    if flavour == "sync":
        with Client("http://t", transport=transport, retry=policy, clock=clock) as client:
            response = client.post("/orders", json={"n": 1}, idempotency_key=True)
    else:
        response = asyncio.run(async_call())
    assert response.status_code == 201
    keys = {r.headers["idempotency-key"] for r in transport.requests}
    assert len(transport.requests) == 4
    assert len(keys) == 1
    assert len(keys.pop()) == 36  # a UUID
    assert {r.content for r in transport.requests} == {b'{"n":1}'}


def test_client_level_keys_go_on_non_idempotent_methods_only() -> None:
    transport = testing.FaultTransport(then=testing.status(200))
    with Client("http://t", transport=transport, idempotency_keys=True) as client:
        client.post("/a")
        client.patch("/a")
        client.get("/a")
        client.put("/a")
        client.post("/a", idempotency_key="mine")
        client.post("/a", idempotency_key=False)
        client.post("/a", headers={"Idempotency-Key": "given"})
    keys = [r.headers.get("idempotency-key") for r in transport.requests]
    assert keys[0] is not None
    assert keys[1] is not None
    assert keys[0] != keys[1]
    assert keys[2:] == [None, None, "mine", None, "given"]


def test_post_is_not_retried_on_read_timeout_without_a_key() -> None:
    outcome, transport, _ = run("sync", [testing.read_timeout(), testing.status(200)], "POST")
    assert isinstance(outcome, apicore_client.RequestTimeout)
    assert isinstance(outcome, TimeoutError)
    assert isinstance(outcome.__cause__, httpx.ReadTimeout)
    assert len(transport.requests) == 1
    assert outcome.attempts[0].error == "ReadTimeout"


def test_patch_is_not_retried_on_read_timeout_unlike_pymacaron() -> None:
    outcome, transport, _ = run("sync", [testing.read_timeout(), testing.status(200)], "PATCH")
    assert isinstance(outcome, apicore_client.RequestTimeout)
    assert len(transport.requests) == 1


def test_retry_after_above_the_cap_is_capped() -> None:
    policy = RetryPolicy(max_attempts=2, deadline=1000.0, retry_after_max=20.0)
    outcome, _, clock = run(
        "sync", [testing.status(503, retry_after=500), testing.status(200)], policy=policy
    )
    assert isinstance(outcome, httpx.Response)
    assert clock.sleeps == [20.0]


def test_retry_after_past_the_deadline_stops_with_the_response() -> None:
    policy = RetryPolicy(max_attempts=5, deadline=10.0, retry_after_max=60.0)
    outcome, transport, clock = run("sync", [testing.status(429, retry_after=30)], policy=policy)
    assert isinstance(outcome, apicore_client.DeadlineExceeded)
    assert isinstance(outcome, TimeoutError)
    assert outcome.status_code == 429
    assert outcome.response is not None
    assert len(transport.requests) == 1
    assert clock.sleeps == []
    assert "30 s" in str(outcome)


def test_retry_after_is_ignored_when_not_respected() -> None:
    policy = RetryPolicy(deadline=100.0, wait_initial=1.0, respect_retry_after=False)
    outcome, _, clock = run(
        "sync", [testing.status(503, retry_after=50), testing.status(200)], policy=policy
    )
    assert isinstance(outcome, httpx.Response)
    assert clock.sleeps == [0.5]


def test_invalid_retry_after_falls_back_to_backoff() -> None:
    outcome, _, clock = run("sync", [testing.status(503, retry_after="soon"), testing.status(200)])
    assert isinstance(outcome, httpx.Response)
    assert clock.sleeps == [0.5]


def test_disabled_policy_raises_the_plain_error() -> None:
    outcome, transport, _ = run(
        "sync", [testing.status(503), testing.status(200)], policy=RetryPolicy.disabled()
    )
    assert type(outcome) is apicore_client.HTTPStatusError
    assert "retries are disabled" in str(outcome)
    outcome, transport, _ = run(
        "sync", [testing.refuse(), testing.status(200)], policy=RetryPolicy.disabled()
    )
    assert type(outcome) is apicore_client.ConnectError
    assert len(transport.requests) == 1


def test_connect_errors_can_be_excluded() -> None:
    policy = RetryPolicy(retry_connect_errors=False)
    outcome, transport, _ = run("sync", [testing.refuse(), testing.status(200)], policy=policy)
    assert isinstance(outcome, apicore_client.ConnectError)
    assert isinstance(outcome, ConnectionError)
    assert len(transport.requests) == 1


def test_without_raise_for_status_error_responses_are_returned() -> None:
    outcome, transport, clock = run("sync", [testing.status(503)] * 3, raise_for_status=False)
    assert isinstance(outcome, httpx.Response)
    assert outcome.status_code == 503
    assert len(attempts_of(outcome)) == 3
    assert clock.sleeps == [0.5, 1.0]
    outcome, _, _ = run("sync", [testing.status(404)], raise_for_status=False)
    assert isinstance(outcome, httpx.Response)
    assert outcome.status_code == 404
    policy = RetryPolicy(deadline=5.0)
    outcome, _, _ = run(
        "sync", [testing.status(503, retry_after=9)], policy=policy, raise_for_status=False
    )
    assert isinstance(outcome, httpx.Response)
    assert [a.sleep for a in attempts_of(outcome)] == [None]


def test_attempt_history_records_times_and_durations() -> None:
    steps: list[testing.Step] = [
        testing.read_timeout(takes=2.0),
        testing.status(500, takes=0.25),
        testing.status(200, takes=1.0),
    ]
    outcome, _, _ = run("sync", steps)
    assert isinstance(outcome, httpx.Response)
    history = attempts_of(outcome)
    assert [(a.outcome, a.status_code, a.error) for a in history] == [
        ("error", None, "ReadTimeout"),
        ("response", 500, None),
        ("response", 200, None),
    ]
    assert [a.duration for a in history] == [2.0, 0.25, 1.0]
    assert [a.started_at - WALL for a in history] == [0.0, 2.5, 3.75]
    assert [a.sleep for a in history] == [0.5, 1.0, None]


def test_timeouts_shrink_to_the_time_left() -> None:
    policy = RetryPolicy(max_attempts=3, deadline=12.0, wait_initial=1.0)
    timeouts = Timeouts(connect=5.0, read=10.0)
    outcome, transport, clock = run(
        "sync", [testing.read_timeout()] * 3, timeouts=timeouts, policy=policy
    )
    assert isinstance(outcome, apicore_client.DeadlineExceeded)
    assert transport.requests[0].extensions["timeout"]["read"] == 10.0
    # 10 s spent, 0.5 s slept: 1.5 s left for the second attempt
    assert transport.requests[1].extensions["timeout"]["read"] == 1.5
    assert transport.requests[1].extensions["timeout"]["connect"] == 1.5
    # the second attempt times out exactly at the deadline: no third attempt
    assert clock.monotonic() == 12.0
    assert len(transport.requests) == 2
    assert isinstance(outcome.exception, httpx.ReadTimeout)


def test_fatal_errors_are_not_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.UnsupportedProtocol("no", request=request)

    with Client("http://t", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(apicore_client.TransportError, match="retrying cannot help") as info:
            client.get("/")
    assert len(info.value.attempts) == 1


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ConnectError("x"), "connect"),
        (httpx.ConnectTimeout("x"), "connect"),
        (httpx.PoolTimeout("x"), "connect"),
        (httpx.ReadTimeout("x"), "sent"),
        (httpx.WriteTimeout("x"), "sent"),
        (httpx.ReadError("x"), "sent"),
        (httpx.WriteError("x"), "sent"),
        (httpx.RemoteProtocolError("x"), "sent"),
        (httpx.LocalProtocolError("x"), "fatal"),
        (httpx.UnsupportedProtocol("x"), "fatal"),
        (httpx.ProxyError("x"), "fatal"),
    ],
)
def test_classify_error(exc: httpx.HTTPError, kind: str) -> None:
    assert classify_error(exc) == kind


def test_messages_do_not_leak_the_query_string() -> None:
    clock = testing.FakeClock()
    transport = testing.FaultTransport([testing.status(404)], clock=clock)
    with Client("http://t", transport=transport, clock=clock) as client:
        with pytest.raises(
            apicore_client.HTTPStatusError, match=r"GET http://t/x answered 404"
        ) as info:
            client.get("http://user:pw@t/x", params={"token": "s3cret"})
    assert "s3cret" not in str(info.value)
    assert "pw" not in str(info.value)


# --- hypothesis: the deadline is never exceeded (7.E 27) -------------------------------------

_step = st.one_of(
    st.builds(
        testing.Fault, kind=st.sampled_from(["connect_timeout", "read_timeout", "pool_timeout"])
    ),
    st.builds(
        testing.Fault,
        kind=st.sampled_from(["refuse", "reset", "reset_mid_body"]),
        takes=st.just(0.0),
    ),
    st.builds(
        testing.Reply,
        status=st.sampled_from([408, 429, 500, 502, 503, 504, 200]),
        retry_after=st.one_of(st.none(), st.integers(0, 200)),
        takes=st.floats(0, 30),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    max_attempts=st.integers(1, 8),
    deadline=st.floats(0.5, 60),
    wait_initial=st.floats(0, 3),
    retry_after_max=st.floats(0, 100),
    connect=st.floats(0.1, 10),
    read=st.floats(0.1, 30),
    steps=st.lists(_step, min_size=8, max_size=8),
    jitter=st.floats(0, 0.999),
)
def test_deadline_and_attempts_are_never_exceeded(
    max_attempts: int,
    deadline: float,
    wait_initial: float,
    retry_after_max: float,
    connect: float,
    read: float,
    steps: list[testing.Step],
    jitter: float,
) -> None:
    policy = RetryPolicy(
        max_attempts=max_attempts,
        deadline=deadline,
        wait_initial=wait_initial,
        wait_max=max(wait_initial, 5.0),
        retry_after_max=retry_after_max,
    )
    clock = testing.FakeClock()
    transport = testing.FaultTransport(steps, clock=clock)
    with Client(
        "http://t",
        transport=transport,
        retry=policy,
        timeouts=Timeouts(connect=connect, read=read, write=read, pool=connect),
        clock=clock,
        random=lambda: jitter,
    ) as client:
        try:
            history = attempts_of(client.get("/"))
        except apicore_client.ClientError as exc:
            history = exc.attempts
    assert len(history) == len(transport.requests)
    assert 1 <= len(transport.requests) <= max_attempts
    assert clock.monotonic() <= deadline + 1e-9
    cap = max(policy.wait_max, retry_after_max)
    assert all(0 <= s <= cap for s in clock.sleeps)
