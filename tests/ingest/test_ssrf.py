"""SSRF guard of the fetcher (RELIABILITY 3B) against canary servers on loopback.

A canary is a real TCP server that counts ``accept()`` calls and answers with a
secret banner. "Refused" therefore means: the right exception, zero accepted
connections, and nothing of the banner (or the resolved address) in the message.

Honesty rules for these tests:
- the origin servers the fetcher may reach live on 127.0.0.1 (allow-listed with
  ``allowed_networks=("127.0.0.1/32",)``), canaries live on 127.0.0.2 or behind the
  production policy, so an allowed connection can never be mistaken for a refused one;
- each canary setup has a positive control showing the canary *would* count a
  connection if the guard let it through.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer

from curator.errors import AddressNotAllowed, FetchError, InvalidInput
from curator.ingest.fetch import Fetcher, FetchPolicy, check_url
from curator.ingest.netguard import AddressPolicy, GuardedTransport, parse_ip_literal

from . import hostile_servers as hs
from .hostile_servers import CANARY_BANNER, FileOpenSpy, RawServer

pytestmark = pytest.mark.timeout(60)

MakeRaw = Callable[..., RawServer]
RSS = b"<rss><channel><title>origin</title></channel></rss>"


class SequenceResolver:
    """A fake DNS: answers for each host in turn (the last answer repeats); counts lookups."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self._answers = answers
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        sequence = self._answers[host]
        index = min(self.lookups.count(host) - 1, len(sequence) - 1)
        return sequence[index]


def assert_refused_quietly(error: BaseException, *secrets: str) -> None:
    """X06: generic message, nothing from the target, no resolved internal address."""
    message = str(error)
    assert message.startswith("address not allowed") or "address not allowed" in message
    assert CANARY_BANNER.decode() not in message
    for secret in secrets:
        assert secret not in message


# ---------------------------------------------------------------------------
# X01: literal private targets
# ---------------------------------------------------------------------------

# Spellings of this machine that should reach a canary on 127.0.0.1:{port} if the guard failed.
LOOPBACK_SPELLINGS = [
    "http://127.0.0.1:{port}/",
    "http://localhost:{port}/",
    "http://0.0.0.0:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://2130706433:{port}/",
    "http://0x7f.1:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://LOCALHOST.:{port}/",
    "feed://127.0.0.1:{port}/",
]

# Private targets no test server can sit on; refusal must happen before any connect().
UNREACHABLE_PRIVATE = [
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://[fe80::1%25eth0]/",
    "http://224.0.0.1/",
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 spelling of 169.254.169.254
]


@pytest.mark.parametrize("template", LOOPBACK_SPELLINGS)
def test_x01_loopback_spellings_rejected_when_added_and_fetched(
    template: str, canary_server: RawServer, strict_policy: FetchPolicy, connect_spy: list[Any]
) -> None:
    url = template.format(port=canary_server.port)

    with pytest.raises(AddressNotAllowed) as added:
        check_url(url)
    with Fetcher(strict_policy) as fetcher, pytest.raises(AddressNotAllowed) as fetched:
        fetcher.fetch(url)

    assert canary_server.accepts == 0
    assert connect_spy == []
    assert_refused_quietly(added.value)
    assert_refused_quietly(fetched.value)


def test_x01_ipv6_loopback_rejected(make_raw_server: MakeRaw, strict_policy: FetchPolicy) -> None:
    try:
        canary6 = make_raw_server(hs.canary, host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    url = canary6.url("/")  # http://[::1]:port/

    with pytest.raises(AddressNotAllowed):
        check_url(url)
    with Fetcher(strict_policy) as fetcher, pytest.raises(AddressNotAllowed):
        fetcher.fetch(url)

    assert canary6.accepts == 0


@pytest.mark.parametrize("url", UNREACHABLE_PRIVATE)
def test_x01_private_ranges_rejected_without_connecting(
    url: str, strict_policy: FetchPolicy, connect_spy: list[Any]
) -> None:
    with pytest.raises(AddressNotAllowed):
        check_url(url)
    with Fetcher(strict_policy) as fetcher, pytest.raises(AddressNotAllowed):
        fetcher.fetch(url)

    assert connect_spy == []


@pytest.mark.parametrize("template", [t for t in LOOPBACK_SPELLINGS if "0177" not in t and "feed:" not in t])
def test_x01_connect_time_guard_alone_refuses_loopback(template: str, canary_server: RawServer) -> None:
    """Defence in depth: even a plain httpx client on the guarded transport, with no
    ``check_url`` in front and following redirects itself, cannot reach the canary.
    ``localhost`` here goes through the real system resolver."""
    url = template.format(port=canary_server.port)
    transport = GuardedTransport(AddressPolicy())
    # "localhost." does not resolve on every system; then there is nothing to refuse.
    expected = (AddressNotAllowed, httpx.ConnectError) if "LOCALHOST." in template else AddressNotAllowed

    with httpx.Client(transport=transport, follow_redirects=True) as client, pytest.raises(expected):
        client.get(url)

    assert canary_server.accepts == 0


def test_x01_canary_control_counts_an_allowed_connection(canary_server: RawServer) -> None:
    """Positive control: with 127.0.0.1 allow-listed, the same canary is reached and counted."""
    policy = FetchPolicy(
        connect_timeout=1, read_timeout=1, total_timeout=3, allowed_networks=("127.0.0.1/32",)
    )

    with Fetcher(policy) as fetcher:
        result = fetcher.fetch(canary_server.url("/"))

    assert canary_server.accepts == 1
    assert result.body is not None and CANARY_BANNER in result.body


# ---------------------------------------------------------------------------
# X02: host names that resolve to private addresses
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answers",
    [
        ["127.0.0.1"],
        ["::ffff:127.0.0.1"],
        ["8.8.8.8", "127.0.0.1"],  # mixed answers: refused as a whole, nothing is tried
        ["127.0.0.1", "8.8.8.8"],
    ],
)
def test_x02_hostname_resolving_to_private_is_rejected_at_connect_time(
    answers: list[str], canary_server: RawServer, strict_policy: FetchPolicy, connect_spy: list[Any]
) -> None:
    resolver = SequenceResolver({"evil.test": [answers]})
    url = canary_server.url("/", host="evil.test")

    assert check_url(url) == url  # names are not resolved when added ...
    with Fetcher(strict_policy, resolver=resolver) as fetcher, pytest.raises(AddressNotAllowed) as caught:
        fetcher.fetch(url)  # ... but checked when connecting

    assert resolver.lookups == ["evil.test"]
    assert canary_server.accepts == 0
    assert connect_spy == []
    assert_refused_quietly(caught.value, "127.0.0.1", "8.8.8.8")


@pytest.mark.parametrize("answer", ["169.254.169.254", "10.1.2.3", "fd00::1", "::"])
def test_x02_other_private_answers_rejected(
    answer: str, strict_policy: FetchPolicy, connect_spy: list[Any]
) -> None:
    resolver = SequenceResolver({"metadata.test": [[answer]]})

    with Fetcher(strict_policy, resolver=resolver) as fetcher, pytest.raises(AddressNotAllowed) as caught:
        fetcher.fetch("http://metadata.test/latest/")

    assert connect_spy == []
    assert_refused_quietly(caught.value, answer)


def test_x02_unresolvable_name_is_a_fetch_error(strict_policy: FetchPolicy) -> None:
    def nxdomain(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with Fetcher(strict_policy, resolver=nxdomain) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch("http://no-such-host.test/feed")

    assert not isinstance(caught.value, AddressNotAllowed)
    assert "could not look up host name no-such-host.test" in str(caught.value)


# ---------------------------------------------------------------------------
# X03: DNS rebinding
# ---------------------------------------------------------------------------


@pytest.fixture
def origin_and_canary(make_raw_server: MakeRaw) -> Iterator[tuple[RawServer, RawServer]]:
    """An allowed origin on 127.0.0.1:P and a canary on 127.0.0.2:P (same port).

    The origin answers with ``Connection: close``, so every fetch connects (and resolves) anew.
    """
    port = hs.free_port_on_both("127.0.0.1", "127.0.0.2")
    canary = make_raw_server(hs.canary, host="127.0.0.2", port=port)
    origin = make_raw_server(
        hs.respond("200 OK", [("Content-Type", "application/rss+xml")], RSS), host="127.0.0.1", port=port
    )
    yield origin, canary


def test_x03_rebinding_between_fetches_is_rejected(
    origin_and_canary: tuple[RawServer, RawServer], local_policy: FetchPolicy
) -> None:
    """First lookup: the allowed origin. Second lookup: the canary. The second fetch is refused."""
    origin, canary = origin_and_canary
    resolver = SequenceResolver({"feed.test": [["127.0.0.1"], ["127.0.0.2"]]})
    url = origin.url("/feed", host="feed.test")

    with Fetcher(local_policy, resolver=resolver) as fetcher:
        assert fetcher.fetch(url).body == RSS
        with pytest.raises(AddressNotAllowed) as caught:
            fetcher.fetch(url)

    assert resolver.lookups == ["feed.test", "feed.test"]  # resolved again, not trusted from before
    assert origin.accepts == 1
    assert canary.accepts == 0
    assert_refused_quietly(caught.value, "127.0.0.2")


def test_x03_preflight_check_then_rebinding_is_rejected(
    origin_and_canary: tuple[RawServer, RawServer], local_policy: FetchPolicy
) -> None:
    """A form that resolves the name to validate it sees the allowed address; the
    fetcher's own lookup then gets the private one and refuses it."""
    origin, canary = origin_and_canary
    resolver = SequenceResolver({"feed.test": [["127.0.0.1"], ["127.0.0.2"]]})
    url = origin.url("/feed", host="feed.test")

    preflight = [ipaddress.ip_address(a) for a in resolver("feed.test", origin.port)]
    assert all(local_policy.address_policy().refusal(ip) is None for ip in preflight)
    with Fetcher(local_policy, resolver=resolver) as fetcher, pytest.raises(AddressNotAllowed):
        fetcher.fetch(check_url(url, local_policy))

    assert canary.accepts == 0
    assert origin.accepts == 0


def test_x03_rebinding_on_a_redirect_hop_is_rejected(
    make_raw_server: MakeRaw, local_policy: FetchPolicy
) -> None:
    """The origin redirects to the same host name; the second lookup says 127.0.0.2."""
    port = hs.free_port_on_both("127.0.0.1", "127.0.0.2")
    canary = make_raw_server(hs.canary, host="127.0.0.2", port=port)
    origin = make_raw_server(
        hs.respond("302 Found", [("Location", f"http://feed.test:{port}/next")]), host="127.0.0.1", port=port
    )
    resolver = SequenceResolver({"feed.test": [["127.0.0.1"], ["127.0.0.2"]]})

    with Fetcher(local_policy, resolver=resolver) as fetcher, pytest.raises(AddressNotAllowed) as caught:
        fetcher.fetch(f"http://feed.test:{port}/start")

    assert origin.accepts == 1
    assert canary.accepts == 0
    assert "redirect" in str(caught.value)
    assert_refused_quietly(caught.value, "127.0.0.2")


# ---------------------------------------------------------------------------
# X04: redirect from an allowed origin to a private target
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _origin_canary_pair() -> Iterator[tuple[HTTPServer, RawServer]]:
    port = hs.free_port_on_both("127.0.0.1", "127.0.0.2")
    canary = RawServer(hs.canary, host="127.0.0.2", port=port)
    origin = HTTPServer(host="127.0.0.1", port=port, threaded=True)
    origin.start()
    yield origin, canary
    origin.clear()
    origin.stop()
    canary.close()


@pytest.fixture
def redirecting_origin(
    _origin_canary_pair: tuple[HTTPServer, RawServer],
) -> Iterator[tuple[HTTPServer, RawServer]]:
    """pytest-httpserver on 127.0.0.1:P (allowed) and a canary on 127.0.0.2:P (not allowed),
    shared by the module's tests; handlers, log and the accept count start empty."""
    origin, canary = _origin_canary_pair
    origin.clear()
    canary.reset_accepts()
    yield origin, canary
    origin.clear()


REDIRECT_TARGETS = [
    "http://127.0.0.2:{port}/",  # same port as the allowed origin, different address
    "http://[::ffff:127.0.0.2]:{port}/",
    "http://internal.test:{port}/",  # name resolving to the canary
    "http://0x7f.0.0.2:{port}/",
]


@pytest.mark.parametrize("target", REDIRECT_TARGETS)
@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_x04_redirect_to_private_is_rejected(
    redirecting_origin: tuple[HTTPServer, RawServer],
    local_policy: FetchPolicy,
    target: str,
    status: int,
) -> None:
    origin, canary = redirecting_origin
    location = target.format(port=canary.port)
    origin.expect_request("/feed").respond_with_data("", status=status, headers={"Location": location})
    resolver = SequenceResolver({"internal.test": [["127.0.0.2"]]})

    with Fetcher(local_policy, resolver=resolver) as fetcher, pytest.raises(AddressNotAllowed) as caught:
        fetcher.fetch(origin.url_for("/feed"))

    assert len(origin.log) == 1
    assert canary.accepts == 0
    assert "redirected from" in str(caught.value) or "redirect" in str(caught.value)
    assert_refused_quietly(caught.value)


@pytest.mark.parametrize(
    "location",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[fe80::1]/",
        "http://localhost/",
    ],
)
def test_x04_redirect_to_unreachable_private_is_rejected_before_connecting(
    redirecting_origin: tuple[HTTPServer, RawServer],
    local_policy: FetchPolicy,
    connect_spy: list[Any],
    location: str,
) -> None:
    origin, _ = redirecting_origin
    origin.expect_request("/feed").respond_with_data("", status=302, headers={"Location": location})

    with Fetcher(local_policy) as fetcher, pytest.raises(AddressNotAllowed):
        fetcher.fetch(origin.url_for("/feed"))

    assert [address[0] for address in connect_spy] == ["127.0.0.1"]  # only the origin


def test_x04_positive_control_canary_is_reached_when_allowed(
    redirecting_origin: tuple[HTTPServer, RawServer],
) -> None:
    """With 127.0.0.2 allow-listed too, the same redirect reaches the canary: the setup
    above really would notice a missing check on the redirect hop."""
    origin, canary = redirecting_origin
    origin.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": f"http://127.0.0.2:{canary.port}/"}
    )
    policy = FetchPolicy(
        connect_timeout=1, read_timeout=1, total_timeout=3, allowed_networks=("127.0.0.1/32", "127.0.0.2/32")
    )

    with Fetcher(policy) as fetcher:
        result = fetcher.fetch(origin.url_for("/feed"))

    assert canary.accepts == 1
    assert result.body is not None and CANARY_BANNER in result.body


def test_x04_permanent_redirect_to_private_never_yields_a_permanent_url(
    redirecting_origin: tuple[HTTPServer, RawServer], local_policy: FetchPolicy
) -> None:
    """F11 + X04: a 301 to a private address raises instead of proposing a new feed URL."""
    origin, canary = redirecting_origin
    origin.expect_request("/feed").respond_with_data(
        "", status=301, headers={"Location": f"http://127.0.0.2:{canary.port}/"}
    )

    with Fetcher(local_policy) as fetcher, pytest.raises(AddressNotAllowed):
        fetcher.fetch(origin.url_for("/feed"))

    assert canary.accepts == 0


# ---------------------------------------------------------------------------
# X05: schemes
# ---------------------------------------------------------------------------

BAD_SCHEMES = [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "ftp://example.com/feed.xml",
    "gopher://example.com:70/_GET%20/",
    "data:application/rss+xml,<rss/>",
    "javascript:alert(1)",
    "dict://example.com:11211/stat",
    "feed:file:///etc/passwd",
]


@pytest.mark.parametrize("url", BAD_SCHEMES)
def test_x05_schemes_other_than_http_are_rejected_and_nothing_is_read(
    url: str, strict_policy: FetchPolicy, monkeypatch: pytest.MonkeyPatch
) -> None:
    stats: list[str] = []
    real_stat = os.stat

    def stat_spy(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        stats.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_spy)

    with FileOpenSpy() as spy:
        with pytest.raises(AddressNotAllowed) as added:
            check_url(url)
        with Fetcher(strict_policy) as fetcher, pytest.raises(AddressNotAllowed) as fetched:
            fetcher.fetch(url)

    assert "http:// or https://" in str(added.value)
    assert "http:// or https://" in str(fetched.value)
    assert not any("passwd" in path for path in spy.paths + stats)


def test_x05_redirect_to_file_scheme_is_rejected(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )

    with FileOpenSpy() as spy, pytest.raises(AddressNotAllowed) as caught:
        local_fetcher.fetch(feed_server.url_for("/feed"))

    assert "scheme 'file:'" in str(caught.value)
    assert not any("passwd" in path for path in spy.paths)


@pytest.mark.parametrize(
    ("url", "normalised"),
    [
        ("feed://example.com/rss.xml", "https://example.com/rss.xml"),
        ("feed:https://example.com/rss.xml", "https://example.com/rss.xml"),
        ("feed:http://example.com/rss.xml", "http://example.com/rss.xml"),
        ("  HTTPS://Example.COM  ", "https://example.com/"),
        ("https://example.com/feed#latest", "https://example.com/feed"),
        ("http://bücher.example/feed", "http://xn--bcher-kva.example/feed"),
        ("https://8.8.8.8/feed", "https://8.8.8.8/feed"),
    ],
)
def test_x05_allowed_urls_are_normalised(url: str, normalised: str) -> None:
    assert check_url(url) == normalised


@pytest.mark.parametrize(
    "url",
    [
        "http://user:pass@example.com/feed",
        "http://user@example.com/feed",
        "http://example.com\\@127.0.0.1/",
        "example.com/feed",
        "",
        "http:///feed",
        "http://exa mple.com/",
        "http://example.com:99999/",
        "http://999.1.1.1/",
    ],
)
def test_x05_malformed_urls_and_credentials_are_invalid_input(url: str, strict_policy: FetchPolicy) -> None:
    with pytest.raises(InvalidInput):
        check_url(url)
    with Fetcher(strict_policy) as fetcher, pytest.raises(FetchError):
        fetcher.fetch(url)  # the fetcher reports the same problem as a FetchError


def test_x05_credentials_message_is_actionable() -> None:
    with pytest.raises(InvalidInput, match="user name or password"):
        check_url("http://user:pass@example.com/feed")


# ---------------------------------------------------------------------------
# Address policy units
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.com", None),
        ("0x7f.example", None),
        ("08.0.0.1", None),  # not octal: the C library treats it as a name too
    ],
)
def test_parse_ip_literal(host: str, expected: str | None) -> None:
    parsed = parse_ip_literal(host)
    assert (None if parsed is None else str(parsed)) == expected


@pytest.mark.parametrize(
    ("address", "allowed_by_default", "allowed_with_allow_private"),
    [
        ("8.8.8.8", True, True),
        ("2606:4700::1111", True, True),
        ("127.0.0.1", False, True),
        ("10.0.0.1", False, True),
        ("169.254.169.254", False, True),
        ("100.64.0.1", False, True),
        ("::ffff:10.0.0.1", False, True),
        ("fc00::1", False, True),
        ("0.0.0.0", False, False),
        ("224.0.0.1", False, False),
        ("ff02::1", False, False),
        ("255.255.255.255", False, False),
    ],
)
def test_address_policy(address: str, allowed_by_default: bool, allowed_with_allow_private: bool) -> None:
    ip = ipaddress.ip_address(address)
    assert (AddressPolicy().refusal(ip) is None) is allowed_by_default
    assert (AddressPolicy(allow_private=True).refusal(ip) is None) is allowed_with_allow_private


def test_allowed_networks_open_exactly_the_listed_range() -> None:
    policy = AddressPolicy(allowed_networks=("127.0.0.1/32",))
    assert policy.refusal(ipaddress.ip_address("127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("::ffff:127.0.0.1")) is None
    assert policy.refusal(ipaddress.ip_address("127.0.0.2")) == "loopback"
    assert policy.refusal(ipaddress.ip_address("::1")) == "loopback"
