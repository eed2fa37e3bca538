"""Encoding throughput: texts per second for each encoder, cold and with the cache warm,
and the overhead of curator's cached path (`encode_cached`) against calling the model
directly on the same texts.

Usage:
    .venv/bin/python bench/encode.py [--encoders e5,minilm] [--n 64] [--texts FILE.jsonl]
    .venv/bin/python bench/encode.py --encoders '' --taggers e5,e5+use --n 64

``--taggers`` times the tag job's own work per item instead (:meth:`Tagger.tag` on items not yet
cached: title and title + body encoded by every encoder of the tagger, then scored), in seconds per
item, each tagger in the same run on the same texts; models and example phrases are loaded first.

Texts: the first N articles (title + text) of ../shared/eval/pool.jsonl when it is there
(read only, never copied), else generated news-like texts. Prints a table; no assertions.
Runs in well under three minutes on two shared cores with the defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from curator.embeddings import MemoryEmbeddingCache, encode_cached, make_encoder, text_hash  # noqa: E402
from curator.tagging import TagInput, make_tagger  # noqa: E402


def load_rows(n: int, path: Path | None) -> tuple[list[dict[str, str]], str] | None:
    """The first ``n`` rows (title, text, lang) of the texts file or the eval pool; None without one."""
    shared = Path(os.environ.get("CURATOR_SHARED_DIR", REPO.parent / "shared"))
    pool = path or shared / "eval" / "pool.jsonl"
    if not pool.exists():
        return None
    rows = []
    with pool.open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) >= n:
                break
    return rows, f"{pool} (first {len(rows)} items)"


def load_texts(n: int, path: Path | None) -> tuple[list[str], str]:
    found = load_rows(n, path)
    if found:
        rows, origin = found
        return [f"{row.get('title', '')}\n{row.get('text', '')}" for row in rows], origin
    rng = random.Random(0)
    words = ["company", "union", "parliament", "software", "school", "market", "strike", "cloud", "hospital", "law", "investors", "workers", "Regierung", "Unternehmen", "Gewerkschaft", "Schule", "Daten", "Markt", "Gesetz", "Mitarbeiter", "Plattform", "Pflege"]
    texts = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(n)]
    return texts, f"{n} generated texts of 120 words"


def bench(spec: str, texts: list[str], batch_size: int) -> dict[str, float]:
    encoder = make_encoder(spec)
    encoder.encode(texts[:4], batch_size=batch_size)  # load the model outside the timings
    started = time.perf_counter()
    encoder.encode(texts, batch_size=batch_size)
    direct = time.perf_counter() - started

    cache = MemoryEmbeddingCache()
    hashes = [text_hash(t) for t in texts]
    started = time.perf_counter()
    encode_cached(encoder, texts, hashes, cache, batch_size=batch_size)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(5):
        encode_cached(encoder, texts, [text_hash(t) for t in texts], cache, batch_size=batch_size)
    warm = (time.perf_counter() - started) / 5
    return {"direct": direct, "cold": cold, "warm": warm}


def bench_tagger(spec: str, docs: list[TagInput], warm_docs: list[TagInput]) -> dict[str, float]:
    """Seconds of :meth:`Tagger.tag` on ``docs`` with an empty cache (after loading the models and
    encoding the example phrases on ``warm_docs``), and again with every vector cached."""
    tagger = make_tagger(spec, cache=MemoryEmbeddingCache())
    tagger.tag(warm_docs)
    started = time.perf_counter()
    tagger.tag(docs)
    cold = time.perf_counter() - started
    started = time.perf_counter()
    tagger.tag(docs)
    return {"cold": cold, "warm": time.perf_counter() - started}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoders", default="e5,minilm")
    parser.add_argument("--n", type=int, default=64, help="number of texts (default 64)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--texts", type=Path, default=None, help="JSON lines with title/text (default: eval pool)")
    parser.add_argument("--taggers", default="", help="taggers to time per item, e.g. e5,e5+use (default: none)")
    args = parser.parse_args()
    if args.taggers:
        found = load_rows(args.n + 4, args.texts)
        if not found:
            sys.exit("--taggers needs the eval pool or --texts")
        rows, origin = found
        docs = [TagInput(id=str(i), title=str(r.get("title") or ""), text=str(r.get("text") or ""),
                         lang=r.get("lang")) for i, r in enumerate(rows)]
        print(f"tag job per item: {origin}; first 4 items warm the models up, {len(docs) - 4} timed")
        print(f"{'tagger':<10} {'s/item cold':>12} {'ms/item cached':>15}")
        for spec in [s.strip() for s in args.taggers.split(",") if s.strip()]:
            r = bench_tagger(spec, docs[4:], docs[:4])
            print(f"{spec:<10} {r['cold'] / (len(docs) - 4):>12.3f} {1000 * r['warm'] / (len(docs) - 4):>15.2f}")
        if not [s for s in args.encoders.split(",") if s.strip()]:
            return
    texts, origin = load_texts(args.n, args.texts)
    texts, origin = load_texts(args.n, args.texts)
    print(f"texts: {origin}; mean {sum(len(t) for t in texts) / len(texts):.0f} characters; "
          f"batch size {args.batch_size}; cpu count {os.cpu_count()}")
    print(f"{'encoder':<10} {'direct t/s':>11} {'cold t/s':>10} {'warm t/s':>12} {'cold/direct':>12} {'warm speed-up':>14}")
    for spec in [s.strip() for s in args.encoders.split(",") if s.strip()]:
        try:
            r = bench(spec, texts, args.batch_size)
        except Exception as exc:  # report and go on with the next encoder
            print(f"{spec:<10} failed: {exc}")
            continue
        n = len(texts)
        print(f"{spec:<10} {n / r['direct']:>11.1f} {n / r['cold']:>10.1f} {n / r['warm']:>12.0f} "
              f"{r['cold'] / r['direct']:>12.3f} {r['cold'] / r['warm']:>13.0f}x")
    print("cold = encode_cached with an empty cache (hashing + lookup + encode + store);"
          " warm = every text already cached; cold/direct = overhead ratio of curator's path.")


if __name__ == "__main__":
    main()
