"""Topic trends on the evaluation pool: how many topics, their labels, run time, and whether a
planted rise is found while date noise is not called a trend.

Usage:
    .venv/bin/python bench/trends.py [--pool FILE.jsonl] [--vectors CACHE.npy] [--keyword Microsoft]
                                     [--shuffles 20] [--show 15]

The pool (../shared/eval/pool.jsonl, read only, never copied) has no dates: each article gets a
random date in the last 60 days (seeded), so every topic is flat by construction. Then:
- "flat": ``--shuffles`` random datings; any topic flagged rising or falling is a false trend;
- "planted": the articles whose title or text match ``--keyword`` (AI by default) are all moved into the
  current 30 days (the others stay random): the topics holding them must be reported rising.
Vectors are the stored document vectors curator uses (default encoder, multilingual-e5-small),
centred per language; ``--vectors`` keeps them in a file between runs (encoding the pool takes
minutes on two shared cores). Prints figures; no assertions.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curator.search import centre_by_language  # noqa: E402
from curator.tagging import DEFAULT_ENCODER, TagInput, make_tagger  # noqa: E402
from curator.trends import find_topics  # noqa: E402
from curator.types import Item  # noqa: E402

NOW = datetime(2026, 11, 30, tzinfo=UTC)
PERIOD = timedelta(days=30)


def load(pool: Path, cache: Path | None) -> tuple[list[dict[str, str]], np.ndarray, float]:
    rows = [json.loads(line) for line in pool.open(encoding="utf-8")]
    if cache and cache.exists():
        return rows, np.load(cache), 0.0
    started = time.perf_counter()
    vectors = make_tagger(DEFAULT_ENCODER).embed([TagInput(id=r["id"], title=r["title"], text=r["text"],
                                                           lang=r.get("lang")) for r in rows])
    took = time.perf_counter() - started
    if cache:
        np.save(cache, vectors)
    return rows, vectors, took


def dated_items(rows: list[dict[str, str]], rng: random.Random, planted: set[int]) -> list[Item]:
    items = []
    for n, r in enumerate(rows):
        back = PERIOD * rng.random() if n in planted else 2 * PERIOD * rng.random()
        at = NOW - back - timedelta(seconds=1)
        items.append(Item(id=n, source_id=r["source"], key=r["id"], kind="article", title=r["title"], url=None,
                          canonical_url=None, summary="", content_html="", text=r["text"], author=None, published=at,
                          first_seen=at, updated_at=at, lang=r["lang"], content_hash=r["id"], visibility="public"))
    items.sort(key=lambda i: i.published)
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    shared = Path(os.environ.get("CURATOR_SHARED_DIR", REPO.parent / "shared"))
    parser.add_argument("--pool", type=Path, default=shared / "eval" / "pool.jsonl")
    parser.add_argument("--vectors", type=Path)
    parser.add_argument("--keyword", default=r"artificial intelligence|künstliche intelligenz|\bKI\b|\bAI\b",
                        help="regular expression (case-insensitive) choosing the articles to move")
    parser.add_argument("--shuffles", type=int, default=20)
    parser.add_argument("--show", type=int, default=15)
    args = parser.parse_args()
    rows, raw, encode_seconds = load(args.pool, args.vectors)
    print(f"pool: {args.pool} ({len(rows)} articles); encoding: "
          + (f"{encode_seconds:.0f} s" if encode_seconds else f"cached in {args.vectors}"))

    def run(items: list[Item]) -> tuple[list, float]:
        order = [int(i.id) for i in items]
        vectors = centre_by_language(raw[order], [i.lang for i in items])
        started = time.perf_counter()
        topics = find_topics(items, vectors, current_from=NOW - PERIOD, until=NOW)
        return topics, time.perf_counter() - started

    false_trends, runs, times, counts, covered = 0, 0, [], [], []
    for seed in range(args.shuffles):
        topics, took = run(dated_items(rows, random.Random(seed), set()))
        runs += 1
        times.append(took)
        counts.append(len(topics))
        covered.append(sum(t.items + t.previous for t in topics))
        false_trends += sum(t.rising or t.falling for t in topics)
        if seed == 0:
            first = topics
    print(f"flat ({runs} random datings): {np.mean(counts):.0f} topics covering {np.mean(covered):.0f} of "
          f"{len(rows)} articles; topics flagged rising or falling: {false_trends} in all runs; "
          f"find_topics {np.median(times):.1f} s (median)")
    print(f"\nthe {args.show} largest topics of the first dating (EN label | DE label | items by language):")
    for t in sorted(first, key=lambda t: -(t.items + t.previous))[:args.show]:
        print(f"  {t.items + t.previous:3d}  {t.label_en}  |  {t.label_de}  |  {t.langs}")

    pattern = re.compile(args.keyword, re.IGNORECASE)
    planted = {n for n, r in enumerate(rows) if pattern.search(r["title"] + " " + r["text"])}
    topics, took = run(dated_items(rows, random.Random(1000), planted))
    holding = [t for t in topics if any(pattern.fullmatch(w) for ws in t.words.values() for w in ws[:3])]
    print(f"\nplanted: {len(planted)} articles matching {args.keyword!r} all in the current 30 days")
    for t in topics:
        if t.rising or t.falling or any(t is h for h in holding):
            mark = "RISING" if t.rising else "falling" if t.falling else "-"
            print(f"  {mark:7s} {t.items:3d} now / {t.previous:3d} before  change {t.change * 100:+5.0f} %  "
                  f"p={t.p_value:.1e}  {t.label_en}  |  {t.label_de}")
    print(f"topics with {args.keyword!r} among their words: {len(holding)}, rising: "
          f"{sum(t.rising for t in holding)}; other topics rising: {sum(t.rising for t in topics) - sum(t.rising for t in holding)}; "
          f"find_topics {took:.1f} s")


if __name__ == "__main__":
    main()
