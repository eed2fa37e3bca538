"""The collect pipeline end to end: real HTTP server on loopback, real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from curator.clock import FixedClock
from curator.core import Curator
from curator.types import ItemQuery, Source


def rss(items: list[tuple[str, str, str]], title: str = "Test feed") -> bytes:
    """items: (guid, title, description)."""
    entries = "".join(
        f"<item><guid>{g}</guid><title>{t}</title><link>https://news.example/{g}?utm_source=x#top</link>"
        f"<description>{d}</description><pubDate>Mon, 16 Nov 2026 08:00:00 +0100</pubDate></item>"
        for g, t, d in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://news.example/</link>{entries}</channel></rss>").encode()


ITEMS = [
    ("a1", "Cloud adoption grows among SMEs", "Small and mid-sized firms move core processes to the cloud."),
    ("a2", "Neue Regeln für Datenschutz", "Die Aufsichtsbehörden veröffentlichen Leitlinien zur DSGVO für Unternehmen."),
]


def source(sid: str, url: str, **kw: object) -> Source:
    return Source(id=sid, title=sid.title(), url=url, **kw)  # type: ignore[arg-type]


def test_collect_stores_items_and_recollect_never_duplicates(curator: Curator, httpserver: HTTPServer,
                                                             clock: FixedClock) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    curator.sources.sync([source("news", httpserver.url_for("/feed"))])
    [res] = list(curator.sources.collect())
    assert (res.error, res.new) == (None, 2)
    items = curator.items.list(ItemQuery())
    assert {i.title for i in items} == {t for _, t, _ in ITEMS}
    cloud = next(i for i in items if i.key.endswith("a1") or "Cloud" in i.title)
    assert cloud.canonical_url == "https://news.example/a1"  # tracking and fragment stripped
    assert cloud.published.tzinfo is not None
    assert {i.lang for i in items} == {"en", "de"}

    # the feed changes one item and drops the other: update in place, keep the vanished one
    httpserver.clear()
    httpserver.expect_request("/feed").respond_with_data(
        rss([("a1", "Cloud adoption grows fast among SMEs", "Updated: most firms now use cloud.")]),
        content_type="application/rss+xml")
    clock.advance(hours=2)
    [res] = list(curator.sources.collect())
    assert (res.new, res.updated) == (0, 1)
    items = curator.items.list(ItemQuery())
    assert len(items) == 2
    assert any(i.title == "Cloud adoption grows fast among SMEs" for i in items)


def test_poll_interval_and_force(curator: Curator, httpserver: HTTPServer, clock: FixedClock) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    curator.sources.sync([source("news", httpserver.url_for("/feed"), poll_minutes=60)])
    assert len(list(curator.sources.collect())) == 1
    assert list(curator.sources.collect()) == []  # not due yet
    assert len(list(curator.sources.collect(force=True))) == 1
    clock.advance(minutes=61)
    assert len(list(curator.sources.collect())) == 1


def test_conditional_get_uses_stored_validators(curator: Curator, httpserver: HTTPServer,
                                                 clock: FixedClock) -> None:
    seen: list[dict[str, str | None]] = []

    def handler(request: Request) -> Response:
        seen.append({"inm": request.headers.get("If-None-Match"), "ims": request.headers.get("If-Modified-Since")})
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(rss(ITEMS), content_type="application/rss+xml",
                        headers={"ETag": '"v1"', "Last-Modified": "Mon, 16 Nov 2026 08:00:00 GMT"})

    httpserver.expect_request("/feed").respond_with_handler(handler)
    curator.sources.sync([source("news", httpserver.url_for("/feed"))])
    list(curator.sources.collect())
    clock.advance(hours=2)
    [res] = list(curator.sources.collect())
    assert res.not_modified and res.error is None
    assert seen[1] == {"inm": '"v1"', "ims": "Mon, 16 Nov 2026 08:00:00 GMT"}
    # after a week the fetch is unconditional again, so a server stuck on 304 cannot hide news
    clock.advance(days=8)
    list(curator.sources.collect())
    assert seen[2] == {"inm": None, "ims": None}


def test_one_bad_source_is_recorded_and_others_complete(curator: Curator, httpserver: HTTPServer,
                                                        clock: FixedClock) -> None:
    httpserver.expect_request("/good").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    httpserver.expect_request("/html").respond_with_data("<html><body>Login</body></html>", content_type="text/html")
    httpserver.expect_request("/down").respond_with_data("oops", status=500)
    curator.sources.sync([source("good", httpserver.url_for("/good")), source("html", httpserver.url_for("/html")),
                          source("down", httpserver.url_for("/down"))])
    results = {r.source_id: r for r in curator.sources.collect()}
    assert results["good"].new == 2 and results["good"].error is None
    assert results["html"].error and "feed" in results["html"].error.lower()
    assert results["down"].error and "500" in results["down"].error
    health = {h.source.id: h for h in curator.sources.health()}
    assert health["down"].error_count == 1 and health["down"].last_error and not health["down"].broken
    assert health["down"].next_attempt == clock.now() + timedelta(minutes=15)
    assert health["good"].item_count == 2 and health["good"].last_success == clock.now()
    # back-off: not retried before next_attempt, then marked broken after three failures in a row
    clock.advance(minutes=5)
    assert "down" not in {r.source_id for r in curator.sources.collect()}
    for _ in range(2):
        clock.advance(days=2)
        list(curator.sources.collect(["down"]))
    assert {h.source.id: h for h in curator.sources.health()}["down"].broken


def test_gone_disables_source_and_retry_after_is_honoured(curator: Curator, httpserver: HTTPServer,
                                                          clock: FixedClock) -> None:
    httpserver.expect_request("/gone").respond_with_data("", status=410)
    httpserver.expect_request("/busy").respond_with_data("", status=429, headers={"Retry-After": "7200"})
    curator.sources.sync([source("gone", httpserver.url_for("/gone")), source("busy", httpserver.url_for("/busy"))])
    list(curator.sources.collect())
    health = {h.source.id: h for h in curator.sources.health()}
    assert not health["gone"].source.enabled and "gone" in (health["gone"].last_error or "")
    assert health["busy"].next_attempt == clock.now() + timedelta(seconds=7200)


def test_removed_from_feeds_file_disables_but_keeps_items(curator: Curator, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    curator.sources.sync([source("news", httpserver.url_for("/feed"))])
    list(curator.sources.collect())
    assert curator.sources.sync([], allow_empty=True) == (0, 0, 1)  # retiring every source is said out loud
    assert len(curator.items.list(ItemQuery(source_id="news"))) == 2
    assert list(curator.sources.collect()) == []


def test_unknown_source_id_is_a_clear_error(curator: Curator) -> None:
    from curator.errors import NotFound

    with pytest.raises(NotFound, match="unknown source id"):
        list(curator.sources.collect(["nope"]))


def test_private_addresses_refused_unless_allowed(curator: Curator, httpserver: HTTPServer) -> None:
    from dataclasses import replace

    from curator.core import make_curator

    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    strict = make_curator(replace(curator.settings, fetch_allowed_networks=()), clock=curator.clock)
    try:
        strict.sources.sync([source("news", httpserver.url_for("/feed"))])
        [res] = list(strict.sources.collect())
        assert res.error and "not allowed" in res.error
        assert len(httpserver.log) == 0
    finally:
        strict.close()


def test_permanent_redirect_is_followed_next_time_and_shown(curator: Curator, httpserver: HTTPServer,
                                                            clock: FixedClock) -> None:
    """RELIABILITY F11: after a 301 the new address is used; a 302 never changes it."""
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/temp").respond_with_data("", status=302, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    curator.sources.sync([source("moved", httpserver.url_for("/old")), source("temp", httpserver.url_for("/temp"))])
    list(curator.sources.collect())
    health = {h.source.id: h for h in curator.sources.health()}
    assert health["moved"].moved_to == httpserver.url_for("/new")
    assert health["temp"].moved_to is None
    clock.advance(hours=2)
    httpserver.clear_log()
    list(curator.sources.collect(["moved"]))
    assert [r.path for r, _ in httpserver.log] == ["/new"]


def test_changing_a_source_visibility_applies_to_stored_items(curator: Curator, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    curator.sources.sync([source("news", httpserver.url_for("/feed"))])
    list(curator.sources.collect())
    curator.sources.sync([source("news", httpserver.url_for("/feed"), visibility="club:it-executive")])
    assert {i.visibility for i in curator.items.list(ItemQuery())} == {"club:it-executive"}
