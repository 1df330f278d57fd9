"""The SSRF guard as an httpx transport: each delivery connects only to allowed addresses.

Its own module so that importing the package (the URL checks in :mod:`._ssrf`) loads no
HTTP client: httpx is needed only when delivering.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import httpx

from apicore_callbacks._errors import BlockedDestinationError, InvalidCallbackURLError
from apicore_callbacks._ssrf import (
    ALLOW_HINT,
    DestinationPolicy,
    Resolver,
    check_url,
    parse_ip,
    system_resolver,
)


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that connects only to addresses the policy allows.

    For every request it resolves the host, refuses the request if *any* address is refused
    (raising :class:`BlockedDestinationError`), then sends it to the checked address while
    keeping the ``Host`` header and the TLS SNI/certificate name of the original host.

    Args:
        policy: The destination policy.
        inner: The transport that really sends (default: ``httpx.AsyncHTTPTransport()``).
        resolver: ``(host, port) -> addresses`` (default: ``getaddrinfo``), run in a thread.
    """

    def __init__(
        self,
        policy: DestinationPolicy,
        *,
        inner: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self._resolver = resolver if resolver is not None else system_resolver

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Check the destination, then send the request to the checked address."""
        try:
            dest = check_url(str(request.url), self._policy)
        except InvalidCallbackURLError as exc:
            raise BlockedDestinationError(str(exc)) from None
        if self._policy.host_allowed(dest.host):
            return await self._inner.handle_async_request(request)
        if dest.ip is not None:
            addresses: Sequence[str] = [str(dest.ip)]
        else:
            try:
                addresses = await asyncio.get_running_loop().run_in_executor(
                    None, self._resolver, dest.host, dest.port
                )
            except OSError as exc:
                raise httpx.ConnectError(
                    f"cannot resolve {dest.host!r}: {exc}", request=request
                ) from exc
        if not addresses:
            raise httpx.ConnectError(f"{dest.host!r} has no address", request=request)
        ips = [parse_ip(address) for address in addresses]
        for address, ip in zip(addresses, ips, strict=True):
            reason = "unparsable" if ip is None else self._policy.refusal(ip)
            if reason is not None:
                raise BlockedDestinationError(
                    f"the callback host {dest.host!r} resolves to a {reason} address "
                    f"({address}), refused to prevent server-side request forgery; " + ALLOW_HINT
                )
        extensions = dict(request.extensions)
        if dest.scheme == "https":
            extensions["sni_hostname"] = dest.host
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=str(ips[0])),
            headers=request.headers,
            stream=request.stream,
            extensions=extensions,
        )
        return await self._inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        """Close the inner transport."""
        await self._inner.aclose()
