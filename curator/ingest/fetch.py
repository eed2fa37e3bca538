"""Download one feed URL as bytes, with hard limits and the SSRF guard.

feedparser has no timeout and would happily read a file path, so curator fetches
the bytes itself and hands them to the parser (RELIABILITY §0.3, 3A, 3B). This
module does not parse feeds.

Limits (``FetchPolicy``, Miniflux defaults): connect 5 s, per-read 20 s, a total
deadline of 30 s for the whole request including redirects and body, 15 MiB of
*decoded* body, 5 redirects, public addresses only, checked on the address that
is actually connected to for every hop (``curator.ingest.netguard``).

Errors (all ``curator.errors``)::

    FetchError              timeout, too large, incomplete read, TLS, connection trouble,
     │                      too many redirects, malformed URL
     ├── AddressNotAllowed  scheme other than http(s), or a private/loopback/link-local
     │                      target (literal, resolved, or reached by redirect)
     └── HTTPStatusError    .status and .retry_after (seconds) for 4xx/5xx and odd 3xx

``check_url`` is for forms: it raises ``InvalidInput`` for malformed URLs;
``Fetcher.fetch`` raises only ``FetchError`` and subclasses, so a batch can catch
one family per feed.
"""

from __future__ import annotations

import importlib.metadata
import ssl
import time
import urllib.parse
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Protocol, TypeVar

import httpx

from curator.errors import (
    AddressNotAllowed,
    ConfigError,
    FetchError,
    HTTPStatusError,
    InvalidInput,
)
from curator.ingest.netguard import (
    AddressPolicy,
    GuardedTransport,
    HostLookupError,
    IPAddress,
    Resolver,
    deadline_scope,
    is_localhost_name,
    parse_ip_literal,
)
from curator.ingest.normalise import ascii_host
from curator.types import FetchResult

try:  # brotli is optional: only advertised and decoded when importable
    import brotli as _brotli
except ImportError:  # pragma: no cover - depends on the environment
    _brotli = None

__all__ = [
    "ACCEPT",
    "DEFAULT_POLICY",
    "FetchPolicy",
    "Fetcher",
    "check_url",
    "parse_retry_after",
]


def _curator_version() -> str:
    try:
        return importlib.metadata.version("curator")
    except importlib.metadata.PackageNotFoundError:
        return "dev"


USER_AGENT = f"curator/{_curator_version()} (+https://github.com/curator-news/curator; feed collector)"

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5"
)

ACCEPT_ENCODING = "gzip, deflate, br" if _brotli is not None else "gzip, deflate"

_MiB = 1024 * 1024
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_STATUSES = frozenset({301, 308})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_MAX_URL_LENGTH = 2048
# Decoded output per decompressor call: keeps a gzip bomb from expanding a 64 KiB
# network read into 64 MiB at once (F08).
_DECODE_STEP = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch. Defaults follow Miniflux (RELIABILITY §5).

    ``total_timeout`` covers the whole request: DNS, connect, TLS, every redirect
    hop and the body; it is what stops a slowloris server (F06).
    ``max_bytes`` is enforced on the decoded body (gzip, deflate, br).
    ``allow_private`` and ``allowed_networks`` open the SSRF guard
    (see ``netguard.AddressPolicy``); production never sets them.
    Raises ConfigError for non-positive limits or a malformed CIDR.
    """

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    total_timeout: float = 30.0
    max_bytes: int = 15 * _MiB
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "read_timeout", "total_timeout", "max_bytes"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"fetch policy: {name} must be positive, got {getattr(self, name)!r}")
        if self.max_redirects < 0:
            raise ConfigError(f"fetch policy: max_redirects must be 0 or more, got {self.max_redirects!r}")
        self.address_policy()  # validates allowed_networks now, not at the first fetch

    def address_policy(self) -> AddressPolicy:
        """The SSRF part of this policy."""
        return AddressPolicy(allow_private=self.allow_private, allowed_networks=tuple(self.allowed_networks))


DEFAULT_POLICY = FetchPolicy()


# ---------------------------------------------------------------------------
# URL validation (forms and every redirect hop)
# ---------------------------------------------------------------------------


def _shown(url: str) -> str:
    """A URL for an error message: short, so a pasted data: URL does not flood the page."""
    return url if len(url) <= 120 else url[:117] + "..."


def check_url(url: str, policy: FetchPolicy = DEFAULT_POLICY) -> str:
    """Validate a feed URL an editor or member entered; return it normalised.

    Rules: scheme http or https (``feed://host/x`` and ``feed:https://host/x`` become
    https/the inner URL); no user name or password; a host is required; literal IP
    hosts in any spelling the C library accepts (``2130706433``, ``0x7f.1``,
    ``0177.0.0.1``, ``[::ffff:127.0.0.1]``) are checked against the address policy,
    and ``localhost`` names are refused unless ``policy.allow_private``.
    Host names are *not* resolved here; the fetcher checks the resolved address at
    connect time. Normalised means: lower-case scheme and host, IDNA 2008 host, canonical
    IP spelling, path at least ``/``, no fragment.

    Raises AddressNotAllowed (bad scheme, forbidden address) or InvalidInput
    (malformed URL, credentials).
    """
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise InvalidInput("feed URL is empty; enter an address starting with https://")
    if len(text) > _MAX_URL_LENGTH:
        raise InvalidInput(f"feed URL is longer than {_MAX_URL_LENGTH} characters: {_shown(text)}")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F or ch == "\\" for ch in text):
        raise InvalidInput(f"feed URL contains spaces, backslashes or control characters: {_shown(text)!r}")
    scheme, colon, rest = text.partition(":")
    if not colon or not scheme:
        raise InvalidInput(f"feed URL has no scheme: {_shown(text)}; did you mean https://{text}?")
    if scheme.lower() == "feed":
        # feed://host/x is https (RSS autodiscovery convention); feed:https://host/x
        # wraps a URL, whose own scheme is then checked like any other.
        text = "https:" + rest if rest.startswith("//") else rest
        scheme, colon, rest = text.partition(":")
        if not colon or not scheme:
            raise InvalidInput(f"feed URL has no scheme after 'feed:': {_shown(url.strip())}")
    if scheme.lower() not in ("http", "https"):
        raise AddressNotAllowed(
            f"address not allowed: scheme '{scheme.lower()}:' in {_shown(text)}; "
            "feeds must use http:// or https://"
        )
    try:
        parts = urllib.parse.urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"feed URL is malformed ({exc}): {_shown(text)}") from exc
    if "@" in parts.netloc:
        raise InvalidInput(
            f"feed URL must not contain a user name or password: {_shown(text)}; "
            "curator cannot fetch password-protected feeds"
        )
    host = parts.hostname
    if not host:
        raise InvalidInput(f"feed URL has no host name: {_shown(text)}")
    if port == 0:
        raise InvalidInput(f"feed URL has port 0: {_shown(text)}")
    if not host.isascii():
        # UTS 46 / IDNA 2008 (ascii_host), the one conversion curator uses: httpx alone refuses
        # names that need UTS 46 mapping (full-width letters) and the stdlib codec is IDNA 2003.
        encoded = ascii_host(host)
        if encoded is None:
            raise InvalidInput(f"feed URL has an invalid international host name: {_shown(text)}")
        host = encoded
        text = urllib.parse.urlunsplit(parts._replace(netloc=host if port is None else f"{host}:{port}"))
    try:
        parsed = httpx.URL(text)
    except httpx.InvalidURL as exc:
        # httpx rejects some numeric spellings (0177.0.0.1) that the C library
        # accepts; classify the address first so the member sees the real reason.
        _check_host(host, text, policy)
        raise InvalidInput(f"feed URL is malformed ({exc}): {_shown(text)}") from exc
    ip = _check_host(host, text, policy)
    # Both parsers must agree that the host is harmless (parser differentials are
    # a known SSRF bypass), so httpx's idea of the host is checked too.
    _check_host(parsed.host, text, policy)
    if ip is not None:
        parsed = parsed.copy_with(host=str(ip))
    if not parts.path:
        parsed = parsed.copy_with(path="/")
    return str(parsed.copy_with(fragment=None))


def _check_host(host: str, url: str, policy: FetchPolicy) -> IPAddress | None:
    """Refuse forbidden literal addresses and localhost names; return the literal IP or None."""
    try:
        ip = parse_ip_literal(host)
    except ValueError as exc:
        raise InvalidInput(f"feed URL has an invalid address ({exc}): {_shown(url)}") from exc
    if ip is not None:
        reason = policy.address_policy().refusal(ip)
        if reason is not None:
            raise AddressNotAllowed(
                f"address not allowed: {reason} ({_shown(url)}); feeds must be on the public internet"
            )
        return ip
    if is_localhost_name(host) and not policy.allow_private:
        raise AddressNotAllowed(
            f"address not allowed: loopback ({_shown(url)}); feeds must be on the public internet"
        )
    return None


# ---------------------------------------------------------------------------
# Retry-After
# ---------------------------------------------------------------------------


def parse_retry_after(value: str | None, *, now: datetime, server_date: str | None = None) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or None if absent/unreadable.

    Accepts delay-seconds (``120``) and an HTTP-date. A date is measured from the
    response's own ``Date`` header when readable (no clock skew between us and the
    server), else from ``now``. Never negative.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    when = _http_date(text)
    if when is None:
        return None
    reference = _http_date(server_date) if server_date else None
    return max(0.0, (when - (reference or now)).total_seconds())


def _http_date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------
# Bounded body decoding
# ---------------------------------------------------------------------------


class _CorruptBody(Exception):
    """Compressed data that does not decompress; ``incomplete`` when it just stopped early."""

    def __init__(self, message: str, *, incomplete: bool = False) -> None:
        super().__init__(message)
        self.incomplete = incomplete


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (multi-member) or deflate (zlib-wrapped, or raw as some servers send it),
    yielding at most ``_DECODE_STEP`` bytes per step."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        self._wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
        self._d = zlib.decompressobj(self._wbits)
        self._seen_input = False
        self._produced = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        pending = data
        first = not self._seen_input
        self._seen_input = True
        while True:
            try:
                out = self._d.decompress(pending, _DECODE_STEP)
            except zlib.error as exc:
                if first and self._encoding == "deflate" and self._wbits > 0:
                    self._wbits = -zlib.MAX_WBITS
                    self._d = zlib.decompressobj(self._wbits)
                    first = False
                    continue
                raise _CorruptBody(f"{self._encoding} data is corrupt ({exc})") from exc
            first = False
            if out:
                self._produced = True
                yield out
            if self._d.eof:
                rest = self._d.unused_data
                if rest and self._encoding == "gzip" and rest.startswith(b"\x1f\x8b"):
                    self._d = zlib.decompressobj(self._wbits)  # next gzip member
                    pending = rest
                    continue
                return  # trailing garbage after the stream is ignored, as browsers do
            pending = self._d.unconsumed_tail
            if not pending and len(out) < _DECODE_STEP:
                return  # needs more input

    def finish(self) -> Iterator[bytes]:
        if self._seen_input and not self._d.eof:
            raise _CorruptBody(f"{self._encoding} data ended early", incomplete=True)
        return iter(())


class _BrotliDecoder:
    def __init__(self) -> None:
        assert _brotli is not None
        self._d = _brotli.Decompressor()
        self._seen_input = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        if not data:
            return
        self._seen_input = True
        try:
            out = self._d.process(data, output_buffer_limit=_DECODE_STEP)
            yield out
            while not self._d.can_accept_more_data() and not self._d.is_finished():
                yield self._d.process(b"", output_buffer_limit=_DECODE_STEP)
        except _brotli.error as exc:
            raise _CorruptBody(f"br data is corrupt ({exc})") from exc

    def finish(self) -> Iterator[bytes]:
        if self._seen_input and not self._d.is_finished():
            raise _CorruptBody("br data ended early", incomplete=True)
        return iter(())


def _decoders(content_encoding: str | None, url: str) -> list[_Decoder]:
    """Decoders in the order to apply them (reverse of the order the server encoded)."""
    names = [n.strip().lower() for n in (content_encoding or "").split(",")]
    chain: list[_Decoder] = []
    for name in reversed([n for n in names if n and n != "identity"]):
        if name in ("gzip", "x-gzip"):
            chain.append(_ZlibDecoder("gzip"))
        elif name == "deflate":
            chain.append(_ZlibDecoder("deflate"))
        elif name == "br" and _brotli is not None:
            chain.append(_BrotliDecoder())
        else:
            raise FetchError(
                f"the server compressed {url} with '{name}', which curator does not read "
                f"(it asked for {ACCEPT_ENCODING}); tell the feed's publisher"
            )
    return chain


def _run_chain(chain: list[_Decoder], data: bytes, index: int = 0) -> Iterator[bytes]:
    if index == len(chain):
        if data:
            yield data
        return
    for piece in chain[index].decode(data):
        yield from _run_chain(chain, piece, index + 1)


def _finish_chain(chain: list[_Decoder], index: int = 0) -> Iterator[bytes]:
    for position in range(index, len(chain)):
        for piece in chain[position].finish():
            yield from _run_chain(chain, piece, position + 1)


# ---------------------------------------------------------------------------
# The fetcher
# ---------------------------------------------------------------------------


def _size(n: int) -> str:
    if n % _MiB == 0:
        return f"{n // _MiB} MiB"
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


_E = TypeVar("_E", bound=BaseException)


def _cause_of_type(exc: BaseException, kind: type[_E]) -> _E | None:
    """The first exception of ``kind`` in ``exc``'s cause/context chain."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "the server refuses access; the feed may need a login curator does not have"
    if status == 404:
        return "check the feed address; it may have moved"
    if status == 410:
        return "the publisher removed this feed; disable the source"
    if status == 429:
        return "the server asks curator to fetch less often"
    if status >= 500:
        return "the server has a problem; curator will retry later"
    if 300 <= status < 400:
        return "curator cannot follow this kind of redirect"
    return "check the feed address"


class Fetcher:
    """Fetches feed URLs under a ``FetchPolicy``. Thread-safe; reuses connections.

    ``resolver`` replaces DNS (tests simulate rebinding with it); ``ssl_context``
    replaces the certifi trust store (it must still verify host names);
    ``clock`` gives the current UTC time for Retry-After dates when the server
    sends no ``Date``. Use as a context manager or call ``close()``.
    """

    def __init__(
        self,
        policy: FetchPolicy = DEFAULT_POLICY,
        *,
        resolver: Resolver | None = None,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._policy = policy
        self._clock = clock or (lambda: datetime.now(UTC))
        self._transport = GuardedTransport(
            policy.address_policy(), resolver=resolver, ssl_context=ssl_context
        )
        self._timeouts = {
            "connect": policy.connect_timeout,
            "read": policy.read_timeout,
            "write": policy.read_timeout,
            "pool": policy.connect_timeout,
        }

    @property
    def policy(self) -> FetchPolicy:
        return self._policy

    def close(self) -> None:
        """Close pooled connections. The fetcher must not be used afterwards."""
        self._transport.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def fetch(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> FetchResult:
        """GET ``url`` (following up to ``max_redirects`` redirects) and return the body.

        ``etag``/``last_modified`` are sent as If-None-Match/If-Modified-Since on every
        hop. Returns:

        - 2xx: ``body`` (decoded bytes, possibly ``b""``), ``content_type`` and the
          response's validators;
        - 304: ``not_modified=True``, ``body=None``; ``etag``/``last_modified`` are the
          304's own when it sends them, else the ones sent (F02).

        ``url`` in the result is the argument as given, ``final_url`` the last hop;
        ``permanent_url`` is the final URL when there was at least one redirect and
        every hop was 301/308; ``expires_zero`` is True when the response says
        ``Expires: 0`` (the caller should then not store validators, F03).

        Raises AddressNotAllowed, HTTPStatusError (429/503 with ``retry_after``
        seconds; other 4xx/5xx; 3xx without Location; a 304 to a request without
        validators) or FetchError (timeouts, size, incomplete read, TLS, too many
        redirects, malformed URL). Nothing is returned partially.
        """
        try:
            start_url = check_url(url, self._policy)
        except InvalidInput as exc:
            raise FetchError(str(exc)) from exc
        deadline = time.monotonic() + self._policy.total_timeout
        with deadline_scope(deadline):
            return self._follow(url, start_url, etag, last_modified, deadline)

    # -- internals ---------------------------------------------------------

    def _follow(
        self,
        url: str,
        start_url: str,
        etag: str | None,
        last_modified: str | None,
        deadline: float,
    ) -> FetchResult:
        cookies = httpx.Cookies()  # per fetch: cookies never travel between feeds
        current = start_url
        chain: list[str] = [start_url]
        statuses: list[int] = []
        while True:
            request = self._request(current, etag, last_modified, cookies)
            response = self._send(request, url, current, deadline)
            try:
                cookies.extract_cookies(response)
                status = response.status_code
                location = response.headers.get("location")
                if status in _REDIRECT_STATUSES and location:
                    current = self._redirect_target(url, current, location, chain)
                    chain.append(current)
                    statuses.append(status)
                    continue
                permanent = current if statuses and all(s in _PERMANENT_STATUSES for s in statuses) else None
                return self._result(url, current, response, etag, last_modified, permanent, deadline)
            finally:
                response.close()

    def _request(
        self, url: str, etag: str | None, last_modified: str | None, cookies: httpx.Cookies
    ) -> httpx.Request:
        headers = {
            "User-Agent": self._policy.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        request = httpx.Request("GET", url, headers=headers, extensions={"timeout": self._timeouts})
        cookies.set_cookie_header(request)
        return request

    def _redirect_target(self, url: str, current: str, location: str, chain: list[str]) -> str:
        limit = self._policy.max_redirects
        if len(chain) > limit:
            loop = " (the redirects go round in a loop)" if len(set(chain)) < len(chain) else ""
            raise FetchError(
                f"more than {limit} redirects fetching {_shown(url)}{loop}; "
                f"last address was {_shown(current)}. Ask the publisher for the feed's real address."
            )
        try:
            target = str(httpx.URL(current).join(location.strip()))
        except httpx.InvalidURL as exc:
            raise FetchError(f"{_shown(url)} redirects to a malformed address ({exc})") from exc
        try:
            return check_url(target, self._policy)
        except AddressNotAllowed as exc:
            raise AddressNotAllowed(f"{exc} (redirected from {_shown(url)})") from exc
        except InvalidInput as exc:
            raise FetchError(f"{_shown(url)} redirects to an unusable address: {exc}") from exc

    def _send(self, request: httpx.Request, url: str, current: str, deadline: float) -> httpx.Response:
        try:
            return self._transport.handle_request(request)
        except AddressNotAllowed as exc:
            where = "" if current == url else f", reached by redirect from {_shown(url)}"
            raise AddressNotAllowed(
                f"{exc} for {_shown(current)}{where}; feeds must be on the public internet"
            ) from exc
        except httpx.HTTPError as exc:
            raise self._translate(exc, url, current, deadline, reading_body=False) from exc

    def _translate(
        self, exc: httpx.HTTPError, url: str, current: str, deadline: float, *, reading_body: bool
    ) -> FetchError:
        policy = self._policy
        host = httpx.URL(current).host
        if isinstance(exc, httpx.TimeoutException) and time.monotonic() >= deadline - 0.05:
            return FetchError(
                f"timed out after {policy.total_timeout:g} s fetching {_shown(url)} "
                "(total time limit for one feed); the server is too slow or stalls on purpose"
            )
        if isinstance(exc, httpx.ConnectTimeout):
            return FetchError(
                f"timed out after {policy.connect_timeout:g} s connecting to {host} "
                f"({_shown(url)}); the server is down or unreachable"
            )
        if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout)):
            return FetchError(
                f"timed out after {policy.read_timeout:g} s waiting for data from {host} "
                f"({_shown(url)}); the server accepted the connection but stopped answering"
            )
        if isinstance(exc, httpx.PoolTimeout):
            return FetchError(
                f"timed out after {policy.connect_timeout:g} s waiting for a free connection "
                f"for {_shown(url)}; too many fetches at once"
            )
        tls = _cause_of_type(exc, ssl.SSLError)
        if tls is not None:
            what = (
                "certificate could not be verified"
                if isinstance(tls, ssl.SSLCertVerificationError)
                else "handshake failed"
            )
            detail = getattr(tls, "verify_message", None) or getattr(tls, "reason", None) or tls
            return FetchError(
                f"TLS {what} for {host} ({detail}): {_shown(url)}. The server's HTTPS "
                "certificate is broken; curator never skips certificate checks."
            )
        if reading_body and isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
            return FetchError(
                f"incomplete read: {host} closed the connection before the whole feed "
                f"arrived ({_shown(url)}); nothing was stored"
            )
        lookup = _cause_of_type(exc, HostLookupError)
        if lookup is not None:
            return FetchError(f"{lookup}: {_shown(url)}; check the spelling of the address")
        if isinstance(exc, httpx.ConnectError):
            return FetchError(f"could not connect to {host} ({exc}): {_shown(url)}")
        if isinstance(exc, httpx.RemoteProtocolError):
            return FetchError(f"{host} sent no valid HTTP response ({exc}): {_shown(url)}")
        return FetchError(f"could not fetch {_shown(url)}: {exc}")

    def _result(
        self,
        url: str,
        current: str,
        response: httpx.Response,
        sent_etag: str | None,
        sent_last_modified: str | None,
        permanent: str | None,
        deadline: float,
    ) -> FetchResult:
        status = response.status_code
        headers = response.headers
        expires_zero = headers.get("expires", "").strip() == "0"
        if status == 304:
            if sent_etag is None and sent_last_modified is None:
                raise HTTPStatusError(
                    f"{_shown(url)} answered 304 Not Modified although curator sent no "
                    "validators; the server is misconfigured",
                    status,
                )
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                body=None,
                content_type=headers.get("content-type"),
                etag=headers.get("etag") or sent_etag,
                last_modified=headers.get("last-modified") or sent_last_modified,
                not_modified=True,
                permanent_url=permanent,
                expires_zero=expires_zero,
            )
        if 200 <= status < 300:
            body = self._read_body(response, url, current, deadline)
            return FetchResult(
                url=url,
                final_url=current,
                status=status,
                body=body,
                content_type=headers.get("content-type"),
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                permanent_url=permanent,
                expires_zero=expires_zero,
            )
        retry_after = None
        if status in _RETRY_AFTER_STATUSES:
            # First value of each: werkzeug and some proxies repeat Date, and httpx
            # would join repeats into one unparseable string.
            retry_after = parse_retry_after(
                next(iter(headers.get_list("retry-after")), None),
                now=self._clock(),
                server_date=next(iter(headers.get_list("date")), None),
            )
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        # The standard phrase, not the server's: error texts never echo what a server sent.
        reason = httpx.codes.get_reason_phrase(status)
        raise HTTPStatusError(
            f"{_shown(url)} answered HTTP {status} {reason}{wait}: {_status_hint(status)}",
            status,
            retry_after,
        )

    def _read_body(self, response: httpx.Response, url: str, current: str, deadline: float) -> bytes:
        limit = self._policy.max_bytes
        too_large = FetchError(
            f"feed larger than {_size(limit)} after decompression: {_shown(url)}; "
            "nothing was stored. Ask the publisher for a shorter feed."
        )
        chain = _decoders(response.headers.get("content-encoding"), url)
        declared = response.headers.get("content-length", "")
        if not chain and declared.strip().isdigit() and int(declared) > limit:
            raise FetchError(  # refuse before reading a byte
                f"feed larger than {_size(limit)} (the server announced {int(declared)} bytes): "
                f"{_shown(url)}; nothing was stored. Ask the publisher for a shorter feed."
            )
        body = bytearray()
        try:
            for raw in response.iter_raw():
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("total time limit reached")
                for piece in _run_chain(chain, raw):
                    if len(body) + len(piece) > limit:
                        raise too_large
                    body += piece
            for piece in _finish_chain(chain):
                if len(body) + len(piece) > limit:
                    raise too_large
                body += piece
        except httpx.HTTPError as exc:
            raise self._translate(exc, url, current, deadline, reading_body=True) from exc
        except _CorruptBody as exc:
            if exc.incomplete:
                raise FetchError(
                    f"incomplete read: the compressed feed ended early ({exc}): {_shown(url)}"
                ) from exc
            raise FetchError(f"could not decompress the feed ({exc}): {_shown(url)}") from exc
        return bytes(body)
