"""Faults during collection: a hanging server and a gzip bomb among good feeds, a crash in the
middle of storing, two collectors at once, a source deleted while it is collected."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from curator.clock import FixedClock
from curator.core import Curator, make_curator
from curator.errors import StorageError
from curator.storage import Storage
from curator.types import ItemQuery, Source
from tests.core.test_collect import ITEMS, rss
from tests.ingest.hostile_servers import RawServer, gzip_bomb, hang_after_accept, slices, stream_body


def test_hanging_server_and_gzip_bomb_do_not_stall_the_run(curator: Curator, httpserver: HTTPServer) -> None:
    """RELIABILITY F15: the run ends within the configured limits; every good feed is stored."""
    cur = make_curator(replace(curator.settings, fetch_total_timeout=2.0, fetch_read_timeout=1.0,
                               fetch_max_bytes=2 * 1024 * 1024), clock=curator.clock)
    bomb = gzip_bomb(64)
    with RawServer(hang_after_accept) as hang, RawServer(
            stream_body(slices(bomb), headers=[("Content-Type", "application/rss+xml"),
                                               ("Content-Encoding", "gzip")])) as bomber:
        good = []
        for n in range(6):
            httpserver.expect_request(f"/good{n}").respond_with_data(
                rss([(f"g{n}-{i}", f"Story {n}.{i} about cloud platforms", "Text about software.") for i in range(3)]),
                content_type="application/rss+xml")
            good.append(Source(id=f"good-{n}", title=f"Good {n}", url=httpserver.url_for(f"/good{n}")))
        cur.sources.sync([*good, Source(id="hang", title="Hang", url=hang.url("/feed")),
                          Source(id="bomb", title="Bomb", url=bomber.url("/feed"))])
        results = {r.source_id: r for r in cur.sources.collect()}
    try:
        assert results["hang"].error and "timed out" in results["hang"].error
        assert results["bomb"].error and "larger than" in results["bomb"].error
        assert all(results[s.id].new == 3 for s in good)
        assert len(cur.items.list(ItemQuery(limit=100))) == 18
    finally:
        cur.close()


def test_crash_while_storing_keeps_neither_items_nor_validators(curator: Curator, httpserver: HTTPServer,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 clock: FixedClock) -> None:
    """RELIABILITY F04/D10: items and validators are one transaction; after a crash the next
    fetch is unconditional and stores everything."""
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml",
                                                         headers={"ETag": '"v1"'})
    curator.sources.sync([Source(id="news", title="News", url=httpserver.url_for("/feed"))])
    real = Storage._upsert_items
    calls = {"n": 0}

    def crash_after_first_item(self, conn, source, parsed, now, kind=None):  # type: ignore[no-untyped-def]
        real(self, conn, source, parsed[:1], now, kind)  # one row written inside the transaction...
        calls["n"] += 1
        raise StorageError("simulated crash between the item writes")

    monkeypatch.setattr(Storage, "_upsert_items", crash_after_first_item)
    [res] = list(curator.sources.collect())
    assert res.error and "could not store" in res.error
    assert curator.items.list(ItemQuery()) == []  # ...and rolled back with it
    state = curator.storage.source_states()[0]
    assert state.etag is None
    monkeypatch.setattr(Storage, "_upsert_items", real)
    clock.advance(days=1)
    [res] = list(curator.sources.collect())
    assert res.new == 2 and httpserver.log[-1][0].headers.get("If-None-Match") is None


def test_two_collectors_on_one_source_keep_one_row_per_entry(curator: Curator, httpserver: HTTPServer) -> None:
    """RELIABILITY D08: concurrent refreshes; the unique key keeps exactly one row per entry."""
    httpserver.expect_request("/feed").respond_with_data(
        rss([(f"id{i}", f"Story {i}", "Body text for the story.") for i in range(40)]),
        content_type="application/rss+xml")
    curator.sources.sync([Source(id="news", title="News", url=httpserver.url_for("/feed"))])
    other = make_curator(curator.settings, clock=curator.clock)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run(cur: Curator) -> None:
        barrier.wait()
        results.extend(cur.sources.collect(force=True))

    threads = [threading.Thread(target=run, args=(c,)) for c in (curator, other)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    other.close()
    assert all(r.error is None for r in results), results
    assert sum(r.new for r in results) == 40
    assert len(curator.items.list(ItemQuery(limit=1000))) == 40


def test_source_deleted_during_collection_stops_cleanly(curator: Curator, httpserver: HTTPServer) -> None:
    """RELIABILITY D09: no orphan rows, a readable result."""
    release = threading.Event()
    started = threading.Event()

    def slow(request):  # type: ignore[no-untyped-def]
        from werkzeug import Response

        started.set()
        release.wait(10)
        return Response(rss(ITEMS), content_type="application/rss+xml")

    httpserver.expect_request("/feed").respond_with_handler(slow)
    curator.sources.sync([Source(id="news", title="News", url=httpserver.url_for("/feed"))])
    out: list[object] = []
    th = threading.Thread(target=lambda: out.extend(curator.sources.collect()))
    th.start()
    assert started.wait(10)
    curator.storage.delete_source("news")
    release.set()
    th.join()
    [res] = out
    assert "removed" in (res.error or "")
    assert curator.items.list(ItemQuery()) == []
