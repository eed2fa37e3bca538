"""Every file under ../shared/feeds (real feeds and ~2,100 feedparser edge cases) goes through the
whole ingest pipeline from a local HTTP server: each ends as stored items or a readable error
recorded on its source, and the run completes for all of them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from curator.core import Curator, make_curator
from curator.demo.run import serve_directory
from curator.types import ItemQuery, Source
from tests.conftest import shared_dir

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json", ".dat", ".feed"}


def feed_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*")
                  if p.is_file() and p.suffix.lower() in FEED_SUFFIXES and not p.name.endswith(".serde.json"))


def test_every_shared_feed_is_stored_or_recorded_as_error(curator: Curator) -> None:
    root = shared_dir("feeds")
    files = feed_files(root)
    assert len(files) > 2000
    cur = make_curator(replace(curator.settings, collect_per_host=4), clock=curator.clock)
    try:
        with serve_directory(root) as base:
            sources = [Source(id=f"f-{n}", title=str(p.relative_to(root)),
                              url=f"{base}/{p.relative_to(root).as_posix()}") for n, p in enumerate(files)]
            cur.sources.sync(sources)
            results = {r.source_id: r for r in cur.sources.collect()}
        assert set(results) == {s.id for s in sources}, "a source was skipped"
        health = {h.source.id: h for h in cur.sources.health()}
        ok = [sid for sid, r in results.items() if r.error is None]
        failed = [sid for sid, r in results.items() if r.error is not None]
        for sid in failed:
            err = health[sid].last_error or ""
            assert err and "Traceback" not in err, f"{sid}: unreadable error {err!r}"
            assert health[sid].error_count == 1
        for sid in ok:
            assert health[sid].last_success is not None and health[sid].error_count == 0
            assert health[sid].item_count == results[sid].new
        # the real-world feeds must all parse
        real = [s.id for s in sources if s.title.startswith("real/") and s.title.endswith((".xml", ".rss", ".atom"))]
        broken_real = [health[sid].source.title + ": " + (health[sid].last_error or "")
                       for sid in real if results[sid].error]
        assert len(broken_real) <= len(real) * 0.05, broken_real
        stored = cur.items.list(ItemQuery(limit=1_000_000))
        assert len(stored) > 2000
        for item in stored:
            low = item.content_html.lower()
            assert "<script" not in low and "javascript:" not in low and " onerror=" not in low
        print(f"\nshared feeds: {len(files)} files, {len(ok)} stored, {len(failed)} recorded errors, "
              f"{len(stored)} items")
    finally:
        cur.close()
