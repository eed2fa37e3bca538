"""Benchmark: what editor rules cost.

    .venv/bin/python bench/rules.py                      # 10,000 members x 5,000 items
    .venv/bin/python bench/rules.py --members 2000 --items 1000

1. The batched ranking (``rank``) of the whole member base with no rules, and with three rules
   (one block of 50 items, two boosts of 200 items) that members hold in four different sets,
   as segments make them. Best of ``--repeat`` runs each.
2. Matching three rules (two keyword rules in both languages, one source rule) against real
   articles: ``../shared/eval/pool.jsonl`` repeated to ``--items`` items, what a worker does once
   per stored pool. Skipped when the file is absent.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curator.ranking.rules import check_rule, matched_items  # noqa: E402
from curator.ranking.stages import MemberBatch, make_pool, rank  # noqa: E402
from curator.types import AREA_IDS, EditorRule, Item  # noqa: E402

POOL = Path(__file__).resolve().parents[2] / "shared" / "eval" / "pool.jsonl"


def best_of(repeat: int, run: object) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def ranking(members: int, items: int, repeat: int) -> None:
    rng = np.random.default_rng(1)
    dim = 384

    def unit(k: int) -> np.ndarray:
        x = rng.normal(size=(k, dim)).astype(np.float32)
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    areas = (rng.random((items, len(AREA_IDS))) > 0.7).astype(np.float32)
    pool = make_pool(np.arange(1, items + 1), unit(items), areas, rng.random(items), rng.random(items),
                     visibility=["public"] * items)
    batch = MemberBatch(
        declared=unit(members), positive=unit(members), negative=unit(members),
        positive_weight=rng.random(members) * 4, negative_weight=rng.random(members),
        persona_index=rng.integers(-1, 3, members), persona_vectors=unit(3),
        area_affinity=rng.random((members, len(AREA_IDS))).astype(np.float32),
        followed=np.zeros((members, len(AREA_IDS)), dtype=bool),
        visible=tuple(frozenset({"public", "members"}) for _ in range(members)),
        excluded=tuple(np.zeros(0, dtype=np.int64) for _ in range(members)))
    ids = rng.permutation(np.arange(1, items + 1))
    block = {int(i): float("-inf") for i in ids[:50]}
    sets: list[dict[int, float]] = [{}, block, {**block, **{int(i): 1.0 for i in ids[50:250]}},
                                    {**block, **{int(i): 2.0 for i in ids[250:450]}}]
    changes = [sets[j % len(sets)] for j in range(members)]
    plain = best_of(repeat, lambda: rank(pool, batch, k=100))
    ruled = best_of(repeat, lambda: rank(pool, batch, k=100, changes=changes))
    print(f"rank {members:,} members x {items:,} items, k=100: no rules {plain:.2f} s, "
          f"3 rules in 4 rule sets {ruled:.2f} s ({ruled / plain:.2f}x), best of {repeat}")


def matching(items: int, repeat: int) -> None:
    if not POOL.exists():
        print(f"matching: skipped, {POOL} is absent")
        return
    now = datetime.now(UTC)
    rows = [json.loads(line) for line in POOL.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = [Item(id=n, source_id=r.get("source", "s"), key=str(n), kind="article", title=r["title"], url=None,
                  canonical_url=None, summary="", content_html="", text=r["text"], author=None, published=now,
                  first_seen=now, updated_at=now, lang=r.get("lang"), content_hash=str(n), visibility="public")
             for n, r in enumerate((rows * (items // len(rows) + 1))[:items])]
    chars = sum(len(i.title) + len(i.text) for i in found) / len(found)
    rules = [
        EditorRule(1, "block", "keyword",
                   check_rule("block", "keyword", "KI|künstliche Intelligenz|artificial intelligence").pattern),
        EditorRule(2, "boost", "keyword",
                   check_rule("boost", "keyword", "Fachkräftemangel|skills shortage|Cyber*").pattern, strength=1),
        EditorRule(3, "boost", "source", "bbc", strength=1)]
    result: dict[int, frozenset[int]] = {}

    def run() -> None:
        result.update(matched_items(rules, found))

    seconds = best_of(repeat, run)
    print(f"match 3 rules x {len(found):,} items (~{chars:.0f} characters each): {seconds * 1000:.0f} ms, "
          f"best of {repeat}; matched {[len(result[r.id]) for r in rules]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--items", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ranking(args.members, args.items, args.repeat)
    matching(args.items, args.repeat)


if __name__ == "__main__":
    main()
