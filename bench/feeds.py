"""Benchmark: stored ranked feeds (issue 11): the worker's full refresh against re-ranking one
member right after their feedback, and reading a page.

    .venv/bin/python bench/feeds.py [--database URL] [--members 1000] [--items 2000] [--repeat 20]

Synthetic: tagged items (90% public, 8% members, 2% club), members with declared areas (10% in a
club), some feedback; the deterministic fake encoder (this measures ranking and storage, not the
model). ``--database`` takes a PostgreSQL URL like CURATOR_TEST_DATABASE_URL; a private schema is
created and dropped. Default: a fresh SQLite file.

Prints seconds of: the first refresh (which also encodes every item once), a second full
refresh, a refresh with nothing to do, one member's feedback including their re-rank (median and
max of ``--repeat``), and one page read (median).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
AREAS = ("technology", "company", "work", "society", "government")
WORDS = ["digital", "platform", "cloud", "AI", "skills", "training", "funding", "regulation", "data", "privacy",
         "startup", "investment", "leadership", "smart", "city", "health", "robotics", "security", "e-government",
         "talent"]


@contextmanager
def database(url: str | None) -> Iterator[str]:
    """The URL to use: a private PostgreSQL schema (dropped afterwards) or a fresh SQLite file."""
    if url is None:
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.db"
        return
    import sqlalchemy as sa

    from curator.storage.engine import create_engine

    schema = "bench_" + uuid.uuid4().hex[:10]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def seed(cur: Any, n_items: int, n_members: int) -> None:
    from curator.storage import TagRow
    from curator.types import ParsedItem, Source

    rnd = random.Random(11)
    cur.members.ensure_clubs()
    sources = [Source(id="pub", title="Public", url="https://pub.example/f"),
               Source(id="mem", title="Members", url="https://mem.example/f", visibility="members"),
               Source(id="club", title="Club", url="https://club.example/f", visibility="club:it-executive")]
    for s in sources:
        cur.storage.ensure_internal_source(s, NOW)
    by_source: dict[str, list[ParsedItem]] = {s.id: [] for s in sources}
    for n in range(n_items):
        r = rnd.random()
        sid = "pub" if r < 0.9 else "mem" if r < 0.98 else "club"
        text = " ".join(rnd.choice(WORDS) for _ in range(60))
        by_source[sid].append(ParsedItem(
            key=f"b{n}", title=" ".join(rnd.choice(WORDS) for _ in range(6)).capitalize() + f" {n}",
            url=f"https://{sid}.example/{n}", canonical_url=f"https://{sid}.example/{n}", summary=text[:300],
            content_html=f"<p>{text}</p>", text=text, author=None, lang=rnd.choice(("de", "en")),
            published=NOW - timedelta(minutes=rnd.randrange(60 * 24 * 30)), updated=None, content_hash=f"h{n}"))
    for src in sources:
        res = cur.storage.upsert_items(src, by_source[src.id], NOW)
        tags = [TagRow(i, p.content_hash, chosen, {a: 0.8 for a in chosen})
                for i, p in zip(res.new_ids, by_source[src.id], strict=True)
                for chosen in [tuple(rnd.sample(AREAS, rnd.choice((1, 1, 2))))]]
        cur.storage.save_tags(tags, "bench", NOW)
    rows = [{"email": f"m{m}@org{m % 200}.example", "name": f"Member {m}", "organisation": f"Org {m % 200}",
             "language": rnd.choice(("de", "en")), "areas": ";".join(rnd.sample(AREAS, 2)),
             "interests": " ".join(rnd.sample(WORDS, 3)), "clubs": "it-executive" if m % 10 == 0 else "",
             "tracking_consent": True, "membership": "member"} for m in range(n_members)]
    res = cur.members.import_file(json.dumps(rows), fmt="json", grant_clubs_by="bench")
    assert not res.errors, res.errors[:3]
    public = [i.id for i in cur.storage.list_items() if i.visibility == "public"]
    lines = [json.dumps({"member": f"m{m}@org{m % 200}.example", "item": rnd.choice(public),
                         "kind": rnd.choice(("rating", "save", "click")), "value": 5, "at": NOW.isoformat()})
             for m in range(n_members) for _ in range(3)]
    cur.feedback.import_jsonl(lines)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", help="a PostgreSQL URL (default: a fresh SQLite file)")
    ap.add_argument("--members", type=int, default=1000)
    ap.add_argument("--items", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    from curator.clock import FixedClock
    from curator.config import Settings
    from curator.core import make_curator

    with database(args.database) as url:
        cur = make_curator(Settings(database_url=url, encoder="fake"), clock=FixedClock(NOW))
        t, _ = timed(lambda: seed(cur, args.items, args.members))
        print(f"{cur.storage.dialect}: {args.members} members x {args.items} tagged items (seeded in {t:.1f} s)")
        t, out = timed(cur.feeds.refresh)
        print(f"first refresh (encodes every item once): {t:6.2f} s  {out}")
        t, out = timed(lambda: cur.feeds.refresh(rebuild=True))
        print(f"full refresh:                            {t:6.2f} s  ({out.members} member + {out.personas} persona feeds,"
              f" {out.items} items)")
        t, out = timed(cur.feeds.refresh)
        print(f"refresh with nothing to do:              {t:6.3f} s  {out}")
        rnd = random.Random(3)
        members = cur.members.list()
        public = [i.id for i in cur.storage.list_items() if i.visibility == "public"]
        give, read = [], []
        for _ in range(args.repeat):
            m = rnd.choice(members)
            user = cur.accounts.create(m.email, role="member")
            t, _ = timed(lambda: cur.feedback.give(user, rnd.choice(public), "rating", value=5))  # noqa: B023
            give.append(t)
            t, _ = timed(lambda: cur.feeds.member_feed(user, limit=30))  # noqa: B023
            read.append(t)
        print(f"one member's feedback + re-rank:         {statistics.median(give) * 1000:6.1f} ms median, "
              f"{max(give) * 1000:.1f} ms max (n={args.repeat})")
        print(f"one page read (30 items):                {statistics.median(read) * 1000:6.1f} ms median, "
              f"{max(read) * 1000:.1f} ms max")
        cur.close()


if __name__ == "__main__":
    main()
