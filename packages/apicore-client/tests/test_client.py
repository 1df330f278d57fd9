from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from typing import Any

import httpx
import pytest

import apicore_client
from apicore_client import AsyncClient, Client, RetryPolicy, Timeouts, attempts_of
from apicore_client.testing import FaultTransport, no_backoff, status

FAST = RetryPolicy(max_attempts=4, deadline=10.0, wait_initial=0.01, wait_max=0.02)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: connecting to it is refused


def test_real_server_that_fails_first_requests_sync(flaky_server: Any) -> None:
    flaky_server.fail_first = 2
    with Client(flaky_server.url, retry=FAST, headers={"X-App": "t"}) as client:
        response = client.get("/items", params={"q": "a b"})
        again = client.put("/items/1", json={"n": 1})
    assert response.json() == {"attempt": 3, "path": "/items?q=a+b"}
    assert [a.status_code for a in attempts_of(response)] == [503, 503, 200]
    assert again.status_code == 200
    assert len(attempts_of(again)) == 1
    assert [seen[0] for seen in flaky_server.seen] == ["GET", "GET", "GET", "PUT"]
    assert all(seen[2]["X-App"] == "t" for seen in flaky_server.seen)
    assert flaky_server.seen[3][3] == b'{"n":1}'


def test_real_server_post_with_a_key_sync(flaky_server: Any) -> None:
    flaky_server.fail_first = 1
    with Client(flaky_server.url, retry=FAST, idempotency_keys=True) as client:
        response = client.post("/orders", json={"n": 2})
    assert response.json()["attempt"] == 2
    keys = {seen[2]["Idempotency-Key"] for seen in flaky_server.seen}
    assert len(keys) == 1


def test_real_server_post_without_a_key_is_not_retried(flaky_server: Any) -> None:
    flaky_server.fail_first = 1
    with Client(flaky_server.url, retry=FAST) as client:
        with pytest.raises(apicore_client.HTTPStatusError, match="answered 503") as info:
            client.post("/orders", json={})
    assert info.value.title == "Service Unavailable"
    assert len(flaky_server.seen) == 1


def test_real_server_exhausted(flaky_server: Any) -> None:
    flaky_server.fail_first = 10
    with no_backoff(), Client(flaky_server.url, retry=FAST) as client:
        with pytest.raises(apicore_client.RetriesExhausted, match="on each of 4 attempts") as info:
            client.get("/")
    assert info.value.status_code == 503
    assert info.value.problem_type == "urn:apicore:problem:unavailable"
    assert [a.sleep for a in info.value.attempts] == [0.0, 0.0, 0.0, None]
    assert len(flaky_server.seen) == 4


def test_real_server_async(flaky_server: Any) -> None:
    flaky_server.fail_first = 2

    async def main() -> list[httpx.Response]:
        async with AsyncClient(flaky_server.url, retry=FAST) as client:
            first = await client.get("/a")
            second = await client.delete("/b")
            return [first, second]

    first, second = asyncio.run(main())
    assert first.json()["attempt"] == 3
    assert second.status_code == 200
    assert len(flaky_server.seen) == 4


def test_real_read_timeout_is_retried_for_get_only(flaky_server: Any) -> None:
    flaky_server.delay = 0.3
    policy = RetryPolicy(max_attempts=2, deadline=10.0, wait_initial=0.0)
    with Client(flaky_server.url, retry=policy, timeouts=Timeouts(read=0.05)) as client:
        with pytest.raises(apicore_client.RequestTimeout, match="may have reached the server"):
            client.post("/slow")
        with pytest.raises(apicore_client.RetriesExhausted) as info:
            client.get("/slow")
    assert isinstance(info.value.exception, httpx.ReadTimeout)
    # The client gave up before the server's threads logged every request: under load a
    # handler may read its request after the timeout, so wait (bounded) for the log.
    for _ in range(200):
        with flaky_server.lock:
            if len(flaky_server.seen) >= 3:
                break
        threading.Event().wait(0.01)
    assert sorted(s[0] for s in flaky_server.seen) == ["GET", "GET", "POST"]


def test_real_connection_refused_sync_and_async() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    with Client(url, retry=FAST) as client:
        with pytest.raises(
            apicore_client.RetriesExhausted, match="ConnectError on each of 4"
        ) as info:
            client.post("/")
    assert isinstance(info.value.__cause__, httpx.ConnectError)

    async def main() -> None:
        async with AsyncClient(url, retry=FAST) as client:
            await client.get("/")

    with pytest.raises(apicore_client.RetriesExhausted, match="ConnectError"):
        asyncio.run(main())


def test_injected_http_client_and_send() -> None:
    transport = FaultTransport([status(503), status(200, json={"ok": True})])
    with httpx.Client(base_url="http://t", transport=transport, timeout=3.0) as http:
        client = Client(http_client=http, retry=FAST)
        assert client.http_client is http
        assert client.timeouts == Timeouts(3.0, 3.0, 3.0, 3.0)
        request = http.build_request("GET", "/x")
        response = client.send(request)
        client.close()  # not ours: the httpx client stays open
        assert not http.is_closed
    assert response.json() == {"ok": True}
    assert len(attempts_of(response)) == 2


def test_injected_http_client_with_own_timeouts() -> None:
    transport = FaultTransport([status(200)])
    with httpx.Client(base_url="http://t", transport=transport) as http:
        Client(http_client=http, timeouts=Timeouts(connect=1, read=2)).get("/")
    assert transport.requests[0].extensions["timeout"] == {
        "connect": 1,
        "read": 2,
        "write": 10.0,
        "pool": 5.0,
    }


def test_injecting_both_is_refused() -> None:
    with (
        httpx.Client() as http,
        pytest.raises(apicore_client.ConfigError, match="httpx client you inject"),
    ):
        Client("http://t", http_client=http)


def test_per_call_options() -> None:
    transport = FaultTransport([status(503), status(503), status(200)])
    with Client("http://t", transport=transport, retry=RetryPolicy.disabled()) as client:
        response = client.get("/", retry=FAST, timeouts=2.5)
    assert response.status_code == 200
    assert {r.extensions["timeout"]["read"] for r in transport.requests} == {2.5}


@pytest.mark.parametrize("method", ["get", "head", "options", "post", "put", "patch", "delete"])
def test_method_shortcuts(method: str) -> None:
    transport = FaultTransport(then=status(204))
    with Client("http://t", transport=transport) as client:
        assert getattr(client, method)("/p").status_code == 204

    async def main() -> int:
        async with AsyncClient("http://t", transport=transport) as client:
            response: httpx.Response = await getattr(client, method)("/p")
            return response.status_code

    assert asyncio.run(main()) == 204
    assert [r.method for r in transport.requests] == [method.upper()] * 2


def test_bodies_are_sent_identically_on_every_attempt() -> None:
    transport = FaultTransport([status(503), status(200)])
    with Client("http://t", transport=transport, retry=FAST) as client:
        client.put("/f", data={"a": "1"})
    assert [r.content for r in transport.requests] == [b"a=1", b"a=1"]


def test_clients_share_one_tls_context_per_certificate_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import certifi

    from apicore_client._client import shared_ssl_context

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    first = shared_ssl_context()
    assert shared_ssl_context() is first
    assert first.verify_mode == ssl.CERT_REQUIRED
    assert first.check_hostname
    monkeypatch.setenv("SSL_CERT_FILE", certifi.where())
    assert shared_ssl_context() is not first
