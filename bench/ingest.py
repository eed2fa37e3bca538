"""Ingest throughput: parse + normalise + sanitise + store, against plain feedparser.parse.

Reads every real feed file under ../shared/feeds/real (or --feeds DIR), then in the same run:
  baseline  feedparser.parse(bytes) for each file (what a naive collector does)
  curator   parse_feed (feedparser + normalise + sanitise + language) and storing the items in a
            fresh SQLite database through the real storage layer (one transaction per feed)
and prints items per second for both and the ratio. Files are repeated --rounds times.

    .venv/bin/python bench/ingest.py [--feeds ../shared/feeds/real] [--rounds 5] [--database URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", default=str(REPO.parent / "shared" / "feeds" / "real"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--database", help="database URL (default: a fresh SQLite file)")
    args = ap.parse_args()

    import feedparser

    from curator.ingest.parse import parse_feed
    from curator.storage import Storage
    from curator.types import Source

    root = Path(args.feeds)
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in {".xml", ".rss", ".atom", ".json"}
                   and not p.name.endswith(".serde.json"))
    if not files:
        sys.exit(f"no feed files under {root}")
    bodies = [(p, p.read_bytes()) for p in files]
    now = datetime(2026, 11, 20, tzinfo=UTC)

    # baseline
    t0 = time.perf_counter()
    base_items = 0
    for _ in range(args.rounds):
        for _, body in bodies:
            base_items += len(feedparser.parse(body).entries)
    base_s = time.perf_counter() - t0

    # curator
    with tempfile.TemporaryDirectory() as tmp:
        store = Storage(args.database or f"sqlite:///{tmp}/bench.db")
        store.migrate()
        sources = []
        for n, (p, _) in enumerate(bodies):
            src = Source(id=f"bench-{n}", title=p.name, url=f"https://bench.example/{n}")
            sources.append(src)
        store.sync_sources(sources, now)
        t0 = time.perf_counter()
        our_items = errors = 0
        parse_s = 0.0
        for _ in range(args.rounds):
            for src, (p, body) in zip(sources, bodies, strict=True):
                tp = time.perf_counter()
                try:
                    feed = parse_feed(body, url=f"https://bench.example/{p.name}", now=now)
                except Exception:  # noqa: BLE001 - counted, the benchmark goes on
                    errors += 1
                    continue
                parse_s += time.perf_counter() - tp
                # round 0 inserts, later rounds hit the "unchanged" path like a real re-collect
                store.record_fetch_success(src.id, feed.items, etag=None, last_modified=None,
                                           feed_title=feed.title, unconditional=False, now=now)
                our_items += len(feed.items)
        our_s = time.perf_counter() - t0
        store.close()

    print(f"files: {len(files)} from {root}, rounds: {args.rounds}")
    print(f"baseline feedparser.parse        : {base_items:7d} items in {base_s:6.2f} s = {base_items / base_s:8.0f} items/s")
    print(f"curator parse+normalise+sanitise : {our_items:7d} items in {parse_s:6.2f} s = {our_items / parse_s:8.0f} items/s")
    print(f"curator ... + store (SQLite)     : {our_items:7d} items in {our_s:6.2f} s = {our_items / our_s:8.0f} items/s")
    print(f"ratio curator(full)/baseline     : {(our_items / our_s) / (base_items / base_s):.2f}x "
          f"(parse only: {(our_items / parse_s) / (base_items / base_s):.2f}x); parse errors: {errors}")


if __name__ == "__main__":
    main()
