"""Unit tests for curator.ingest.pipeline: the decisions of collecting one source."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from curator.errors import FetchError, HTTPStatusError, ParseError
from curator.ingest.pipeline import collect_one, failure_of, group_by_host, is_due, plan_request
from curator.types import FetchResult

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
URL = "https://news.example/feed"
RSS = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test feed</title>'
       "<link>https://news.example/</link>"
       "<item><guid>a1</guid><title>Cloud adoption grows among SMEs</title>"
       "<link>https://news.example/a1?utm_source=x</link>"
       "<description>Small and mid-sized firms move core processes to the cloud.</description></item>"
       "<item><guid>a2</guid><title>Neue Regeln</title><link>https://news.example/a2</link>"
       "<description>Die Aufsichtsbehörden veröffentlichen Leitlinien zur DSGVO.</description></item>"
       "</channel></rss>").encode()


def _result(**kw: object) -> FetchResult:
    values: dict[str, object] = dict(url=URL, final_url=URL, status=200, body=RSS, content_type="application/rss+xml",
                                     etag='"v2"', last_modified="Sat, 21 Nov 2026 10:00:00 GMT")
    values.update(kw)
    return FetchResult(**values)  # type: ignore[arg-type]


def _collect(result: FetchResult, max_items: int = 100) -> object:
    return collect_one(result, stored_etag='"v1"', stored_last_modified="Fri, 20 Nov 2026 10:00:00 GMT",
                       lang_hint="en", now=NOW, max_items=max_items)


# ------------------------------------------------------------------ when and how to fetch

@pytest.mark.parametrize(
    ("last_attempt", "next_attempt", "due"),
    [
        (None, None, True),
        (NOW - timedelta(minutes=59), None, False),
        (NOW - timedelta(minutes=60), None, True),
        (NOW - timedelta(days=3), NOW + timedelta(minutes=1), False),  # backing off beats the poll interval
        (NOW - timedelta(minutes=1), NOW, True),
    ],
)
def test_is_due(last_attempt: datetime | None, next_attempt: datetime | None, due: bool) -> None:
    assert is_due(now=NOW, last_attempt=last_attempt, next_attempt=next_attempt, poll_minutes=60) is due


@dataclass(frozen=True)
class _Src:
    name: str
    url: str


def test_group_by_host_keeps_a_host_to_its_share_of_groups() -> None:
    srcs = [_Src("a1", "https://a.example/1"), _Src("b1", "https://b.example/1"), _Src("a2", "https://A.example/2"),
            _Src("a3", "https://a.example/3"), _Src("x", "not a url")]
    one = group_by_host(srcs, lambda s: s.url, 1)
    assert [[s.name for s in g] for g in one] == [["a1", "a2", "a3"], ["b1"], ["x"]]
    two = group_by_host(srcs, lambda s: s.url, 2)
    assert [[s.name for s in g] for g in two] == [["a1", "a3"], ["b1"], ["a2"], ["x"]]
    assert group_by_host(srcs, lambda s: s.url, 0) == one  # at least one group per host
    assert group_by_host([], lambda s: s.url, 2) == []


def test_plan_request_is_conditional_except_periodically() -> None:
    every = timedelta(days=7)
    conditional = plan_request(etag='"v1"', last_modified="lm", last_unconditional=NOW - timedelta(days=6),
                               now=NOW, unconditional_every=every)
    assert (conditional.etag, conditional.last_modified, conditional.unconditional) == ('"v1"', "lm", False)
    for last in (None, NOW - every):
        plain = plan_request(etag='"v1"', last_modified="lm", last_unconditional=last, now=NOW,
                             unconditional_every=every)
        assert (plain.etag, plain.last_modified, plain.unconditional) == (None, None, True)


# ------------------------------------------------------------------ what came back

def test_a_feed_body_becomes_items_and_validators() -> None:
    got = collect_one(_result(permanent_url="https://news.example/new-feed"), stored_etag=None,
                      stored_last_modified=None, lang_hint="en", now=NOW, max_items=100)
    assert not got.not_modified and got.feed_title == "Test feed"
    assert [i.title for i in got.items] == ["Cloud adoption grows among SMEs", "Neue Regeln"]
    assert got.items[0].canonical_url == "https://news.example/a1"
    assert (got.etag, got.last_modified) == ('"v2"', "Sat, 21 Nov 2026 10:00:00 GMT")
    assert got.moved_to == "https://news.example/new-feed"
    assert got.warnings == () and got.warning is None


def test_expires_zero_keeps_no_validators_and_warnings_are_joined() -> None:
    got = collect_one(_result(expires_zero=True), stored_etag='"v1"', stored_last_modified="lm",
                      lang_hint="en", now=NOW, max_items=1)
    assert (got.etag, got.last_modified) == (None, None)
    assert len(got.items) == 1 and got.warnings and got.warning == "; ".join(got.warnings)


def test_not_modified_keeps_stored_validators_unless_new_ones_came() -> None:
    kept = collect_one(_result(status=304, body=None, not_modified=True, etag=None, last_modified=None),
                       stored_etag='"v1"', stored_last_modified="lm", lang_hint=None, now=NOW, max_items=10)
    assert (kept.not_modified, kept.items, kept.etag, kept.last_modified) == (True, (), '"v1"', "lm")
    renewed = collect_one(_result(status=304, body=None, not_modified=True), stored_etag='"v1"',
                          stored_last_modified="lm", lang_hint=None, now=NOW, max_items=10)
    assert (renewed.etag, renewed.last_modified) == ('"v2"', "Sat, 21 Nov 2026 10:00:00 GMT")


def test_a_body_that_is_no_feed_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        collect_one(_result(body=b"\x00\x01 definitely not a feed", content_type="application/octet-stream"),
                    stored_etag=None, stored_last_modified=None, lang_hint=None, now=NOW, max_items=10)
    with pytest.raises(ParseError, match="no body"):
        collect_one(_result(body=None), stored_etag=None, stored_last_modified=None, lang_hint=None, now=NOW,
                    max_items=10)


# ------------------------------------------------------------------ failures

def test_failures_back_off_and_gone_disables() -> None:
    first = failure_of(FetchError("timed out"), now=NOW, error_count=1, base_minutes=15, max_minutes=24 * 60)
    assert (first.message, first.next_attempt, first.disable) == ("timed out", NOW + timedelta(minutes=15), False)
    third = failure_of(ParseError("not a feed"), now=NOW, error_count=3, base_minutes=15, max_minutes=24 * 60)
    assert third.next_attempt == NOW + timedelta(minutes=60)
    capped = failure_of(FetchError("x"), now=NOW, error_count=30, base_minutes=15, max_minutes=24 * 60)
    assert capped.next_attempt == NOW + timedelta(days=1)
    busy = failure_of(HTTPStatusError("HTTP 503", 503, retry_after=7200), now=NOW, error_count=1,
                      base_minutes=15, max_minutes=24 * 60)
    assert busy.next_attempt == NOW + timedelta(hours=2) and not busy.disable
    gone = failure_of(HTTPStatusError("HTTP 410 Gone", 410), now=NOW, error_count=1, base_minutes=15,
                      max_minutes=24 * 60)
    assert gone.disable and gone.message.startswith("HTTP 410 Gone (the source has been disabled")
