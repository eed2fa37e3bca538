"""Unit tests for curator.ingest.normalise (URLs, keys, hashes, dates, text)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator.ingest.normalise import (
    canonical_url,
    clamp_date,
    clean_text,
    collapse_whitespace,
    content_hash,
    item_key,
    url_identity,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
FIRST_SEEN = datetime(2026, 11, 21, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://Example.COM/a/b?x=1#frag", None, "https://example.com/a/b?x=1"),
        ("http://example.com:80/a", None, "http://example.com/a"),
        ("https://example.com:443", None, "https://example.com/"),
        ("https://example.com:8443/a", None, "https://example.com:8443/a"),
        ("https://example.com/a?utm_source=x&utm_medium=rss&id=5", None, "https://example.com/a?id=5"),
        ("https://example.com/a?fbclid=abc", None, "https://example.com/a"),
        ("https://example.com/a?gclid=1&mc_cid=2&mc_eid=3&q=ok", None, "https://example.com/a?q=ok"),
        ("https://example.com/a?b=2&a=1", None, "https://example.com/a?b=2&a=1"),  # order kept
        ("/x", "https://blog.example.com/feed/", "https://blog.example.com/x"),
        ("x", "https://blog.example.com/feed/", "https://blog.example.com/feed/x"),
        ("//cdn.example.com/x", "http://example.com/", "http://cdn.example.com/x"),
        ("//cdn.example.com/x", None, "https://cdn.example.com/x"),
        ("https://www.example.com/a", None, "https://www.example.com/a"),  # www. kept (still usable)
        ("https://user:pw@example.com/a", None, "https://example.com/a"),
        ("https://example.com/a b", None, "https://example.com/a%20b"),
        ("  https://example.com/a\n", None, "https://example.com/a"),
        ("https://bücher.example/a", None, "https://xn--bcher-kva.example/a"),
        ("javascript:alert(1)", None, None),
        ("java\nscript:alert(1)", "https://example.com/", None),
        ("data:text/html,<script>", None, None),
        ("mailto:a@example.com", None, None),
        ("relative/only", None, None),
        ("", None, None),
        (None, None, None),
        ("http://[::1", None, None),
    ],
)
def test_canonical_url(url: str | None, base: str | None, expected: str | None) -> None:
    assert canonical_url(url, base) == expected


@pytest.mark.parametrize(
    "variant",
    [
        "http://example.com/post/1",
        "https://example.com/post/1",
        "https://www.example.com/post/1",
        "http://WWW.Example.com:80/post/1#comments",
        "https://example.com/post/1?utm_source=feed",
    ],
)
def test_url_identity_ignores_scheme_www_and_tracking(variant: str) -> None:
    assert url_identity(variant) == "example.com/post/1"


def test_url_identity_keeps_path_query_and_port_differences() -> None:
    assert url_identity("https://example.com/post/1") != url_identity("https://example.com/post/2")
    assert url_identity("https://example.com/p?id=1") != url_identity("https://example.com/p?id=2")
    assert url_identity("https://example.com:8080/p") != url_identity("https://example.com/p")
    assert url_identity("ftp://example.com/p") is None


def test_item_key_prefers_guid_then_link_then_hash() -> None:
    date = datetime(2026, 1, 1, tzinfo=UTC)
    assert item_key("abc-123", "https://example.com/a", "T", date) == "guid:abc-123"
    assert item_key(None, "https://example.com/a", "T", date) == "url:example.com/a"
    assert item_key("  ", "https://example.com/a", "T", date) == "url:example.com/a"
    hashed = item_key(None, None, "Title", date)
    assert hashed.startswith("hash:") and len(hashed) == 5 + 64


def test_item_key_guid_drift_http_https_www_keeps_identity() -> None:
    """D04: a GUID that moves from http to https or gains www. is the same entry."""
    keys = {
        item_key("http://example.com/2026/post", None, "T", None),
        item_key("https://example.com/2026/post", None, "T", None),
        item_key("https://www.example.com/2026/post", None, "T", None),
        item_key(None, "https://www.example.com/2026/post", "T", None),
    }
    assert keys == {"url:example.com/2026/post"}


def test_item_key_keeps_anchor_fragments_but_not_tracking_fragments() -> None:
    first = item_key("http://example.com/2002/09/29#When:12:59:01PM", None, "", None)
    second = item_key("http://example.com/2002/09/29#When:6:52:02PM", None, "", None)
    assert first != second
    assert item_key(None, "https://example.com/a#xtor=RSS-1", "", None) == "url:example.com/a"


def test_item_key_hash_is_stable_and_ignores_case_and_whitespace() -> None:
    """D03: no GUID, no link: same title and date on every refetch give the same key."""
    date = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    key = item_key(None, None, "  Hello   World ", date)
    assert key == item_key(None, None, "hello world", date.astimezone(UTC))
    assert key != item_key(None, None, "hello world", None)
    assert key != item_key(None, None, "hello mars", date)


def test_item_key_titleless_entries_use_the_text() -> None:
    assert item_key(None, None, "", None, text="one") != item_key(None, None, "", None, text="two")
    # with a title the text does not matter (an edited body is an update, not a new entry)
    assert item_key(None, None, "T", None, text="one") == item_key(None, None, "T", None, text="two")


def test_item_key_long_values_are_hashed() -> None:
    key = item_key("x" * 5000, None, "", None)
    assert key.startswith("guid#") and len(key) < 100


def test_content_hash_normalises_whitespace_and_nfc() -> None:
    base = content_hash("Café", "Hello world")
    assert base == content_hash(" Cafe\u0301 ", "Hello\n\n  world ")
    assert base != content_hash("Café", "Hello world!")
    assert base != content_hash("Café Hello", "world")
    assert len(base) == 64 and int(base, 16) >= 0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("a\x00b", "ab"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("win\r\nmac\rend", "win\nmac\nend"),
        ("bell\x07 esc\x1b del\x7f c1\x85", "bell esc del c1"),
        ("lone \ud800 surrogate \udfff", "lone  surrogate "),
        ("evil \u202egnp.exe", "evil gnp.exe"),
        ("isolate \u2066x\u2069", "isolate x"),
        ("Cafe\u0301", "Café"),
        ("", ""),
    ],
)
def test_clean_text(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@given(st.text())
def test_clean_text_output_is_storable(raw: str) -> None:
    cleaned = clean_text(raw)
    cleaned.encode("utf-8")  # no lone surrogates
    assert "\x00" not in cleaned
    assert clean_text(cleaned) == cleaned


def test_collapse_whitespace() -> None:
    assert collapse_whitespace("  a \n\t b\u00a0 c ") == "a b c"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, FIRST_SEEN),
        ("Invalid Date", FIRST_SEEN),
        (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)),
        (NOW + timedelta(hours=23), NOW + timedelta(hours=23)),  # within tolerance: kept
        (NOW + timedelta(days=2), NOW),
        (datetime(2041, 1, 1, tzinfo=UTC), NOW),
        (datetime(2026, 11, 21, 10, 0), datetime(2026, 11, 21, 10, 0, tzinfo=UTC)),  # naive = UTC
        (
            datetime(2026, 11, 21, 10, 0, tzinfo=timezone(timedelta(hours=2))),
            datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
        ),
    ],
)
def test_clamp_date(value: datetime | str | None, expected: datetime) -> None:
    result = clamp_date(value, NOW, FIRST_SEEN)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
