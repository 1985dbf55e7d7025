"""Requests the server makes on a user's behalf go only where they are allowed to.

A signed-in user can name addresses the server will fetch (their assistant's
model server, a site to import). Without a guard, that user could make the
server call its own network: a cloud metadata endpoint, an internal admin
page, a database port on loopback. So, unless the install's owner allows
private addresses (``GROUNDED_ALLOW_PRIVATE_URLS=true``):

- only ``http``/``https`` addresses are accepted;
- every connection resolves the host itself and refuses private, loopback,
  link-local, shared (carrier-grade NAT), multicast, reserved and unspecified
  addresses, including IPv4 addresses written as IPv6. The check runs when
  the connection is opened (in the HTTP client's network layer), not only
  when the address is typed, so a name that resolves to a public address
  at first and a private one later (DNS rebinding), or a redirect to an
  internal address, is refused too;
- the client ignores proxy settings from the environment (a proxy would
  make the connection for us, out of sight of the check).

Addresses configured by whoever runs the machine (environment variables,
``secrets.toml``) are trusted and are not guarded: an Ollama on localhost is
the usual case.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import httpcore
import httpx

from .errors import GroundedError

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not "private" to Python, internal all the same


class UnsafeAddress(GroundedError):
    """An address the server must not call on a user's behalf."""


def address_is_public(ip: str) -> bool:
    """True for an address on the public internet; False for anything internal or special."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return False
    return not (
        address.is_private or address.is_loopback or address.is_link_local or address.is_multicast
        or address.is_reserved or address.is_unspecified
    )


def _refusal(host: str) -> UnsafeAddress:
    return UnsafeAddress(
        f"{host} is an address inside this server's own network, which Grounded doesn't call on a user's behalf. "
        "Use a public address, or ask whoever runs Grounded to allow private addresses (GROUNDED_ALLOW_PRIVATE_URLS)."
    )


def resolve_public(host: str, port: int) -> list[str]:
    """The host's addresses, if every one of them is public; else :class:`UnsafeAddress`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise GroundedError(f"The address {host} could not be found. Check it for typos.") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses or not all(address_is_public(a) for a in addresses):
        raise _refusal(host)
    return addresses


def check_url(url: str, allow_private: bool = False) -> str:
    """``url`` tidied, if it is an http(s) address the server may call; else a plain error.

    Resolves the host now, so a typo or an internal address is reported when
    it is entered. (Every connection is checked again when it is made.)
    """
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise GroundedError("Give a web address that starts with http:// or https://.")
    if parts.username or parts.password:
        raise GroundedError("Leave the user name and password out of the address.")
    if not allow_private:
        resolve_public(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    return url


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to public addresses, checked after the name is resolved."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve_public(host, port):
            try:  # connect to the checked address itself; TLS still verifies the certificate for ``host``
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                last = err
        raise last or httpcore.ConnectError(f"could not connect to {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None) -> httpcore.NetworkStream:
        raise UnsafeAddress("Grounded doesn't connect to local sockets on a user's behalf.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through :class:`_GuardedBackend`."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=10,
            max_keepalive_connections=10,
            network_backend=_GuardedBackend(),
        )


def http_client(allow_private: bool, timeout: float = 60.0, **kwargs) -> httpx.Client:
    """An httpx client for requests made on a user's behalf (guarded unless private addresses are allowed)."""
    if allow_private:
        return httpx.Client(timeout=timeout, trust_env=False, **kwargs)
    return httpx.Client(timeout=timeout, trust_env=False, transport=GuardedTransport(), **kwargs)
