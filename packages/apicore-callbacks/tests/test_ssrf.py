from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator

import httpx
import pytest

from apicore_callbacks import BlockedDestinationError, DestinationPolicy
from apicore_callbacks.adapters import InvalidCallbackURLError
from apicore_callbacks.delivery import GuardedTransport, check_url, parse_ip, refusal_reason
from apicore_callbacks.testing import CallbackReceiver

STRICT = DestinationPolicy()

# reliability.md 7.B.11: every one must be refused at acceptance.
ACCEPT_TIME_VECTORS = [
    "http://127.0.0.1/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://0/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://017700000001/",
    "http://0177.0.0.1/",
    "http://127.1/",
    "http://127.0.0.1./",
    "http://[::ffff:127.0.0.1]/",
    "http://[::127.0.0.1]/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fd00:ec2::254]/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://[2002:7f00:1::]/",
    "http://[2002:c0a8:ffff::]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::192.168.2.1]/",
    "http://[fe80::1%25lo]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://localhost/",
    "http://api.localhost/",
    "file:///etc/passwd",
    "gopher://example.com/",
    "ftp://example.com/",
    "dict://example.com:11211/",
    "http://user:pw@example.com/",
    "http://example.com:6379/",
    "http://example.com/\r\nX-Injected: 1",
    "http://example.com/\x00",
    "http://exa mple.com/",
    "http://example.com/" + "a" * 10_000,
    "",
    "example.com/path",
    "http:///path",
    "http://[::1/",
]


@pytest.mark.parametrize("url", ACCEPT_TIME_VECTORS)
def test_accept_time_vectors_are_refused(url: str) -> None:
    with pytest.raises(InvalidCallbackURLError):
        check_url(url, STRICT)


def test_refusal_message_says_how_to_allow() -> None:
    with pytest.raises(InvalidCallbackURLError, match="APICORE_CALLBACKS_ALLOW"):
        check_url("http://127.0.0.1/", STRICT)


@pytest.mark.parametrize(
    "url",
    ["https://example.com/hook", "http://93.184.215.14:8080/x?y=1", "https://[2606:4700::1111]/"],
)
def test_public_urls_pass(url: str) -> None:
    assert check_url(url, STRICT).url == url


def test_https_only() -> None:
    with pytest.raises(InvalidCallbackURLError, match="https"):
        check_url("http://example.com/", DestinationPolicy(https_only=True))


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("[::1]", "::1"),
        ("example.com", None),
        ("1.2.3.com", None),
        ("deadbeef", None),
    ],
)
def test_parse_ip_odd_spellings(host: str, address: str | None) -> None:
    parsed = parse_ip(host)
    assert (None if parsed is None else str(parsed)) == address


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("100.64.0.0", "carrier-grade NAT"),
        ("224.0.0.1", "multicast"),
        ("::ffff:192.168.2.1", "private"),
        ("2002:c0a8:ffff::", "private"),
        ("64:ff9b::192.168.2.1", "private"),
        ("64:ff9b:1::1", "reserved"),
        ("2001:0000:4136:e378:8000:63bf:3fff:fdd2", "reserved"),
        ("192.88.99.0", "reserved"),
        ("0.1.1.1", "unspecified"),
        ("8.8.8.8", None),
        ("2606:4700::1111", None),
        ("64:ff9b::8.8.8.8", None),
    ],
)
def test_refusal_reason(address: str, reason: str | None) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) == reason


def test_allow_list_hosts_and_cidrs() -> None:
    policy = DestinationPolicy.from_allow("localhost, 127.0.0.0/8,10.1.2.3")
    assert policy.host_allowed("LOCALHOST")
    assert check_url("http://localhost:9999/", policy).port == 9999
    assert check_url("http://127.0.0.1:9999/", policy).host == "127.0.0.1"
    assert check_url("http://10.1.2.3/", policy).host == "10.1.2.3"
    with pytest.raises(InvalidCallbackURLError):
        check_url("http://10.1.2.4/", policy)
    with pytest.raises(ValueError, match="CIDR"):
        DestinationPolicy.from_allow("10.0.0.0/99")


# -- delivery time: the transport checks the address it connects to ---------------------------


@pytest.fixture
def canary() -> Iterator[CallbackReceiver]:
    with CallbackReceiver() as receiver:
        yield receiver


def _send(transport: GuardedTransport, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
            return await client.post(url, content=b"{}")

    return asyncio.run(go())


def _name_for(canary: CallbackReceiver) -> str:
    return f"http://receiver.test:{canary.port}/hook"


OPEN_PORTS = DestinationPolicy(ports=None)


@pytest.mark.parametrize(
    "addresses",
    [["127.0.0.1"], ["93.184.215.14", "127.0.0.1"], ["::ffff:127.0.0.1"], ["10.0.0.1"]],
)
def test_names_resolving_to_blocked_addresses_never_connect(
    canary: CallbackReceiver, addresses: list[str]
) -> None:
    transport = GuardedTransport(OPEN_PORTS, resolver=lambda host, port: addresses)
    with pytest.raises(BlockedDestinationError, match="APICORE_CALLBACKS_ALLOW"):
        _send(transport, _name_for(canary))
    assert canary.deliveries == []


def test_dns_rebinding_is_checked_on_every_request(canary: CallbackReceiver) -> None:
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])
    seen: list[str] = []

    def inner(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return httpx.Response(204)

    transport = GuardedTransport(
        OPEN_PORTS, inner=httpx.MockTransport(inner), resolver=lambda h, p: next(answers)
    )
    assert _send(transport, _name_for(canary)).status_code == 204
    with pytest.raises(BlockedDestinationError):
        _send(transport, _name_for(canary))
    assert seen == ["93.184.215.14"]
    assert canary.deliveries == []


def test_connects_to_checked_address_keeping_host(canary: CallbackReceiver) -> None:
    policy = DestinationPolicy(allow_networks=(ipaddress.ip_network("127.0.0.1/32"),), ports=None)
    transport = GuardedTransport(policy, resolver=lambda h, p: ["127.0.0.1"])
    assert _send(transport, _name_for(canary)).status_code == 200
    assert canary.wait_for(1, timeout=5)
    assert canary.deliveries[0].headers["host"] == f"receiver.test:{canary.port}"


def test_redirects_are_not_followed(canary: CallbackReceiver) -> None:
    def inner(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": canary.url("/admin")})

    transport = GuardedTransport(
        STRICT, inner=httpx.MockTransport(inner), resolver=lambda h, p: ["93.184.215.14"]
    )
    assert _send(transport, "https://receiver.example/hook").status_code == 302
    assert canary.deliveries == []


def test_sni_hostname_kept_for_https() -> None:
    seen: list[httpx.Request] = []

    def inner(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = GuardedTransport(
        STRICT, inner=httpx.MockTransport(inner), resolver=lambda h, p: ["2606:4700::1111"]
    )
    _send(transport, "https://receiver.example/hook")
    assert seen[0].url.host == "2606:4700::1111"
    assert seen[0].extensions["sni_hostname"] == "receiver.example"
    assert seen[0].headers["host"] == "receiver.example"


def test_unresolvable_name_is_a_connect_error() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("no such name")

    with pytest.raises(httpx.ConnectError, match="cannot resolve"):
        _send(GuardedTransport(STRICT, resolver=fail), "https://nowhere.example/")


@pytest.mark.parametrize(
    "url",
    [
        "http://[v1.x]/",
        "http://\uff11\uff12\uff17.0.0.1/",  # full-width digits
        "http://\u0661\u0662\u0667.0.0.1/",  # Arabic-Indic digits
        "http://1\u00b2.example/",  # a superscript, as latin-1 header bytes decode
    ],
)
def test_urls_the_http_client_cannot_send_are_refused(url: str) -> None:
    with pytest.raises(InvalidCallbackURLError, match="cannot be sent by the HTTP client"):
        check_url(url, DestinationPolicy())


def test_a_url_is_checked_as_the_http_client_sends_it() -> None:
    # httpx maps this name with IDNA; the URL it sends must pass the same checks
    assert (
        check_url("http://b\u00fccher.example/x", DestinationPolicy()).host == "b\u00fccher.example"
    )
    with pytest.raises(InvalidCallbackURLError, match="loopback"):
        check_url("http://LOCALHOST./", DestinationPolicy())


_RACE = """
import sys, threading
from apicore_callbacks._ssrf import load_delivery, sendable_url
assert "httpx" not in sys.modules, "httpx loaded at import"
barrier = threading.Barrier(8)
errors = []
def first_use(n):
    barrier.wait()
    try:
        load_delivery() if n % 2 else sendable_url("http://example.com/hook")
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=first_use, args=(n,)) for n in range(8)]
for t in threads: t.start()
for t in threads: t.join(30)
print(errors)
sys.exit(1 if errors else 0)
"""


def test_httpx_first_loaded_by_racing_threads_loads_once_and_whole() -> None:
    # A request thread checking a callback URL and the worker thread building its client
    # both load httpx first; unguarded, one of them could see a half-initialised module.
    import subprocess
    import sys

    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", _RACE], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stdout + done.stderr
