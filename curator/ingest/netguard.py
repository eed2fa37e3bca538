"""Outbound connection guard: which network addresses curator may connect to.

Members and editors type feed URLs, so every outbound request is a possible
server-side request forgery (RELIABILITY 3B). The guard therefore decides on the
address a socket is *actually connected to*, after DNS resolution, for every
connection, instead of looking at the URL once (a pre-flight lookup loses to DNS
rebinding, X03, and to redirects, X04).

Terms::

    AddressPolicy          which IP addresses are allowed (public unicast by default)
    Resolver               callable (host, port) -> list of IP strings; tests inject one
    GuardedNetworkBackend  httpcore backend: resolve, check every answer, connect to a
                           checked IP only, re-check the connected peer
    GuardedTransport       httpx transport over that backend; any outbound HTTP in curator
                           (feeds, discovery, previews, images: X07) should use it
    deadline_scope()       a total deadline that every socket read/write/connect honours

Errors: a refused address raises ``curator.errors.AddressNotAllowed`` from inside the
transport (it is not an httpx exception); everything else surfaces as httpx
exceptions, translated by the caller.

TLS is verified against the host name from the URL (httpcore passes it as
``server_hostname``), never against the IP we connected to, and a context with
verification switched off is refused.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
import threading
import time
import typing
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

import httpcore
import httpx

from curator.errors import AddressNotAllowed, ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

Resolver = Callable[[str, int], Sequence[str]]
"""Resolve a host name to IP address strings, in the order to try them."""

__all__ = [
    "AddressPolicy",
    "GuardedNetworkBackend",
    "GuardedTransport",
    "HostLookupError",
    "IPAddress",
    "Resolver",
    "deadline_scope",
    "is_localhost_name",
    "parse_ip_literal",
    "system_resolver",
]

# ---------------------------------------------------------------------------
# Address classification
# ---------------------------------------------------------------------------

_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_BROADCAST = ipaddress.IPv4Address("255.255.255.255")

# Categories that ``allow_private`` unlocks. Unspecified, multicast and broadcast
# are never a feed server, so only an explicit ``allowed_networks`` entry opens them.
_PRIVATE_CATEGORIES = frozenset(
    {"loopback", "private network", "link-local", "shared (carrier-grade NAT)", "reserved"}
)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address can lead to (mapped, compatible, NAT64, 6to4, Teredo).

    A route to ``::ffff:127.0.0.1`` or ``64:ff9b::a9fe:a9fe`` ends at the embedded IPv4
    host, so that host must pass the policy too.
    """
    found: list[ipaddress.IPv4Address] = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    return found


def _category(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address, or None when it is."""
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if ip == _BROADCAST:
        return "broadcast"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared (carrier-grade NAT)"
    if ip.is_private:
        return "private network"
    if ip.is_reserved or not ip.is_global:
        return "reserved"
    return None


@dataclass(frozen=True)
class AddressPolicy:
    """Which IP addresses outbound connections may reach.

    Default: only public unicast addresses (``ipaddress`` ``is_global``, minus
    multicast), with IPv4 embedded in IPv6 (mapped, NAT64, 6to4, Teredo) checked too.
    ``allow_private`` also admits loopback, RFC 1918, link-local, CGNAT, ULA and
    reserved ranges (never unspecified, multicast or broadcast).
    ``allowed_networks`` are CIDRs admitted whatever their category; tests and the demo
    use ``("127.0.0.1/32",)``. Neither is ever on by default.

    Raises ConfigError when an entry of ``allowed_networks`` is not a CIDR.
    """

    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()
    _networks: tuple[Network, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        networks: list[Network] = []
        for entry in self.allowed_networks:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ConfigError(
                    f"allowed_networks entry {entry!r} is not an IP network such as '127.0.0.1/32': {exc}"
                ) from exc
        object.__setattr__(self, "_networks", tuple(networks))

    def _explicitly_allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == net.version and ip in net for net in self._networks)

    def refusal(self, ip: IPAddress) -> str | None:
        """None when ``ip`` may be connected to, else the category that forbids it
        (e.g. ``"loopback"``, ``"private network"``, ``"link-local"``)."""
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        if self._explicitly_allowed(ip):
            return None
        candidates: list[IPAddress] = []
        if isinstance(ip, ipaddress.IPv6Address):
            if ip.ipv4_mapped is not None and self._explicitly_allowed(ip.ipv4_mapped):
                return None
            # Embedded IPv4 first: it names the real destination (loopback, not "private").
            candidates.extend(_embedded_ipv4(ip))
        candidates.append(ip)
        for candidate in candidates:
            category = _category(candidate)
            if category is None:
                continue
            if self.allow_private and category in _PRIVATE_CATEGORIES:
                continue
            return category
        return None


# ---------------------------------------------------------------------------
# Parsing host names that are really IP addresses
# ---------------------------------------------------------------------------

_INET_ATON_PART = re.compile(r"0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*")


def _inet_aton_number(part: str) -> int:
    """One dotted part as inet_aton reads it: 0x.. hex, 0.. octal, else decimal."""
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if part.startswith("0"):
        return int(part, 8)
    return int(part)


def parse_ip_literal(host: str) -> IPAddress | None:
    """The IP address ``host`` denotes, or None when it is a host name.

    Accepts what the C resolver would accept as a literal, so ``2130706433``,
    ``0x7f.1``, ``0177.0.0.1`` and ``127.1`` all mean 127.0.0.1, and IPv6 with or
    without brackets and zone id (``[fe80::1%25eth0]``).
    Raises ValueError for something that is numeric but not a valid address
    (``999.1.1.1``): no DNS name looks like that.
    """
    text = host.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    if ":" in text:
        text = urllib.parse.unquote(text)
        try:
            return ipaddress.IPv6Address(text)
        except ValueError as exc:
            raise ValueError(f"{host!r} is not a valid IPv6 address") from exc
    parts = text.split(".")
    if not 1 <= len(parts) <= 4 or not all(_INET_ATON_PART.fullmatch(p) for p in parts):
        return None
    values = [_inet_aton_number(p) for p in parts]
    # inet_aton: the last part fills all remaining bytes (a.b.c.d, a.b.cd, a.bcd, abcd).
    *leading, last = values
    if any(v > 0xFF for v in leading) or last >= 1 << (8 * (4 - len(leading))):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    number = last
    for index, value in enumerate(leading):
        number |= value << (8 * (3 - index))
    return ipaddress.IPv4Address(number)


_LOCALHOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_localhost_name(host: str) -> bool:
    """True for names that always mean this machine (RFC 6761 ``localhost``, ``*.localhost``)."""
    name = host.strip().rstrip(".").lower()
    return name in _LOCALHOST_NAMES or name.endswith(".localhost")


def system_resolver(host: str, port: int) -> list[str]:
    """Resolve with ``socket.getaddrinfo``; IPs in the order the system prefers, no duplicates.

    Raises OSError (``socket.gaierror``) when the name does not resolve.
    """
    seen: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        address = str(sockaddr[0])
        if address not in seen:
            seen.append(address)
    return seen


# ---------------------------------------------------------------------------
# Total deadline
# ---------------------------------------------------------------------------

_DEADLINE: ContextVar[float | None] = ContextVar("curator_fetch_deadline", default=None)


@contextmanager
def deadline_scope(deadline: float) -> Iterator[None]:
    """Within this block, no connect, TLS handshake, read or write of a guarded
    connection waits past ``deadline`` (a ``time.monotonic()`` value).

    Per-read timeouts cannot stop a server that trickles one byte per second
    (F06); this caps each socket wait at the time left instead.
    """
    token = _DEADLINE.set(deadline)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def _bounded(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` capped at the time left before the current deadline.

    Raises ``expired`` when the deadline has already passed.
    """
    deadline = _DEADLINE.get()
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise expired("total time limit reached")
    return left if timeout is None else min(timeout, left)


# ---------------------------------------------------------------------------
# httpcore backend
# ---------------------------------------------------------------------------


class _DeadlineStream(httpcore.NetworkStream):
    """A connected stream whose every wait honours the current deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        inner = self._inner.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(inner)

    def get_extra_info(self, info: str) -> typing.Any:
        return self._inner.get_extra_info(info)


class HostLookupError(httpcore.ConnectError):
    """The host name did not resolve (or resolved to nothing usable)."""


def _resolve_within(resolver: Resolver, host: str, port: int, timeout: float | None) -> list[str]:
    """Call ``resolver`` but give up after ``timeout`` seconds.

    ``getaddrinfo`` has no timeout of its own; a hung DNS server must not outlive the
    fetch deadline. The lookup thread is a daemon and is abandoned on timeout.
    """
    if timeout is None:
        return list(resolver(host, port))
    outcome: list[typing.Any] = []

    def run() -> None:
        try:
            outcome.append(list(resolver(host, port)))
        except BaseException as exc:  # handed to the caller's thread below
            outcome.append(exc)

    worker = threading.Thread(target=run, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise httpcore.ConnectTimeout(f"looking up {host} took longer than {timeout:g} s")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return typing.cast(list[str], result)


class GuardedNetworkBackend(httpcore.NetworkBackend):
    """Resolve, refuse forbidden addresses, connect only to a checked IP.

    If any address a name resolves to is forbidden, the whole name is refused:
    mixed public/private answers are a rebinding trick, not a real feed host.
    After connecting, the peer address of the socket is checked again, so the
    decision is always about the address actually connected to.
    """

    def __init__(self, policy: AddressPolicy, resolver: Resolver | None = None) -> None:
        self._policy = policy
        self._resolver: Resolver = resolver or system_resolver
        self._inner = httpcore.SyncBackend()

    def _addresses(self, host: str, port: int, timeout: float | None) -> list[IPAddress]:
        try:
            literal = parse_ip_literal(host)
        except ValueError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        if literal is not None:
            reason = self._policy.refusal(literal)
            if reason is not None:
                # The user wrote this address, so naming its kind reveals nothing.
                raise AddressNotAllowed(f"address not allowed: {reason} ({host})")
            return [literal]
        try:
            answers = _resolve_within(self._resolver, host, port, timeout)
        except OSError as exc:
            raise HostLookupError(f"could not look up host name {host}") from exc
        addresses: list[IPAddress] = []
        for answer in answers:
            try:
                addresses.append(ipaddress.ip_address(answer))
            except ValueError as exc:
                raise HostLookupError(f"{host} resolved to a malformed address") from exc
        if not addresses:
            raise HostLookupError(f"host name {host} has no addresses")
        if any(self._policy.refusal(ip) is not None for ip in addresses):
            # Generic on purpose (X06): which internal address a name maps to is
            # information about the private network.
            raise AddressNotAllowed(f"address not allowed: private network ({host})")
        return addresses

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._addresses(host, port, _bounded(timeout, httpcore.ConnectTimeout))
        failure: Exception | None = None
        for ip in addresses:
            try:
                stream = self._inner.connect_tcp(
                    str(ip),
                    port,
                    _bounded(timeout, httpcore.ConnectTimeout),
                    local_address,
                    socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
                continue
            peer = ipaddress.ip_address(stream.get_extra_info("server_addr")[0])
            if self._policy.refusal(peer) is not None:
                stream.close()
                raise AddressNotAllowed(f"address not allowed: private network ({host})")
            return _DeadlineStream(stream)
        assert failure is not None
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise AddressNotAllowed("address not allowed: unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# ---------------------------------------------------------------------------
# httpx transport
# ---------------------------------------------------------------------------

# Most specific first: the first matching base class wins.
_HTTPCORE_TO_HTTPX: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core_type, httpx_type in _HTTPCORE_TO_HTTPX:
            if isinstance(exc, core_type):
                raise httpx_type(str(exc)) from exc
        raise


class _ResponseStream(httpx.SyncByteStream):
    def __init__(self, core_stream: Iterable[bytes]) -> None:
        self._core_stream = core_stream

    def __iter__(self) -> Iterator[bytes]:
        with _httpx_errors():
            yield from self._core_stream

    def close(self) -> None:
        close = getattr(self._core_stream, "close", None)
        if close is not None:
            with _httpx_errors():
                close()


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs ~0.1 s; a client context is safe to share between threads.
    return httpx.create_ssl_context()


def verified_ssl_context(ssl_context: ssl.SSLContext | None = None) -> ssl.SSLContext:
    """``ssl_context`` (default: httpx's certifi-based context) after checking that it
    verifies certificates and host names. Raises ConfigError otherwise: there is no
    ``verify=False`` mode (F14)."""
    context = ssl_context if ssl_context is not None else _default_ssl_context()
    if context.verify_mode != ssl.CERT_REQUIRED or not context.check_hostname:
        raise ConfigError(
            "TLS contexts for fetching must verify certificates and host names; "
            "curator has no option to skip certificate checks"
        )
    return context


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport whose every connection passes the address policy.

    Safe even with ``httpx.Client(follow_redirects=True)``, because each hop opens
    (or reuses an already checked) connection through ``GuardedNetworkBackend``.
    HTTP/1.1 only; no proxies (environment proxies would bypass the check).
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
        keepalive_expiry: float = 30.0,
    ) -> None:
        self._pool = httpcore.ConnectionPool(
            ssl_context=verified_ssl_context(ssl_context),
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            keepalive_expiry=keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=GuardedNetworkBackend(policy, resolver),
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _httpx_errors():
            core_response = self._pool.handle_request(core_request)
        assert isinstance(core_response.stream, Iterable)
        return httpx.Response(
            status_code=core_response.status,
            headers=core_response.headers,
            stream=_ResponseStream(core_response.stream),
            extensions=core_response.extensions,
            request=request,
        )

    def close(self) -> None:
        self._pool.close()
