"""Feed fetching against real, misbehaving servers on 127.0.0.1 (RELIABILITY 3A).

Row ids (F01...) are in the test names' docstrings. Timing is never asserted as an
upper bound: which limit fired is read from the error message, and pytest-timeout
only guards against hangs.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import trustme
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from curator.errors import ConfigError, FetchError, HTTPStatusError
from curator.ingest.fetch import ACCEPT, Fetcher, FetchPolicy, parse_retry_after

from . import hostile_servers as hs
from .hostile_servers import RawServer

pytestmark = pytest.mark.timeout(60)

CAP = 15 * 1024 * 1024
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
LAST_MODIFIED = "Sat, 01 Nov 2026 10:00:00 GMT"

MakeRaw = Callable[..., RawServer]


def fetch_error(fetcher: Fetcher, url: str, **kwargs: str) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url, **kwargs)
    return caught.value


def peak_memory_of(action: Callable[[], object]) -> tuple[int, BaseException | None]:
    """Peak traced allocation (bytes) while ``action`` runs, and what it raised."""
    tracemalloc.start()
    raised: BaseException | None = None
    try:
        action()
    except BaseException as exc:  # the caller asserts on it
        raised = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, raised


# ---------------------------------------------------------------------------
# F01-F03: conditional GET and validators
# ---------------------------------------------------------------------------


def test_f01_conditional_get_sends_exactly_the_stored_validators(
    feed_server: HTTPServer, local_fetcher: Fetcher
) -> None:
    """F01: the request carries exactly the stored If-None-Match / If-Modified-Since; 304 -> no body."""
    feed_server.expect_request(
        "/feed", headers={"If-None-Match": '"v1"', "If-Modified-Since": LAST_MODIFIED}
    ).respond_with_data("", status=304)

    result = local_fetcher.fetch(feed_server.url_for("/feed"), etag='"v1"', last_modified=LAST_MODIFIED)

    assert result.not_modified is True
    assert result.body is None
    assert result.status == 304
    ((request, _),) = feed_server.log
    assert request.headers.getlist("If-None-Match") == ['"v1"']
    assert request.headers.getlist("If-Modified-Since") == [LAST_MODIFIED]


def test_f01_first_fetch_sends_no_validators(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    """F01: without stored validators the request is unconditional."""
    feed_server.expect_request("/feed").respond_with_data(
        RSS, headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED}, content_type="application/rss+xml"
    )

    result = local_fetcher.fetch(feed_server.url_for("/feed"))

    ((request, _),) = feed_server.log
    assert "If-None-Match" not in request.headers
    assert "If-Modified-Since" not in request.headers
    assert result.body == RSS
    assert (result.etag, result.last_modified) == ('"v1"', LAST_MODIFIED)
    assert result.content_type == "application/rss+xml"
    assert result.not_modified is False


def test_f02_rotating_etag_is_returned_every_time(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    """F02: same Last-Modified and body, new ETag on every response -> the newest ETag is returned."""
    served: list[str] = []

    def rotate(request: Request) -> Response:
        etag = f'"r{len(served)}"'
        served.append(request.headers.get("If-None-Match", ""))
        return Response(RSS, headers={"ETag": etag, "Last-Modified": LAST_MODIFIED})

    feed_server.expect_request("/feed").respond_with_handler(rotate)
    url = feed_server.url_for("/feed")

    first = local_fetcher.fetch(url)
    second = local_fetcher.fetch(url, etag=first.etag, last_modified=first.last_modified)
    third = local_fetcher.fetch(url, etag=second.etag, last_modified=second.last_modified)

    assert [first.etag, second.etag, third.etag] == ['"r0"', '"r1"', '"r2"']
    assert {first.last_modified, second.last_modified, third.last_modified} == {LAST_MODIFIED}
    assert served == ["", '"r0"', '"r1"']  # each request used the previous answer's ETag


def test_f02_304_with_new_etag_carries_the_new_etag(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    """F02: a 304 that rotates the ETag -> the new ETag; missing Last-Modified -> the one sent."""
    feed_server.expect_request("/feed").respond_with_data("", status=304, headers={"ETag": '"v2"'})

    result = local_fetcher.fetch(feed_server.url_for("/feed"), etag='"v1"', last_modified=LAST_MODIFIED)

    assert result.not_modified is True
    assert result.etag == '"v2"'
    assert result.last_modified == LAST_MODIFIED


def test_f02_304_without_validators_keeps_the_ones_sent(
    feed_server: HTTPServer, local_fetcher: Fetcher
) -> None:
    feed_server.expect_request("/feed").respond_with_data("", status=304)

    result = local_fetcher.fetch(feed_server.url_for("/feed"), etag='"v1"')

    assert (result.etag, result.last_modified) == ('"v1"', None)


@pytest.mark.parametrize(("status", "validators"), [(200, {}), (304, {"etag": '"v1"'})])
def test_f03_expires_zero_is_flagged(
    feed_server: HTTPServer, local_fetcher: Fetcher, status: int, validators: dict[str, str]
) -> None:
    """F03: ``Expires: 0`` -> expires_zero, so the caller does not store validators."""
    feed_server.expect_request("/feed").respond_with_data(
        RSS if status == 200 else "", status=status, headers={"Expires": "0", "ETag": '"v1"'}
    )

    result = local_fetcher.fetch(feed_server.url_for("/feed"), **validators)

    assert result.expires_zero is True


def test_f03_real_expires_date_is_not_flagged(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data(
        RSS, headers={"Expires": "Sun, 01 Nov 2026 10:00:00 GMT"}
    )

    assert local_fetcher.fetch(feed_server.url_for("/feed")).expires_zero is False


def test_f03_bogus_304_to_an_unconditional_request_is_an_error(
    feed_server: HTTPServer, local_fetcher: Fetcher
) -> None:
    """F03 (304 latch): a server that answers 304 even without validators cannot be trusted."""
    feed_server.expect_request("/feed").respond_with_data("", status=304)

    with pytest.raises(HTTPStatusError) as caught:
        local_fetcher.fetch(feed_server.url_for("/feed"))

    assert caught.value.status == 304
    assert "no validators" in str(caught.value)


# ---------------------------------------------------------------------------
# F05-F06: timeouts
# ---------------------------------------------------------------------------


def test_f05_accept_and_hang_hits_the_read_timeout(make_raw_server: MakeRaw) -> None:
    """F05: server accepts and never answers -> error from the 1 s read timeout, not the total."""
    server = make_raw_server(hs.hang_after_accept)
    policy = FetchPolicy(read_timeout=1.0, total_timeout=20.0, allowed_networks=("127.0.0.1/32",))

    with Fetcher(policy) as fetcher:
        started = time.monotonic()
        error = fetch_error(fetcher, server.url("/feed"))
        elapsed = time.monotonic() - started

    assert "timed out after 1 s waiting for data" in str(error)
    assert server.url("/feed") in str(error)
    assert elapsed >= 1.0
    print(f"F05 read timeout 1 s: error after {elapsed:.2f} s")


def test_f05_connect_that_never_completes_hits_the_connect_timeout() -> None:
    """F05: a listener whose accept queue is full drops our SYN -> connect timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    filler = socket.create_connection(("127.0.0.1", port))  # fills the queue of one
    policy = FetchPolicy(connect_timeout=1.0, total_timeout=20.0, allowed_networks=("127.0.0.1/32",))
    try:
        with Fetcher(policy) as fetcher:
            error = fetch_error(fetcher, f"http://127.0.0.1:{port}/feed")
    finally:
        filler.close()
        listener.close()

    assert "timed out after 1 s connecting to 127.0.0.1" in str(error)


def test_f06_trickling_body_stops_at_the_total_deadline(make_raw_server: MakeRaw) -> None:
    """F06: one byte every 0.2 s never trips the 1 s read timeout; the 2 s total deadline stops it."""
    server = make_raw_server(hs.trickle(0.2))
    policy = FetchPolicy(read_timeout=1.0, total_timeout=2.0, allowed_networks=("127.0.0.1/32",))

    with Fetcher(policy) as fetcher:
        started = time.monotonic()
        error = fetch_error(fetcher, server.url("/feed"))
        elapsed = time.monotonic() - started

    assert "timed out after 2 s" in str(error)
    assert "total time limit" in str(error)
    assert elapsed >= 2.0
    print(f"F06 total deadline 2 s: error after {elapsed:.2f} s")


def test_f06_trickling_headers_stop_at_the_total_deadline(make_raw_server: MakeRaw) -> None:
    """F06: the deadline also covers a server that dribbles its status line and headers."""

    def slow_headers(conn: socket.socket, stop: object) -> None:
        hs.read_request_head(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        while not stop.wait(0.2):  # type: ignore[attr-defined]
            conn.sendall(b"a")

    server = make_raw_server(slow_headers)
    policy = FetchPolicy(read_timeout=1.0, total_timeout=1.5, allowed_networks=("127.0.0.1/32",))

    with Fetcher(policy) as fetcher:
        error = fetch_error(fetcher, server.url("/feed"))

    assert "timed out after 1.5 s" in str(error)
    assert "total time limit" in str(error)


# ---------------------------------------------------------------------------
# F07-F09: size caps and truncation
# ---------------------------------------------------------------------------

FIFTY_MB = 50 * 1000 * 1000


@pytest.mark.parametrize("announce_length", [True, False], ids=["content-length", "chunked"])
def test_f07_plain_body_over_the_cap_is_refused_with_bounded_memory(
    make_raw_server: MakeRaw, local_policy: FetchPolicy, announce_length: bool
) -> None:
    """F07: 50 MB body, with and without Content-Length -> "larger than 15 MiB", peak < 2x cap."""
    server = make_raw_server(
        hs.stream_body(
            lambda: hs.zeros(FIFTY_MB),
            headers=[("Content-Type", "application/rss+xml")],
            content_length=FIFTY_MB if announce_length else None,
        )
    )
    with Fetcher(local_policy) as fetcher:
        peak, raised = peak_memory_of(lambda: fetcher.fetch(server.url("/big")))

    assert isinstance(raised, FetchError)
    assert "larger than 15 MiB" in str(raised)
    assert peak < 2 * CAP
    print(f"F07 {'content-length' if announce_length else 'chunked'}: peak {peak / 2**20:.1f} MiB")


def test_f07_cap_boundary(feed_server: HTTPServer) -> None:
    """F07: exactly max_bytes is fine, one byte more is refused."""
    policy = FetchPolicy(max_bytes=1000, allowed_networks=("127.0.0.1/32",), total_timeout=5.0)
    feed_server.expect_request("/exact").respond_with_data(b"a" * 1000)
    feed_server.expect_request("/over").respond_with_data(b"a" * 1001)

    with Fetcher(policy) as fetcher:
        assert fetcher.fetch(feed_server.url_for("/exact")).body == b"a" * 1000
        error = fetch_error(fetcher, feed_server.url_for("/over"))

    assert "larger than 1000 bytes" in str(error)


@pytest.fixture(scope="module")
def gzip_bomb_64mib() -> bytes:
    return hs.gzip_bomb(64)


@pytest.mark.parametrize("announce_length", [False, True], ids=["chunked", "content-length"])
def test_f08_gzip_bomb_is_capped_on_decoded_bytes(
    make_raw_server: MakeRaw, local_policy: FetchPolicy, gzip_bomb_64mib: bytes, announce_length: bool
) -> None:
    """F08: ~64 KB of gzip expanding to 64 MiB: refused at 15 MiB decoded, peak < 2x cap.

    The whole bomb fits in one network read, so a fetcher that decompresses a read
    in one go would hold 64 MiB at once and fail the memory bound.
    """
    bomb = gzip_bomb_64mib
    server = make_raw_server(
        hs.stream_body(
            hs.slices(bomb),
            headers=[("Content-Encoding", "gzip"), ("Content-Type", "application/rss+xml")],
            content_length=len(bomb) if announce_length else None,
        )
    )
    with Fetcher(local_policy) as fetcher:
        peak, raised = peak_memory_of(lambda: fetcher.fetch(server.url("/bomb")))

    assert isinstance(raised, FetchError)
    assert "larger than 15 MiB after decompression" in str(raised)
    assert peak < 2 * CAP
    print(f"F08 gzip {len(bomb)} bytes -> 64 MiB: peak {peak / 2**20:.1f} MiB")


@pytest.mark.slow
def test_f08_one_gib_gzip_bomb_served_chunked(make_raw_server: MakeRaw, local_policy: FetchPolicy) -> None:
    """F08 as written: about 1 MB of gzip expanding to 1 GiB (takes ~6 s to build)."""
    bomb = hs.gzip_bomb(1024)
    assert len(bomb) < 1_100_000
    server = make_raw_server(
        hs.stream_body(hs.slices(bomb), headers=[("Content-Encoding", "gzip")], content_length=None)
    )
    with Fetcher(local_policy) as fetcher:
        peak, raised = peak_memory_of(lambda: fetcher.fetch(server.url("/bomb")))

    assert isinstance(raised, FetchError)
    assert "larger than 15 MiB after decompression" in str(raised)
    assert peak < 2 * CAP
    print(f"F08 gzip {len(bomb)} bytes -> 1 GiB: peak {peak / 2**20:.1f} MiB")


def test_f08_brotli_bomb_is_capped_on_decoded_bytes(
    make_raw_server: MakeRaw, local_policy: FetchPolicy
) -> None:
    """F08 (br): 1 GiB of zeros as ~190 KB of brotli, served chunked."""
    pytest.importorskip("brotli")
    bomb = hs.brotli_bomb(1024)
    server = make_raw_server(
        hs.stream_body(hs.slices(bomb), headers=[("Content-Encoding", "br")], content_length=None)
    )
    with Fetcher(local_policy) as fetcher:
        peak, raised = peak_memory_of(lambda: fetcher.fetch(server.url("/bomb")))

    assert isinstance(raised, FetchError)
    assert "larger than 15 MiB after decompression" in str(raised)
    assert peak < 2 * CAP
    print(f"F08 br {len(bomb)} bytes -> 1 GiB: peak {peak / 2**20:.1f} MiB")


def test_f08_deflate_bomb_is_capped(make_raw_server: MakeRaw) -> None:
    compressor = zlib.compressobj(9)
    bomb = b"".join(compressor.compress(b"\0" * 2**20) for _ in range(8)) + compressor.flush()
    policy = FetchPolicy(max_bytes=2**20, allowed_networks=("127.0.0.1/32",), total_timeout=5.0)
    server = make_raw_server(
        hs.stream_body(hs.slices(bomb), headers=[("Content-Encoding", "deflate")], content_length=None)
    )
    with Fetcher(policy) as fetcher:
        error = fetch_error(fetcher, server.url("/bomb"))

    assert "larger than 1 MiB after decompression" in str(error)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _brotli(data: bytes) -> bytes:
    brotli = pytest.importorskip("brotli")
    return bytes(brotli.compress(data))


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("gzip", lambda d: gzip.compress(d[:40]) + gzip.compress(d[40:])),  # two gzip members
        ("deflate", zlib.compress),
        ("deflate", _raw_deflate),  # raw deflate, as some servers send it
        ("br", _brotli),
        ("gzip, br", lambda d: _brotli(gzip.compress(d))),
        ("identity", lambda d: d),
    ],
    ids=["gzip", "gzip-multimember", "deflate-zlib", "deflate-raw", "br", "gzip-then-br", "identity"],
)
def test_compressed_bodies_are_decoded(
    feed_server: HTTPServer, local_fetcher: Fetcher, encoding: str, encode: Callable[[bytes], bytes]
) -> None:
    feed_server.expect_request("/feed").respond_with_data(encode(RSS), headers={"Content-Encoding": encoding})

    assert local_fetcher.fetch(feed_server.url_for("/feed")).body == RSS


def test_corrupt_and_unknown_compression_are_clear_errors(
    feed_server: HTTPServer, local_fetcher: Fetcher
) -> None:
    feed_server.expect_request("/corrupt").respond_with_data(
        b"\x1f\x8b\x08\x00garbage-not-gzip", headers={"Content-Encoding": "gzip"}
    )
    feed_server.expect_request("/cut").respond_with_data(
        gzip.compress(RSS * 50)[:-30], headers={"Content-Encoding": "gzip"}
    )
    feed_server.expect_request("/zstd").respond_with_data(
        b"\x28\xb5\x2f\xfd", headers={"Content-Encoding": "zstd"}
    )

    assert "could not decompress" in str(fetch_error(local_fetcher, feed_server.url_for("/corrupt")))
    assert "incomplete read" in str(fetch_error(local_fetcher, feed_server.url_for("/cut")))
    assert "'zstd'" in str(fetch_error(local_fetcher, feed_server.url_for("/zstd")))


def test_f09_truncated_body_is_an_incomplete_read(make_raw_server: MakeRaw, local_fetcher: Fetcher) -> None:
    """F09: Content-Length 100, 10 bytes sent, connection closed -> "incomplete read"."""
    server = make_raw_server(hs.truncated(declared=100, sent=10))

    error = fetch_error(local_fetcher, server.url("/feed"))

    assert "incomplete read" in str(error)


def test_f09_chunked_body_cut_mid_chunk_is_an_incomplete_read(
    make_raw_server: MakeRaw, local_fetcher: Fetcher
) -> None:
    def cut(conn: socket.socket, stop: object) -> None:
        hs.read_request_head(conn)
        conn.sendall(hs.head(headers=[("Transfer-Encoding", "chunked")]) + b"64\r\n" + b"x" * 10)

    server = make_raw_server(cut)

    assert "incomplete read" in str(fetch_error(local_fetcher, server.url("/feed")))


# ---------------------------------------------------------------------------
# F10-F11: redirects
# ---------------------------------------------------------------------------


def test_f10_redirect_loop_stops_at_the_limit(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    """F10: A -> B -> A ... stops after 5 redirects (6 requests) with a clear error."""
    feed_server.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    feed_server.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})

    error = fetch_error(local_fetcher, feed_server.url_for("/a"))

    assert "more than 5 redirects" in str(error)
    assert "loop" in str(error)
    assert len(feed_server.log) == 6


def test_f10_thirty_hop_chain_stops_at_the_limit(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    """F10: a 30-hop chain is abandoned after 5 redirects."""
    for hop in range(30):
        feed_server.expect_request(f"/hop/{hop}").respond_with_data(
            "", status=301, headers={"Location": f"/hop/{hop + 1}"}
        )
    feed_server.expect_request("/hop/30").respond_with_data(RSS)

    error = fetch_error(local_fetcher, feed_server.url_for("/hop/0"))

    assert "more than 5 redirects" in str(error)
    assert [request.path for request, _ in feed_server.log] == [f"/hop/{i}" for i in range(6)]


def test_f10_exactly_max_redirects_is_followed(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    for hop in range(5):
        feed_server.expect_request(f"/hop/{hop}").respond_with_data(
            "", status=302, headers={"Location": f"/hop/{hop + 1}"}
        )
    feed_server.expect_request("/hop/5").respond_with_data(RSS)

    result = local_fetcher.fetch(feed_server.url_for("/hop/0"))

    assert result.body == RSS
    assert result.final_url == feed_server.url_for("/hop/5")


@pytest.mark.parametrize(
    ("statuses", "permanent"),
    [
        ([301], True),
        ([308], True),
        ([301, 308], True),
        ([302], False),
        ([307], False),
        ([303], False),
        ([301, 302], False),
        ([302, 301], False),
    ],
)
def test_f11_permanent_url_only_when_every_hop_is_permanent(
    feed_server: HTTPServer, local_fetcher: Fetcher, statuses: list[int], permanent: bool
) -> None:
    """F11: 301/308 all the way -> permanent_url; any 302/303/307 -> None (fastladder#575)."""
    for index, status in enumerate(statuses):
        feed_server.expect_request(f"/r{index}").respond_with_data(
            "", status=status, headers={"Location": f"/r{index + 1}"}
        )
    final = f"/r{len(statuses)}"
    feed_server.expect_request(final).respond_with_data(RSS)

    result = local_fetcher.fetch(feed_server.url_for("/r0"))

    assert result.url == feed_server.url_for("/r0")
    assert result.final_url == feed_server.url_for(final)
    assert result.permanent_url == (feed_server.url_for(final) if permanent else None)


def test_f11_no_redirect_means_no_permanent_url(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data(RSS)

    result = local_fetcher.fetch(feed_server.url_for("/feed"))

    assert result.permanent_url is None
    assert result.final_url == result.url


def test_redirect_without_location_is_a_status_error(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data("", status=301)

    with pytest.raises(HTTPStatusError) as caught:
        local_fetcher.fetch(feed_server.url_for("/feed"))

    assert caught.value.status == 301


# ---------------------------------------------------------------------------
# F12-F13: statuses
# ---------------------------------------------------------------------------


def test_f12_429_with_retry_after_seconds(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"}
    )

    with pytest.raises(HTTPStatusError) as caught:
        local_fetcher.fetch(feed_server.url_for("/feed"))

    assert (caught.value.status, caught.value.retry_after) == (429, 120.0)
    assert "retry after 120 s" in str(caught.value)


def test_f12_503_with_retry_after_date_is_measured_from_the_server_date(
    make_raw_server: MakeRaw, local_fetcher: Fetcher
) -> None:
    """F12: an HTTP-date counts from the response's Date header (no clock skew)."""
    server = make_raw_server(
        hs.respond(
            "503 Service Unavailable",
            [("Date", "Sat, 21 Nov 2026 12:00:00 GMT"), ("Retry-After", "Sat, 21 Nov 2026 12:02:30 GMT")],
        )
    )

    with pytest.raises(HTTPStatusError) as caught:
        local_fetcher.fetch(server.url("/feed"))

    assert (caught.value.status, caught.value.retry_after) == (503, 150.0)


def test_f12_retry_after_date_without_server_date_uses_the_injected_clock(
    make_raw_server: MakeRaw, local_policy: FetchPolicy
) -> None:
    server = make_raw_server(
        hs.respond("503 Service Unavailable", [("Retry-After", "Sat, 21 Nov 2026 13:00:00 GMT")])
    )
    clock = lambda: datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # noqa: E731

    with Fetcher(local_policy, clock=clock) as fetcher, pytest.raises(HTTPStatusError) as caught:
        fetcher.fetch(server.url("/feed"))

    assert caught.value.retry_after == 3600.0


@pytest.mark.parametrize(
    ("status", "hint"),
    [(404, "may have moved"), (410, "disable the source"), (500, "retry later"), (401, "refuses access")],
)
def test_f12_error_statuses(feed_server: HTTPServer, local_fetcher: Fetcher, status: int, hint: str) -> None:
    feed_server.expect_request("/feed").respond_with_data("<html>nope</html>", status=status)

    with pytest.raises(HTTPStatusError) as caught:
        local_fetcher.fetch(feed_server.url_for("/feed"))

    assert caught.value.status == status
    assert caught.value.retry_after is None
    assert f"HTTP {status}" in str(caught.value)
    assert hint in str(caught.value)
    assert feed_server.url_for("/feed") in str(caught.value)


def test_f12_503_without_retry_after(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data("", status=503)

    with pytest.raises(HTTPStatusError) as caught:
        local_fetcher.fetch(feed_server.url_for("/feed"))

    assert (caught.value.status, caught.value.retry_after) == (503, None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        ("  45 ", 45.0),
        ("Sat, 21 Nov 2026 12:00:10 GMT", 10.0),
        ("Sat, 21 Nov 2026 11:00:00 GMT", 0.0),  # in the past: no negative waits
        ("-5", None),
        ("soon", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert parse_retry_after(value, now=now) == expected


@pytest.mark.parametrize("status", [200, 204])
def test_f13_empty_body_comes_back_as_empty_bytes(
    feed_server: HTTPServer, local_fetcher: Fetcher, status: int
) -> None:
    """F13 is the parser's job; the fetcher just returns b"" (not None) for an empty 2xx."""
    feed_server.expect_request("/feed").respond_with_data(b"", status=status)

    result = local_fetcher.fetch(feed_server.url_for("/feed"))

    assert result.body == b""
    assert result.status == status


# ---------------------------------------------------------------------------
# F14: TLS fails closed
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def test_ca() -> trustme.CA:
    return trustme.CA()


def _tls_server(make_raw_server: MakeRaw, ca: trustme.CA, *names: str) -> RawServer:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(*names).configure_cert(context)
    return make_raw_server(
        hs.respond("200 OK", [("Content-Type", "application/rss+xml")], RSS), ssl_context=context
    )


def _trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def test_f14_self_signed_certificate_fails_closed(
    make_raw_server: MakeRaw, test_ca: trustme.CA, local_fetcher: Fetcher
) -> None:
    """F14: a certificate from an unknown CA -> TLS error; no body, no fallback."""
    server = _tls_server(make_raw_server, test_ca, "127.0.0.1")

    error = fetch_error(local_fetcher, server.url("/feed"))

    assert "TLS certificate could not be verified" in str(error)
    assert "certificate" in str(error)
    assert server.url("/feed") in str(error)


def test_f14_trusted_certificate_is_verified_against_the_host_name(
    make_raw_server: MakeRaw, test_ca: trustme.CA, local_policy: FetchPolicy
) -> None:
    """The guard connects to the resolved IP, but TLS still checks the URL's host name."""
    good = _tls_server(make_raw_server, test_ca, "feed.test")
    wrong = _tls_server(make_raw_server, test_ca, "other.test")
    resolver = lambda host, port: ["127.0.0.1"]  # noqa: E731

    with Fetcher(local_policy, resolver=resolver, ssl_context=_trusting(test_ca)) as fetcher:
        assert fetcher.fetch(good.url("/feed", host="feed.test")).body == RSS
        error = fetch_error(fetcher, wrong.url("/feed", host="feed.test"))

    assert "TLS certificate could not be verified" in str(error)
    assert "feed.test" in str(error)


def test_f14_contexts_that_skip_verification_are_refused(local_policy: FetchPolicy) -> None:
    lax = ssl.create_default_context()
    lax.check_hostname = False
    lax.verify_mode = ssl.CERT_NONE

    with pytest.raises(ConfigError, match="never|no option"):
        Fetcher(local_policy, ssl_context=lax)


# ---------------------------------------------------------------------------
# F16: polite client headers
# ---------------------------------------------------------------------------


def test_f16_request_headers(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data(RSS)

    local_fetcher.fetch(feed_server.url_for("/feed"))

    ((request, _),) = feed_server.log
    agent = request.headers["User-Agent"]
    assert agent.startswith("curator/")
    assert "+https://github.com/curator-news/curator" in agent
    assert request.headers["Accept"] == ACCEPT
    for feed_type in ("application/rss+xml", "application/atom+xml", "application/feed+json"):
        assert feed_type in request.headers["Accept"]
    encodings = {e.strip() for e in request.headers["Accept-Encoding"].split(",")}
    assert {"gzip", "deflate"} <= encodings
    try:
        import brotli  # noqa: F401
    except ImportError:
        assert "br" not in encodings
    else:
        assert "br" in encodings


def test_cookies_follow_a_redirect_chain_but_never_another_fetch(
    feed_server: HTTPServer, local_fetcher: Fetcher
) -> None:
    """A cookie-wall redirect works, and no cookie from one feed is sent to the next fetch."""
    feed_server.expect_request("/start").respond_with_data(
        "", status=302, headers={"Location": "/feed", "Set-Cookie": "consent=yes; Path=/"}
    )
    feed_server.expect_request("/feed").respond_with_data(RSS)

    local_fetcher.fetch(feed_server.url_for("/start"))
    local_fetcher.fetch(feed_server.url_for("/feed"))

    cookies = [request.headers.get("Cookie") for request, _ in feed_server.log]
    assert cookies == [None, "consent=yes", None]


def test_environment_proxies_are_ignored(
    feed_server: HTTPServer, canary_server: RawServer, local_fetcher: Fetcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy from the environment would make the proxy, not the feed, the checked address."""
    for name in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(name, canary_server.url())
    feed_server.expect_request("/feed").respond_with_data(RSS)

    assert local_fetcher.fetch(feed_server.url_for("/feed")).body == RSS
    assert canary_server.accepts == 0


# ---------------------------------------------------------------------------
# Policy
# ---------------------------------------------------------------------------


def test_default_policy_is_production_safe() -> None:
    policy = FetchPolicy()
    assert (policy.connect_timeout, policy.read_timeout, policy.total_timeout) == (5.0, 20.0, 30.0)
    assert policy.max_bytes == CAP
    assert policy.max_redirects == 5
    assert policy.allow_private is False
    assert policy.allowed_networks == ()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"allowed_networks": ("not-a-network",)},
        {"max_bytes": 0},
        {"total_timeout": -1.0},
        {"max_redirects": -1},
    ],
)
def test_bad_policy_values_are_config_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        FetchPolicy(**kwargs)  # type: ignore[arg-type]


def test_fetcher_is_reusable_across_many_fetches(feed_server: HTTPServer, local_fetcher: Fetcher) -> None:
    feed_server.expect_request("/feed").respond_with_data(RSS)

    bodies = [local_fetcher.fetch(feed_server.url_for("/feed")).body for _ in range(20)]

    assert bodies == [RSS] * 20
