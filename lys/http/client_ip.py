"""Who is calling: the client address, and whether the request came over HTTPS.

The socket peer is the client, except when that peer is one of ``TRUSTED_PROXIES``
(addresses or CIDR networks). Then the client is the right-most address of
``X-Forwarded-For`` that is not itself a trusted proxy: everything left of it was
written by the client and can be anything. A header that cannot be parsed where the
walk needs it gives the socket peer, never a guess.

``X-Forwarded-Proto`` is read under the same rule: only from a trusted peer, and only
its right-most value (the one the nearest proxy wrote).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lys.errors import ImproperlyConfigured

if TYPE_CHECKING:
    from litestar.types import Scope

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

#: The key used when the server gives no peer address (a unix socket, a test transport).
UNKNOWN_CLIENT = "unknown"
#: Where :meth:`ClientAddressResolver.client_ip` keeps its answer in ``scope["state"]``.
CLIENT_IP_STATE_KEY = "lys.client_ip"


def parse_trusted_proxies(entries: Iterable[str]) -> tuple[IPNetwork, ...]:
    """``TRUSTED_PROXIES`` as networks; a bad entry stops the start with its value."""
    networks: list[IPNetwork] = []
    for entry in entries:
        text = entry.strip()
        try:
            networks.append(ipaddress.ip_network(text, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or a CIDR network "
                "(for example 10.0.0.0/8 or 192.0.2.10)"
            ) from None
    return tuple(networks)


def parse_ip(text: str) -> IPAddress | None:
    """An address from a header entry or a peer host; ``None`` when it is not one.

    Accepts ``1.2.3.4``, ``2001:db8::1``, ``[2001:db8::1]``, and the ``:port`` forms some
    proxies write (``1.2.3.4:5678``, ``[2001:db8::1]:5678``). IPv4-mapped IPv6 addresses
    are returned as IPv4 so one client has one key.
    """
    text = text.strip()
    if text.startswith("["):
        end = text.find("]")
        if end == -1 or (text[end + 1 :] and not _is_port(text[end + 1 :])):
            return None
        text = text[1:end]
    elif text.count(":") == 1:
        text, port = text.split(":")
        if not port.isdigit():
            return None
    if "%" in text:  # a zone id is meaningless off the host
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_port(text: str) -> bool:
    return text.startswith(":") and text[1:].isdigit()


class ClientAddressResolver:
    """Applies ``TRUSTED_PROXIES`` to a request scope."""

    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self.trusted: tuple[IPNetwork, ...] = parse_trusted_proxies(trusted_proxies)

    def is_trusted(self, address: IPAddress | None) -> bool:
        return address is not None and any(address in network for network in self.trusted)

    def peer(self, scope: Scope) -> IPAddress | None:
        client = scope.get("client")
        if not client:
            return None
        return parse_ip(str(client[0]))

    def client_ip(self, scope: Scope) -> str:
        """The client address as text (``UNKNOWN_CLIENT`` when the server gives none).

        Worked out once per request: kept in the request's ``scope["state"]``, where
        the rate limiter, login throttles and audit records all find it.
        """
        state = scope.get("state")
        if state is None:
            return self._client_ip(scope)
        cached = state.get(CLIENT_IP_STATE_KEY)
        if cached is None:
            cached = state[CLIENT_IP_STATE_KEY] = self._client_ip(scope)
        return cached

    def _client_ip(self, scope: Scope) -> str:
        peer = self.peer(scope)
        if peer is None:
            client = scope.get("client")
            return str(client[0]) if client and client[0] else UNKNOWN_CLIENT
        if not self.is_trusted(peer):
            return str(peer)
        forwarded = _header_values(scope, b"x-forwarded-for")
        if not forwarded:
            return str(peer)
        entries = [entry for value in forwarded for entry in value.split(",")]
        address: IPAddress | None = None
        for entry in reversed(entries):
            address = parse_ip(entry)
            if address is None:
                return str(peer)  # malformed where it matters: do not guess
            if not self.is_trusted(address):
                return str(address)
        # Every hop is a trusted proxy: the left-most is as close to the client as it gets.
        return str(address) if address is not None else str(peer)

    def is_https(self, scope: Scope) -> bool:
        """The request came over HTTPS, directly or through a trusted proxy."""
        if scope.get("scheme") in ("https", "wss"):
            return True
        if not self.trusted or not self.is_trusted(self.peer(scope)):
            return False
        values = _header_values(scope, b"x-forwarded-proto")
        if not values:
            return False
        nearest = values[-1].split(",")[-1].strip().lower()
        return nearest in ("https", "wss")


def _header_values(scope: Scope, name: bytes) -> list[str]:
    values: list[str] = []
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            try:
                values.append(value.decode("latin-1"))
            except (AttributeError, UnicodeDecodeError):  # pragma: no cover - servers give bytes
                continue
    return values


def client_ip(request: Any) -> str:
    """The client address of a Litestar request or connection, with ``TRUSTED_PROXIES``.

    For code outside lys.http (login lockouts, audit logs): the application built by
    ``create_asgi_app`` keeps its resolver in ``app.state``.
    """
    resolver: ClientAddressResolver = request.app.state["lys_client_address"]
    return resolver.client_ip(request.scope)
