"""Member feed page under load: 10,000 items, 1,000 members, 50 concurrent signed-in users on
loopback, against the real server (`curator serve`, waitress) in its own process.

Phases, each bounded in count and time:
  seed     items (90% public, 8% members, 2% club), tags, members (10% in a club), web sessions
  cold     every virtual user opens its feed once: ranking runs (recommend) for that member
  warm     the users keep reloading their feed (ranked feeds are cached per member and access
           set for 5 minutes): requests per second, p50/p95/max latency, errors

    .venv/bin/python bench/web.py [--database URL] [--items 10000] [--members 1000] [--users 50]
                                  [--requests 2000] [--seconds 60] [--threads 8]

``--database`` takes a PostgreSQL URL like CURATOR_TEST_DATABASE_URL
(postgresql://postgres@127.0.0.1:5432/test); a private schema is created and dropped. Default: a
fresh SQLite file. The encoder is the deterministic fake (this measures the web path, not the model).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
AREAS = ("technology", "company", "work", "society", "government")
SECRET = "bench-secret-0123456789abcdef0123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, n_items: int, n_members: int, n_users: int) -> list[str]:
    """Fill the database; returns one session cookie value per virtual user."""
    import random

    from curator.clock import FixedClock
    from curator.config import Settings
    from curator.core import make_curator
    from curator.storage import TagRow
    from curator.types import ParsedItem, Source
    from curator.web.sessions import SIGNED_IN_LIFETIME, hash_sid

    rnd = random.Random(6)
    cur = make_curator(Settings(database_url=url, encoder="fake", secret_key=SECRET), clock=FixedClock(NOW))
    cur.members.ensure_clubs()
    sources = [Source(id="pub", title="Public news", url="https://pub.example/f"),
               Source(id="mem", title="Members brief", url="https://mem.example/f", visibility="members"),
               Source(id="club", title="IT exec", url="https://club.example/f", visibility="club:it-executive")]
    for s in sources:
        cur.storage.ensure_internal_source(s, NOW)
    words = ["digital", "platform", "cloud", "AI", "skills", "training", "funding", "regulation", "data", "privacy", "startup", "investment", "leadership", "smart", "city", "health", "robotics", "security", "e-government", "talent"]
    tagger = cur.storage
    batch: dict[str, list[ParsedItem]] = {s.id: [] for s in sources}

    def flush() -> None:
        for src in sources:
            if batch[src.id]:
                res = cur.storage.upsert_items(src, batch[src.id], NOW)
                tags = []
                for item_id, p in zip(res.new_ids, batch[src.id], strict=True):
                    chosen = tuple(rnd.sample(AREAS, rnd.choice((1, 1, 2))))
                    tags.append(TagRow(item_id, p.content_hash, chosen, {a: 0.8 for a in chosen}))
                tagger.save_tags(tags, "bench", NOW)
                batch[src.id] = []

    for n in range(n_items):
        r = rnd.random()
        sid = "pub" if r < 0.9 else "mem" if r < 0.98 else "club"
        text = " ".join(rnd.choice(words) for _ in range(60))
        title = " ".join(rnd.choice(words) for _ in range(6)).capitalize() + f" {n}"
        batch[sid].append(ParsedItem(
            key=f"b{n}", title=title, url=f"https://{sid}.example/a/{n}", canonical_url=f"https://{sid}.example/a/{n}",
            summary=text[:300], content_html=f"<p>{text}</p>", text=text, author=None,
            published=NOW - timedelta(minutes=rnd.randrange(60 * 24 * 30)), updated=None,
            lang=rnd.choice(("de", "en")), content_hash=f"h{n}"))
        if sum(len(v) for v in batch.values()) >= 500:
            flush()
    flush()
    rows = []
    for m in range(n_members):
        rows.append({"email": f"m{m}@org{m % 200}.example", "name": f"Member {m}", "organisation": f"Org {m % 200}",
                     "language": rnd.choice(("de", "en")), "areas": ";".join(rnd.sample(AREAS, 2)),
                     "clubs": "it-executive" if m % 10 == 0 else "", "membership": "member"})
    res = cur.members.import_file(json.dumps(rows), fmt="json", grant_clubs_by="bench")
    assert not res.errors, res.errors[:3]
    cookies = []
    for u in range(n_users):
        email = f"m{u * (n_members // n_users)}@org{(u * (n_members // n_users)) % 200}.example"
        user = cur.accounts.create(email, role="member")
        sid = secrets.token_urlsafe(32)
        cur.storage.save_session(hash_sid(sid), user_id=user.id, role=user.role, data={}, now=NOW,
                                   expires_at=datetime.now(UTC) + SIGNED_IN_LIFETIME)
        cookies.append(sid)
    cur.close()
    return cookies


def run_phase(base: str, cookies: list[str], per_user: int, deadline: float) -> tuple[list[float], int, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()

    def user(sid: str) -> None:
        nonlocal errors
        with httpx.Client(base_url=base, cookies={"curator_session": sid}, timeout=120) as client:
            for _ in range(per_user):
                if time.monotonic() > deadline:
                    return
                t = time.perf_counter()
                try:
                    r = client.get("/")
                    ok = r.status_code == 200 and 'class="why"' in r.text
                    if not ok and os.environ.get("BENCH_DEBUG"):
                        print(r.status_code, r.text[:300].replace("\n", " "), file=sys.stderr)
                except httpx.HTTPError as exc:
                    ok = False
                    if os.environ.get("BENCH_DEBUG"):
                        print(exc, file=sys.stderr)
                dt = time.perf_counter() - t
                with lock:
                    latencies.append(dt)
                    errors += 0 if ok else 1

    start = time.perf_counter()
    threads = [threading.Thread(target=user, args=(c,)) for c in cookies]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return latencies, errors, time.perf_counter() - start


def report(name: str, lat: list[float], errors: int, wall: float) -> dict[str, float]:
    if not lat:
        return {}
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    out = {"requests": len(lat), "errors": errors, "seconds": round(wall, 2), "rps": round(len(lat) / wall, 1),
           "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "max_ms": round(max(lat) * 1000, 1)}
    print(f"{name:5s} " + "  ".join(f"{k}={v}" for k, v in out.items()), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", help="PostgreSQL URL (a private schema is used); default: a SQLite file")
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--members", type=int, default=1_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--requests", type=int, default=2_000, help="warm-phase requests in total (upper bound)")
    ap.add_argument("--seconds", type=float, default=60, help="time limit per phase")
    ap.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="curator-bench-web-")
    schema = None
    if args.database:
        import sqlalchemy as sa

        from curator.storage.engine import create_engine

        schema = "bench_" + uuid.uuid4().hex[:10]
        admin = create_engine(args.database)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = f"{args.database}{'&' if '?' in args.database else '?'}options=-csearch_path%3D{schema}"
    else:
        url = f"sqlite:///{tmp}/bench.db"
    server = None
    try:
        t = time.perf_counter()
        cookies = seed(url, args.items, args.members, args.users)
        print(f"seed  {args.items} items, {args.members} members, {args.users} users in "
              f"{time.perf_counter() - t:.1f}s ({'PostgreSQL' if schema else 'SQLite'})", flush=True)
        port = free_port()
        env = {**os.environ, "CURATOR_DATABASE_URL": url, "CURATOR_SECRET_KEY": SECRET, "CURATOR_ENCODER": "fake",
               "CURATOR_BASE_URL": f"http://127.0.0.1:{port}", "CURATOR_FEEDS_FILE": f"{tmp}/feeds.yaml"}
        server = subprocess.Popen(
            [sys.executable, "-c", "from curator.cli import main; main()", "serve", "--port", str(port),
             "--threads", str(args.threads)], env=env, cwd=tmp, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        import httpx

        for _ in range(300):
            try:
                httpx.get(f"{base}/auth/login", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        cold = report("cold", *run_phase(base, cookies, 1, time.monotonic() + args.seconds * 5))
        per_user = max(1, args.requests // len(cookies))
        warm = report("warm", *run_phase(base, cookies, per_user, time.monotonic() + args.seconds))
        print(json.dumps({"database": "postgresql" if schema else "sqlite", "items": args.items,
                          "members": args.members, "users": args.users, "cold": cold, "warm": warm}))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if schema:
            import sqlalchemy as sa

            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


if __name__ == "__main__":
    main()
