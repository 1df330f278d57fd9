"""SSRF guard: which callback destinations may be contacted.

The pure part (:func:`check_url`, :meth:`DestinationPolicy.refusal`) decides on URLs and
addresses; ``GuardedTransport`` (in ``_guard``, with httpx) applies it at delivery time to the
address actually connected to, after DNS resolution, for every request (so DNS rebinding
cannot slip through).
"""

from __future__ import annotations

import contextlib
import importlib
import ipaddress
import re
import socket
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType

from apicore_callbacks._errors import InvalidCallbackURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Sequence[str]]
"""``(host, port) -> addresses``: how :class:`GuardedTransport` resolves names (injectable)."""

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = frozenset({80, 443, 8080, 8443})
ALLOW_HINT = (
    "to allow it (for example a local receiver during development), add the host or its "
    "network to the APICORE_CALLBACKS_ALLOW environment variable (comma-separated hosts and "
    "CIDRs, e.g. 'localhost,127.0.0.1/32') or pass allow=[...] to the dispatcher settings"
)

_METADATA = frozenset(
    {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}
)
# Python's is_global has known gaps (multicast, 6to4, NAT64 count as global on 3.11), so an
# explicit list is checked as well.
_BLOCKED_NETWORKS: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("10.0.0.0/8", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("127.0.0.0/8", "loopback"),
        ("169.254.0.0/16", "link-local"),
        ("172.16.0.0/12", "private"),
        ("192.0.0.0/24", "reserved"),
        ("192.0.2.0/24", "reserved"),
        ("192.88.99.0/24", "reserved"),
        ("192.168.0.0/16", "private"),
        ("198.18.0.0/15", "reserved"),
        ("198.51.100.0/24", "reserved"),
        ("203.0.113.0/24", "reserved"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("64:ff9b:1::/48", "reserved"),
        ("100::/64", "reserved"),
        ("2001::/23", "reserved"),
        ("2001:db8::/32", "reserved"),
        ("fc00::/7", "private"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "private"),
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_HOST = re.compile(r"[0-9a-fA-FxX.]+")
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


def parse_ip(host: str) -> IPAddress | None:
    """Return the address a host names literally, including the odd IPv4 spellings.

    ``2130706433``, ``0x7f000001``, ``0177.0.0.1`` and ``127.1`` all mean 127.0.0.1 to the
    system resolver, while :func:`ipaddress.ip_address` rejects them; ``inet_aton`` is the
    same parser the resolver uses, so it is used here on purely numeric hosts.
    """
    host = urllib.parse.unquote(host).strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host) and any(c.isdigit() for c in host):
        with contextlib.suppress(OSError):
            return ipaddress.IPv4Address(socket.inet_aton(host))
    return None


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 transition address carries, if any."""
    if isinstance(ip, ipaddress.IPv4Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    value = int(ip)
    if value >> 32 == 0 and value > 1:  # deprecated IPv4-compatible ::a.b.c.d
        return ipaddress.IPv4Address(value)
    return None


def refusal_reason(ip: IPAddress) -> str | None:
    """Return why an address is refused as a callback destination, or ``None`` if it is global."""
    for candidate in (_embedded_ipv4(ip), ip):
        if candidate is None:
            continue
        if candidate in _METADATA:
            return "cloud metadata"
        for network, reason in _BLOCKED_NETWORKS:
            if candidate.version == network.version and candidate in network:
                return reason
        if not candidate.is_global:
            return "non-global"
    return None


@dataclass(frozen=True)
class DestinationPolicy:
    """Which callback destinations are allowed.

    Attributes:
        allow_hosts: Host names exempt from the guard (exact, lower case).
        allow_networks: Networks whose addresses are exempt from the guard.
        ports: Allowed ports for non-exempt destinations (``None``: any port).
        https_only: Refuse ``http://`` callback URLs.
    """

    allow_hosts: frozenset[str] = frozenset()
    allow_networks: tuple[IPNetwork, ...] = ()
    ports: frozenset[int] | None = DEFAULT_PORTS
    https_only: bool = False

    @classmethod
    def from_allow(cls, allow: str | Iterable[str] = (), **options: object) -> DestinationPolicy:
        """Build a policy from allow-list entries (hosts or CIDRs; a string is comma-separated).

        Raises:
            ValueError: An entry is empty or a malformed network.
        """
        entries = allow.split(",") if isinstance(allow, str) else list(allow)
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for raw in entries:
            entry = raw.strip()
            if not entry:
                continue
            literal = parse_ip(entry) if "/" not in entry else None
            if "/" in entry or literal is not None:
                try:
                    networks.append(ipaddress.ip_network(entry if "/" in entry else str(literal)))
                except ValueError as exc:
                    raise ValueError(f"allow-list entry {entry!r} is not a valid CIDR") from exc
            else:
                hosts.add(entry.lower().rstrip("."))
        return cls(allow_hosts=frozenset(hosts), allow_networks=tuple(networks), **options)  # type: ignore[arg-type]

    def host_allowed(self, host: str) -> bool:
        """Return whether a host name is on the allow-list."""
        return host.lower().rstrip(".") in self.allow_hosts

    def network_allowed(self, ip: IPAddress) -> bool:
        """Return whether an address is in an allow-listed network."""
        return any(ip.version == net.version and ip in net for net in self.allow_networks)

    def refusal(self, ip: IPAddress) -> str | None:
        """Return why this policy refuses an address, or ``None`` when it may be contacted."""
        return None if self.network_allowed(ip) else refusal_reason(ip)


@dataclass(frozen=True)
class Destination:
    """A syntactically valid callback URL, split into the parts the guard needs."""

    url: str
    scheme: str
    host: str
    port: int
    ip: IPAddress | None


def _url_error(detail: str) -> InvalidCallbackURLError:
    return InvalidCallbackURLError(
        detail, legacy_message="Invalid callback URL", loc=["header"], kind="invalid_url"
    )


def check_url(url: str, policy: DestinationPolicy) -> Destination:
    """Validate a callback URL's syntax and, for literal addresses, its destination.

    Names are only resolved at delivery time (DNS may change in between), by
    :class:`GuardedTransport`; ``localhost`` is refused here already. The URL must also be
    one the delivery's HTTP client (httpx) can send, and the URL as httpx normalizes it must
    pass the same checks.

    Raises:
        InvalidCallbackURLError: The URL is malformed or refused; the message says why.
    """
    return _check_url(url, policy, normalized=False)


def _check_url(url: str, policy: DestinationPolicy, *, normalized: bool) -> Destination:
    if not url:
        raise _url_error("the callback URL is missing or empty")
    if len(url) > MAX_URL_LENGTH:
        raise _url_error(f"the callback URL is longer than {MAX_URL_LENGTH} characters")
    if _BAD_CHARS.search(url):
        raise _url_error("the callback URL contains whitespace, control characters or '\\'")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise _url_error(f"the callback URL is malformed ({exc})") from None
    scheme = parts.scheme.lower()
    allowed_schemes = ("https",) if policy.https_only else ("http", "https")
    if scheme not in allowed_schemes:
        raise _url_error(f"the callback URL scheme must be {' or '.join(allowed_schemes)}")
    if "@" in parts.netloc:
        raise _url_error("the callback URL must not contain credentials (user:password@)")
    host = parts.hostname or ""
    if not host:
        raise _url_error("the callback URL has no host")
    port = port or (443 if scheme == "https" else 80)
    ip = parse_ip(host)
    exempt = policy.host_allowed(host) or (ip is not None and policy.network_allowed(ip))
    if not exempt and policy.ports is not None and port not in policy.ports:
        allowed = ", ".join(str(p) for p in sorted(policy.ports))
        raise _url_error(
            f"the callback URL port {port} is not allowed (allowed: {allowed}); " + ALLOW_HINT
        )
    if not policy.host_allowed(host):
        name = host.lower().rstrip(".")
        if ip is None and (name == "localhost" or name.endswith(".localhost")):
            raise _url_error(
                f"the callback host {host!r} is a loopback name and is refused to "
                "prevent server-side request forgery; " + ALLOW_HINT
            )
        if ip is not None and (reason := policy.refusal(ip)) is not None:
            raise _url_error(
                f"the callback host {host!r} is a {reason} address and is refused "
                "to prevent server-side request forgery; " + ALLOW_HINT
            )
    sent = sendable_url(url)
    if sent != url and not normalized:
        # httpx normalizes (IDNA, percent-encoding, default port): the URL it really sends
        # must pass the same checks, or a host that only httpx maps to an address slips by.
        _check_url(sent, policy, normalized=True)
    return Destination(url=url, scheme=scheme, host=host, port=port, ip=ip)


_LOADING = threading.Lock()


def load_delivery() -> ModuleType:
    """Import httpx, one thread at a time, and return it.

    It loads on first use, so a server that never delivers costs no HTTP client. A first
    import of httpx racing between threads (a request thread checking a callback URL, the
    worker thread building its client) can see a half-initialised module: hence the lock.
    The guarded transport (``_guard``, made of httpx) is imported after it, by its users.
    """
    with _LOADING:
        return importlib.import_module("httpx")


def sendable_url(url: str) -> str:
    """Return the URL as the delivery's HTTP client will send it, or raise a 422 error.

    The delivery uses httpx: a URL it refuses (``http://[v1.x]/``, a host it cannot encode)
    is refused when the job is accepted, not found out at every delivery attempt.
    """
    httpx = load_delivery()
    try:
        request = httpx.Request("POST", url)
        request.url.raw_host.decode("ascii")
        for _, value in request.headers.raw:
            value.decode("ascii")
    except Exception as exc:  # httpx raises InvalidURL, UnicodeError, ValueError, ...
        raise _url_error(
            f"the callback URL cannot be sent by the HTTP client ({type(exc).__name__})"
        ) from None
    return str(request.url)


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve a host to every address (A and AAAA) with ``getaddrinfo``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))
