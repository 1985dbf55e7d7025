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

A client can also be given a *total* deadline for each request
(``http_client(..., total_s=20)``): connecting, sending, the status line, the
headers and the whole body together. httpx's own timeouts are per operation
(its read timeout starts again with every byte received), so a server that
sends one header byte every few seconds could hold a request for as long as it
liked. Here every blocking socket call (connect, TLS handshake, each send and
each receive) waits at most the time left until the request's deadline, and a
request past it ends with :class:`TooSlow`, a plain-language error.

Addresses configured by whoever runs the machine (environment variables,
``secrets.toml``) are trusted and are not guarded: an Ollama on localhost is
the usual case.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpcore
import httpx

from .errors import GroundedError

_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not "private" to Python, internal all the same


class UnsafeAddress(GroundedError):
    """An address the server must not call on a user's behalf."""


class TooSlow(GroundedError):
    """A request that wasn't answered in full within its total deadline."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(
            f"The site took longer than {seconds:g} second{'' if seconds == 1 else 's'} to send its answer, so Grounded "
            "stopped waiting. If the site is only slow today, try again later."
        )


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


# --- total deadlines ---

_current = threading.local()  # the deadline of the request this thread is making: (monotonic time, its length in s)


@contextmanager
def _until(deadline: tuple[float, float] | None) -> Iterator[None]:
    """Make ``deadline`` the one every socket call of this thread respects (an earlier one already set wins)."""
    previous = getattr(_current, "deadline", None)
    if deadline is not None and (previous is None or deadline[0] < previous[0]):
        _current.deadline = deadline
    try:
        yield
    finally:
        _current.deadline = previous


def _bounded(timeout: float | None) -> tuple[float | None, bool]:
    """``timeout`` shortened to the time left before this thread's deadline, and whether the deadline is what binds.

    Raises :class:`TooSlow` once the deadline has passed.
    """
    deadline = getattr(_current, "deadline", None)
    if deadline is None:
        return timeout, False
    left = deadline[0] - time.monotonic()
    if left <= 0:
        raise TooSlow(deadline[1])
    if timeout is None or left <= timeout:
        return left, True
    return timeout, False


def _timed(call, timeout: float | None, timeout_error: type[Exception]):
    """Run ``call(timeout)`` within this thread's deadline: a time-out caused by the deadline is :class:`TooSlow`."""
    bounded, binding = _bounded(timeout)
    try:
        return call(bounded)
    except timeout_error:
        if binding:
            raise TooSlow(_current.deadline[1]) from None
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every blocking call waits no longer than the current request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _timed(lambda t: self._inner.read(max_bytes, t), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _timed(lambda t: self._inner.write(buffer, t), timeout, httpcore.WriteTimeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None, timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(_timed(lambda t: self._inner.start_tls(ssl_context, server_hostname, t), timeout,
                                      httpcore.ConnectTimeout))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections (only to public addresses, checked after the name is resolved, when ``guard``);
    every connection respects the current request's total deadline."""

    def __init__(self, guard: bool = True) -> None:
        self._inner = httpcore.SyncBackend()
        self._guard = guard

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options=None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in resolve_public(host, port) if self._guard else [host]:
            try:  # connect to the checked address itself; TLS still verifies the certificate for ``host``
                stream = _timed(lambda t, a=address: self._inner.connect_tcp(a, port, t, local_address, socket_options),
                                timeout, httpcore.ConnectTimeout)
                return _DeadlineStream(stream)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as err:
                last = err
        raise last or httpcore.ConnectError(f"could not connect to {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None) -> httpcore.NetworkStream:
        raise UnsafeAddress("Grounded doesn't connect to local sockets on a user's behalf.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _DeadlineBody(httpx.SyncByteStream):
    """A response body read within its request's deadline, however many reads it takes."""

    def __init__(self, inner: httpx.SyncByteStream, deadline: tuple[float, float]):
        self._inner = inner
        self._deadline = deadline

    def __iter__(self) -> Iterator[bytes]:
        chunks = iter(self._inner)
        while True:
            with _until(self._deadline):
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    def close(self) -> None:
        self._inner.close()


class GuardedTransport(httpx.HTTPTransport):
    """An httpx transport whose every connection goes through :class:`_GuardedBackend`.

    ``guard``: refuse internal addresses. ``total_s``: each request, from connecting to its body's
    last byte, ends with :class:`TooSlow` past this many seconds.
    """

    def __init__(self, guard: bool = True, total_s: float | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.total_s = total_s
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=10,
            max_keepalive_connections=10,
            network_backend=_GuardedBackend(guard),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.total_s is None:
            return super().handle_request(request)
        deadline = (time.monotonic() + self.total_s, self.total_s)
        with _until(deadline):
            response = super().handle_request(request)
        response.stream = _DeadlineBody(response.stream, deadline)
        return response


def http_client(allow_private: bool, timeout: float = 60.0, total_s: float | None = None, **kwargs) -> httpx.Client:
    """An httpx client for requests made on a user's behalf (guarded unless private addresses are allowed).

    ``total_s``: a deadline for each whole request (connection, headers and body), :class:`TooSlow` past it.
    """
    return httpx.Client(timeout=timeout, trust_env=False, transport=GuardedTransport(not allow_private, total_s), **kwargs)
