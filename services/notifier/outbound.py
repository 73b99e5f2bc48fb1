"""Where the notifier's HTTP may go, and how much of an answer it reads.

Webhook URLs come from integrators, so a URL is a request to connect somewhere on their
behalf. Every connection is checked where it is made: the host is resolved, every address it
resolves to must be a public one (or inside ``webhook_allow_networks``, for development
receivers), and the socket connects to an address that was checked, never to the name again,
so a DNS answer that changes between the check and the connection (rebinding) cannot reach
inside. The same check runs when a subscription is made, to answer the integrator at once.

Answers are read up to a bound and the rest is dropped with the connection: a receiver that
streams gigabytes, or a byte a second, costs a delivery its deadline and nothing more.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence
from typing import Any

import httpcore
import httpx

from shared.settings import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    """The URL's host is, or resolves to, an address the platform must not connect to."""


class DestinationUnresolved(Exception):
    """The host does not resolve (now); a later attempt may succeed."""


def refusal(address: Address, allow: Sequence[Network]) -> str | None:
    """Why this address may not be reached, or None. Anything not globally routable is refused:
    loopback, private, link-local (the cloud metadata address), shared (CGNAT), multicast,
    reserved, unspecified, and IPv6 forms that embed such an IPv4 address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None:     # the IPv4 address inside is where the packets go
            return refusal(embedded, allow)
    if any(address in net for net in allow):
        return None
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private or not address.is_global:
        return "a private or reserved network"
    return None


async def resolve(host: str, port: int, allow: Sequence[Network]) -> list[str]:
    """Every address of ``host``, each checked; refused if any one of them is not allowed (a name
    that mixes a public and a private answer is a rebinding attempt, not a receiver)."""
    try:
        literal: Address | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        infos = [str(literal)]
    else:
        try:
            found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise DestinationUnresolved(f"{host} does not resolve") from exc
        infos = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not infos:
        raise DestinationUnresolved(f"{host} does not resolve")
    for text in infos:
        # a scope ("fe80::1%eth0") is not part of the address
        reason = refusal(ipaddress.ip_address(text.split("%", 1)[0]), allow)
        if reason:
            raise DestinationRefused(f"{host} is {reason}" if literal is not None else f"{host} resolves to {reason}")
    return infos


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's own backend, with the check between resolving and connecting."""

    def __init__(self, allow: Sequence[Network]) -> None:
        self.allow = list(allow)
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port, self.allow)
        last: Exception | None = None
        for address in addresses:        # TLS still checks the certificate against the URL's name
            try:
                return await self.inner.connect_tcp(address, port, timeout=timeout, local_address=local_address,
                                                    socket_options=socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise DestinationRefused("unix sockets are not a destination")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool whose every connection goes through ``GuardedBackend``.
    httpx 0.28 takes no network backend (encode/httpx#3749 adds it), so the pool is replaced."""

    def __init__(self, allow: Sequence[Network], max_connections: int) -> None:
        super().__init__()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(), max_connections=max_connections,
            max_keepalive_connections=max_connections, keepalive_expiry=30.0,
            network_backend=GuardedBackend(allow),
        )


def guarded_client(allow: Sequence[Network], max_connections: int) -> httpx.AsyncClient:
    # no proxy from the environment (it would be the checked destination instead of the
    # receiver) and no redirects (a 3xx could point anywhere): a receiver answers where it is
    return httpx.AsyncClient(transport=GuardedTransport(allow, max_connections), trust_env=False,
                             follow_redirects=False)


def pooled_client(max_connections: int) -> httpx.AsyncClient:
    """A pool of its own for a trusted peer (the SMS gateway, the team chat), so a slow one
    holds only its own connections."""
    return httpx.AsyncClient(limits=httpx.Limits(max_connections=max_connections,
                                                 max_keepalive_connections=max_connections),
                             follow_redirects=False)


async def send_bounded(client: httpx.AsyncClient, request: httpx.Request, max_bytes: int) -> tuple[int, str]:
    """Send and read at most ``max_bytes`` of the answer; the rest is never read (the connection
    is closed, not drained). The caller bounds the total time."""
    response = await client.send(request, stream=True)
    try:
        kept = bytearray()
        async for chunk in response.aiter_raw():
            kept += chunk[: max_bytes - len(kept)]
            if len(kept) >= max_bytes:
                break
        return response.status_code, kept.decode("utf-8", "replace")
    finally:
        await response.aclose()


class SubscriptionPools:
    """One guarded pool per webhook subscription: a receiver that holds its connections open
    exhausts its own pool, never another integrator's."""

    def __init__(self, allow: Sequence[Network], per_subscription: int) -> None:
        self.allow = list(allow)
        self.per_subscription = per_subscription
        self.clients: dict[str, httpx.AsyncClient] = {}

    def client(self, subscription_id: str) -> httpx.AsyncClient:
        if subscription_id not in self.clients:
            self.clients[subscription_id] = guarded_client(self.allow, self.per_subscription)
        return self.clients[subscription_id]

    async def aclose(self) -> None:
        await asyncio.gather(*(c.aclose() for c in self.clients.values()), return_exceptions=True)
        self.clients.clear()
