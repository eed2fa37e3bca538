"""Member feed pages under load (issue 11): 10,000 items, 1,000 members, 50 concurrent signed-in
users on loopback, against the real server (`curator serve --workers 2`, gunicorn) in its own
processes, on SQLite or PostgreSQL.

Two modes, each on a fresh database seeded the same way, measured in the same run:
  stored    the code as it is: a page reads the ranked feed the worker stored (job rank_feeds);
            the worker ranked everyone once after seeding, as it does after each tag run
  request   the baseline, kept ONLY in this file: the request-path ranking of issue 10 (a page
            that misses a per-process 5-minute cache ranks, under a process-wide lock, every
            signed-in member not cached yet; a member's feedback drops their entry in the
            process that took it), installed into the server before it forks

Phases per mode, each bounded in count and time:
  visit     the server was just started: every user opens their feed for the first time since
            signing in, all at once; then the server is stopped and started again
  first     the first page after that restart: every user opens their feed once, coming back at
            their own pace (after 0 to 2 x --think seconds; all at once with --think 0)
  burst     after one more restart, every user's first page at the same moment
  mix       for --seconds: each user loops 80 % feed pages, 20 % feedback posts (rate, save,
            more, less, hide an item of their feed): requests/s, p50/p95/max, errors
  collect   the same mix while a worker process collects --new-items items from a feed served
            on loopback, tags them and (stored mode) runs rank_feeds: the slowest page meanwhile

    .venv/bin/python bench/web.py [--database URL] [--items 10000] [--members 1000] [--users 50]
                                  [--seconds 60] [--workers 2] [--threads 8] [--new-items 500]
                                  [--think 0] [--modes stored,request]

``--database`` takes a PostgreSQL URL like CURATOR_TEST_DATABASE_URL
(postgresql://postgres@127.0.0.1:5432/test); a private schema per mode is created and dropped.
Default: fresh SQLite files. The encoder is the deterministic fake (this measures the web path,
not the model), in the seeding, the server and the worker alike.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from feeds import database  # noqa: E402 - bench/feeds.py, beside this file: a fresh SQLite file or PostgreSQL schema

AREAS = ("technology", "company", "work", "society", "government")
WORDS = ("digital", "platform", "cloud", "AI", "skills", "training", "funding", "regulation", "data", "privacy",
         "startup", "investment", "leadership", "smart", "city", "health", "robotics", "security",
         "e-government", "talent")
FILLER = tuple(a + b + c for a in ("ba", "de", "ki", "lo", "mu", "ne", "po", "ra", "si", "tu")
               for b in ("den", "gar", "lis", "mon", "pet", "ros", "tin", "vek") for c in ("a", "e", "o", "um", "er"))
"""400 made-up words: an article is 10 topic words and 50 of these, so articles differ as real ones
do (with the topic words alone, the hashed test encoder saw every article as a copy of one story and
the candidate pool collapsed to a dozen items)."""


def article_text(rnd: random.Random) -> str:
    words = [rnd.choice(WORDS) for _ in range(10)] + [rnd.choice(FILLER) for _ in range(50)]
    rnd.shuffle(words)
    return " ".join(words)
SECRET = "bench-secret-0123456789abcdef0123"
FEEDBACK = (("rating", 0.4), ("save", 0.2), ("more", 0.2), ("less", 0.1), ("hide", 0.1))
ITEM_ID = re.compile(r'id="item-(\d+)"')
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

WORKER = """
import json, sys, time
from curator import jobs
from curator.config import load_settings
from curator.core import make_curator
from curator.scheduler import lower_priority

feed_url, mode = sys.argv[1], sys.argv[2]
out = {}
settings = load_settings()
lower_priority(settings.worker_nice)  # as `curator worker` does
with make_curator(settings) as cur:
    cur.sources.add(feed_url, title="Loopback wire")
    steps = [("collect", jobs.collect), ("tag", jobs.tag)] + ([("rank_feeds", jobs.rank_feeds)] if mode == "stored" else [])
    for name, job in steps:
        t = time.perf_counter()
        result = job(cur)
        out[name + "_s"] = round(time.perf_counter() - t, 2)
        if name == "collect":
            out["new_items"] = result["new"]
print(json.dumps(out))
"""
"""The worker's jobs after a collect, run one after another as `curator worker` would."""


# ---------------------------------------------------------------------------- the baseline


def install_request_path_ranking() -> None:
    """Replace stored-feed reading with the request-path ranking of issue 10 in this process
    (before gunicorn forks, so each worker has its own empty cache, as each process had)."""
    from curator.errors import CuratorError
    from curator.features.feed_cache import FeedCache
    from curator.features.feeds import Feeds
    from curator.profiles.access import visible_to
    from curator.types import ItemQuery, Member, ScoredItem, WebUser

    ttl, depth, max_batch = 300.0, 100, 2000
    ranking_lock = threading.Lock()
    cache: dict[tuple[int, frozenset[str]], tuple[float, list[ScoredItem]]] = {}

    def ranked_feed(feeds: Feeds, member: Member, visible: frozenset[str]) -> list[ScoredItem] | None:
        hit = cache.get((member.id, visible))
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        with ranking_lock:
            now = time.monotonic()
            hit = cache.get((member.id, visible))
            if hit is not None and hit[0] > now:
                return hit[1]
            fresh = {key[0] for key, (until, _) in list(cache.items()) if until > now}
            signed_up = {u.member_id for u in feeds._storage.list_users() if u.member_id is not None}
            todo = [m for m in feeds._members.list() if m.status == "member" and m.id in signed_up
                    and m.id not in fresh and m.id != member.id][:max_batch - 1] + [member]
            try:
                ranked = feeds.recommend_many(todo, depth)
            except CuratorError:
                return None
            for m in todo:
                cache[(m.id, visible if m.id == member.id else visible_to(m))] = (now + ttl, ranked[m.id])
            return ranked[member.id]

    def member_feed(self: Feeds, user: WebUser, *, area: str | None = None, lang: str | None = None,
                    limit: int = 30, member: Member | None | bool = False) -> list[ScoredItem]:
        if member is False:
            member = self._members.of_user(user)
        assert member is not True
        visible = visible_to(member)
        ranked = ranked_feed(self, member, visible) if member is not None and member.status == "member" else None
        out = [s for s in ranked or () if s.item.visibility in visible and (not area or area in s.item.areas)
               and (not lang or s.item.lang == lang)]
        if len(out) < limit:
            seen = {s.item.id for s in out}
            hidden = self._hidden(member)
            why = "Neu" if member is not None and member.language == "de" else "New"
            for item in self._storage.list_items(ItemQuery(limit=limit * 2, area=area or None, lang=lang or None,
                                                           visible_to=visible)):
                if item.id not in seen and item.id not in hidden:
                    out.append(ScoredItem(item, 0.0, {}, why))
        return out[:limit]

    def forget(self: FeedCache, member_id: int | None = None) -> None:
        for key in [k for k in list(cache) if member_id is None or k[0] == member_id]:
            cache.pop(key, None)

    Feeds.member_feed = member_feed  # type: ignore[method-assign]
    FeedCache.forget = forget  # type: ignore[method-assign]


# ---------------------------------------------------------------------------- data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(url: str, n_items: int, n_members: int, n_users: int) -> tuple[list[str], dict[str, float]]:
    """Fill the database: items (90 % public, 8 % members, 2 % club) tagged by the tag job,
    members (10 % in a club), one account and web session per virtual user. Returns the session
    cookie values and how long the steps took."""
    from curator.config import Settings
    from curator.core import make_curator
    from curator.types import ParsedItem, Source

    rnd = random.Random(6)
    times: dict[str, float] = {}
    now = datetime.now(UTC)
    cur = make_curator(Settings(database_url=url, encoder="fake", secret_key=SECRET))
    cur.members.ensure_clubs()
    sources = [Source(id="pub", title="Public news", url="https://pub.example/f"),
               Source(id="mem", title="Members brief", url="https://mem.example/f", visibility="members"),
               Source(id="club", title="IT exec", url="https://club.example/f", visibility="club:it-executive")]
    for s in sources:
        cur.storage.ensure_internal_source(s, now)
    batch: dict[str, list[ParsedItem]] = {s.id: [] for s in sources}

    def flush() -> None:
        for src in sources:
            if batch[src.id]:
                cur.storage.upsert_items(src, batch[src.id], now)
                batch[src.id] = []

    t = time.perf_counter()
    for n in range(n_items):
        r = rnd.random()
        sid = "pub" if r < 0.9 else "mem" if r < 0.98 else "club"
        text = article_text(rnd)
        title = " ".join(rnd.choice(WORDS) for _ in range(6)).capitalize() + f" {n}"
        batch[sid].append(ParsedItem(
            key=f"b{n}", title=title, url=f"https://{sid}.example/a/{n}", canonical_url=f"https://{sid}.example/a/{n}",
            summary=text[:300], content_html=f"<p>{text}</p>", text=text, author=None,
            published=now - timedelta(minutes=rnd.randrange(60 * 24 * 30)), updated=None,
            lang=rnd.choice(("de", "en")), content_hash=f"h{n}"))
        if sum(len(v) for v in batch.values()) >= 500:
            flush()
    flush()
    times["items_s"] = time.perf_counter() - t
    t = time.perf_counter()
    cur.tagging.tag()
    times["tag_s"] = time.perf_counter() - t
    rows = [{"email": f"m{m}@org{m % 200}.example", "name": f"Member {m}", "organisation": f"Org {m % 200}",
             "language": rnd.choice(("de", "en")), "areas": ";".join(rnd.sample(AREAS, 2)),
             "clubs": "it-executive" if m % 10 == 0 else "", "membership": "member"} for m in range(n_members)]
    res = cur.members.import_file(json.dumps(rows), fmt="json", grant_clubs_by="bench")
    assert not res.errors, res.errors[:3]
    cookies = []
    for u in range(n_users):
        m = u * (n_members // n_users)
        user = cur.accounts.create(f"m{m}@org{m % 200}.example", role="member")
        cookies.append(cur.accounts.start_session(user.id, user.role, {}, lifetime=timedelta(days=1)))
    cur.close()
    return cookies, {k: round(v, 1) for k, v in times.items()}


def rank_feeds(url: str) -> float:
    """The worker's job rank_feeds after the seeding's tag run; returns its seconds."""
    from curator import jobs
    from curator.config import Settings
    from curator.core import make_curator

    with make_curator(Settings(database_url=url, encoder="fake", secret_key=SECRET)) as cur:
        t = time.perf_counter()
        jobs.rank_feeds(cur)
        return round(time.perf_counter() - t, 1)


def settle(url: str) -> float:
    """Bring the freshly seeded database to the state of one that has been running: statistics
    gathered and, on PostgreSQL, dead rows vacuumed. Otherwise the database's own background
    work (autovacuum's ANALYZE of 10,000 new rows) lands in the measured phases. Returns seconds."""
    import sqlalchemy as sa

    from curator.storage.engine import create_engine

    t = time.perf_counter()
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text("VACUUM ANALYZE"))
            else:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
    finally:
        engine.dispose()
    return round(time.perf_counter() - t, 1)


@contextmanager
def loopback_feed(n_items: int, tmp: str) -> Iterator[str]:
    """An RSS feed of ``n_items`` new items served on 127.0.0.1; yields its URL."""
    from curator.demo.run import serve_directory

    rnd = random.Random(11)
    now = datetime.now(UTC)
    entries = []
    for n in range(n_items):
        text = article_text(rnd)
        entries.append(f"<item><title>Wire {n}: {escape(text[:60])}</title><link>https://wire.example/{n}</link>"
                       f"<guid>https://wire.example/{n}</guid><pubDate>{format_datetime(now - timedelta(minutes=n))}"
                       f"</pubDate><description>{escape(text)}</description></item>")
    folder = Path(tmp) / "wire"
    folder.mkdir(exist_ok=True)
    (folder / "feed.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Wire</title>'
        f'<link>https://wire.example/</link><description>new items</description>{"".join(entries)}'
        '</channel></rss>', encoding="utf-8")
    with serve_directory(folder) as base:
        yield f"{base}/feed.xml"


# ---------------------------------------------------------------------------- load


@dataclass
class User:
    """One virtual user: a session, the CSRF token of its session, the items of its last page."""

    cookie: str
    rnd: random.Random
    csrf: str = ""
    items: list[int] = field(default_factory=list)


@dataclass
class Sample:
    kind: str  # page | post
    seconds: float
    ok: bool


def one_request(client: Any, user: User, post_share: float) -> Sample:
    import httpx

    post = user.rnd.random() < post_share and user.items and user.csrf
    t = time.perf_counter()
    try:
        if post:
            action = user.rnd.choices([a for a, _ in FEEDBACK], [w for _, w in FEEDBACK])[0]
            data = {"csrf_token": user.csrf, "action": action, "next": "/"}
            if action == "rating":
                data["value"] = str(user.rnd.randint(1, 5))
            r = client.post(f"/items/{user.rnd.choice(user.items)}/feedback", data=data)
            ok = r.status_code == 302
        else:
            r = client.get("/")
            ok = r.status_code == 200 and 'class="why"' in r.text
            if ok:
                user.items = [int(i) for i in ITEM_ID.findall(r.text)]
                token = CSRF.search(r.text)
                user.csrf = token.group(1) if token else user.csrf
    except httpx.HTTPError as exc:
        r, ok = None, False
        if os.environ.get("BENCH_DEBUG"):
            print(exc, file=sys.stderr)
    if not ok and r is not None and os.environ.get("BENCH_DEBUG"):
        print(r.status_code, r.text[:300].replace("\n", " "), file=sys.stderr)
    return Sample("post" if post else "page", time.perf_counter() - t, ok)


def run_load(base: str, users: list[User], *, per_user: int, post_share: float, deadline: float,
             think: float = 0.0, stop: Callable[[], bool] = lambda: False,
             stagger: float = 0.0) -> tuple[list[Sample], float]:
    """Every user sends up to ``per_user`` requests one after another, pausing a random 0 to
    2 x ``think`` seconds between them, until the deadline or ``stop()``; with ``stagger``, each
    user starts after a random 0 to ``stagger`` seconds. Returns the samples and the wall time."""
    import httpx

    samples: list[Sample] = []
    lock = threading.Lock()

    # The clients are made before any thread starts: making one costs about 20 ms of CPU (httpx
    # loads the TLS certificates), and 50 made at once took that CPU from the server just when
    # the phase's first requests arrived.
    clients = {id(u): httpx.Client(base_url=base, cookies={"curator_session": u.cookie}, timeout=120) for u in users}
    ready = threading.Barrier(len(users) + 1)

    def loop(user: User) -> None:
        with clients[id(user)] as client:
            ready.wait()
            if stagger:
                time.sleep(user.rnd.uniform(0, stagger))
            for _ in range(per_user):
                if time.monotonic() > deadline or stop():
                    return
                s = one_request(client, user, post_share)
                with lock:
                    samples.append(s)
                if think:
                    time.sleep(user.rnd.uniform(0, 2 * think))

    threads = [threading.Thread(target=loop, args=(u,)) for u in users]
    for th in threads:
        th.start()
    ready.wait()
    start = time.perf_counter()
    for th in threads:
        th.join()
    return samples, time.perf_counter() - start


def figures(name: str, samples: list[Sample], wall: float) -> dict[str, float]:
    """requests, errors, requests/s, p50/p95/max of everything, and the slowest page."""
    if not samples:
        return {}
    lat = [s.seconds for s in samples]
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    pages = [s.seconds for s in samples if s.kind == "page"]
    out = {"requests": len(lat), "posts": sum(s.kind == "post" for s in samples),
           "errors": sum(not s.ok for s in samples), "seconds": round(wall, 1), "rps": round(len(lat) / wall, 1),
           "p50_ms": round(q[49] * 1000, 1), "p95_ms": round(q[94] * 1000, 1), "max_ms": round(max(lat) * 1000, 1),
           "max_page_ms": round(max(pages) * 1000, 1) if pages else 0.0}
    print(f"  {name:8s} " + "  ".join(f"{k}={v}" for k, v in out.items()), flush=True)
    return out


# ---------------------------------------------------------------------------- one mode


@contextmanager
def server(mode: str, env: dict[str, str], port: int, workers: int, threads: int, tmp: str) -> Iterator[str]:
    """`curator serve --workers N` on loopback (in request mode with the baseline installed);
    yields once every worker has answered a request (the access log names them)."""
    import httpx

    log = Path(tmp) / f"access-{mode}-{time.monotonic_ns()}.log"  # one per start: it names the new processes
    serve = ["serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads),
             "--access-log", str(log)]
    cmd = ([sys.executable, "-m", "curator", *serve] if mode == "stored"
           else [sys.executable, str(Path(__file__).resolve()), "--serve-request-path", *serve])
    proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            assert proc.poll() is None, f"curator serve ({mode}) stopped with {proc.returncode}"
            try:
                with httpx.Client(timeout=30) as c:  # a new connection each: any worker may take it
                    for _ in range(4):
                        c.get(f"{base}/auth/login", headers={"Connection": "close"})
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            answered = set(re.findall(r"pid=<(\d+)>", log.read_text())) if log.exists() else set()
            if len(answered) >= workers:
                break
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(30)


def run_mode(mode: str, url: str, args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    print(f"{mode}:", flush=True)
    t = time.perf_counter()
    cookies, seed_times = seed(url, args.items, args.members, args.users)
    result: dict[str, Any] = {"seed_s": round(time.perf_counter() - t, 1), **{f"seed_{k}": v for k, v in seed_times.items()}}
    if mode == "stored":
        result["rank_feeds_s"] = rank_feeds(url)
    result["settle_s"] = settle(url)
    print(f"  seed     {result}", flush=True)
    port = free_port()
    env = {**os.environ, "CURATOR_DATABASE_URL": url, "CURATOR_SECRET_KEY": SECRET, "CURATOR_ENCODER": "fake",
           "CURATOR_BASE_URL": f"http://127.0.0.1:{port}", "CURATOR_FEEDS_FILE": f"{tmp}/feeds.yaml",
           "CURATOR_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32"}
    users = [User(c, random.Random(n)) for n, c in enumerate(cookies)]
    # Every user's first page after signing in (the session gets its form token), then a
    # restart: "first" is each returning user's first page from the new processes, the users
    # coming back at their own pace (each after 0 to 2 x think seconds, as between their
    # requests); then another restart: "burst" is every user's first page at the same moment.
    with server(mode, env, port, args.workers, args.threads, tmp) as base:
        result["visit"] = figures("visit", *run_load(base, users, per_user=1, post_share=0.0,
                                                    deadline=time.monotonic() + args.seconds * 5))
    with server(mode, env, port, args.workers, args.threads, tmp) as base:
        result["first"] = figures("first", *run_load(base, users, per_user=1, post_share=0.0,
                                                    deadline=time.monotonic() + args.seconds * 5,
                                                    stagger=2 * args.think))
    with server(mode, env, port, args.workers, args.threads, tmp) as base:
        result["burst"] = figures("burst", *run_load(base, users, per_user=1, post_share=0.0,
                                                    deadline=time.monotonic() + args.seconds * 5))
        result["mix"] = figures("mix", *run_load(base, users, per_user=args.max_requests, post_share=0.2,
                                                deadline=time.monotonic() + args.seconds, think=args.think))
        with loopback_feed(args.new_items, tmp) as feed_url:
            worker = subprocess.Popen([sys.executable, "-c", WORKER, feed_url, mode], env=env, cwd=tmp,
                                      stdout=subprocess.PIPE, text=True)
            try:
                samples, wall = run_load(base, users, per_user=args.max_requests, post_share=0.2,
                                         deadline=time.monotonic() + args.seconds * 5, think=args.think,
                                         stop=lambda: worker.poll() is not None)
                out, _ = worker.communicate(timeout=args.seconds * 5)
            finally:
                if worker.poll() is None:
                    worker.kill()
                    worker.wait()
            result["collect"] = figures("collect", samples, wall)
            result["worker"] = json.loads(out.strip().splitlines()[-1]) if worker.returncode == 0 else {
                "failed": worker.returncode}
            print(f"  worker   {result['worker']}", flush=True)
    return result


def ratios(stored: dict[str, Any], request: dict[str, Any]) -> dict[str, float]:
    """How many times better the stored feeds did (request-path figure / stored figure)."""
    def ratio(phase: str, key: str, inverse: bool = False) -> float:
        a, b = stored.get(phase, {}).get(key), request.get(phase, {}).get(key)
        if not a or not b:
            return 0.0
        return round(a / b if inverse else b / a, 1)

    return {"mix_rps": ratio("mix", "rps", inverse=True), "mix_p95": ratio("mix", "p95_ms"),
            "mix_max": ratio("mix", "max_ms"), "first_p95": ratio("first", "p95_ms"),
            "first_max": ratio("first", "max_ms"), "burst_p95": ratio("burst", "p95_ms"),
            "collect_max_page": ratio("collect", "max_page_ms")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database", help="PostgreSQL URL (a private schema per mode); default: SQLite files")
    ap.add_argument("--items", type=int, default=10_000)
    ap.add_argument("--members", type=int, default=1_000)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60, help="length of the mix phase (other phases: 5x, at most)")
    ap.add_argument("--max-requests", type=int, default=2_000, help="per user and phase (upper bound)")
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--threads", type=int, default=8, help="threads per server process")
    ap.add_argument("--think", type=float, default=0.0,
                    help="mean pause of a user between requests (default 0: a closed loop, each user "
                         "sends its next request when the last one answered)")
    ap.add_argument("--new-items", type=int, default=500, help="items the worker collects during the load")
    ap.add_argument("--modes", default="stored,request", help="stored, request (the baseline) or both")
    args = ap.parse_args()
    # SIGTERM ends the run like Ctrl-C: the servers it started stop and its schemas are dropped
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = tempfile.mkdtemp(prefix="curator-bench-web-")
    db = "postgresql" if args.database else "sqlite"
    print(f"{db}: {args.items} items, {args.members} members, {args.users} users, `curator serve --workers "
          f"{args.workers} --threads {args.threads}`, {os.cpu_count()} cores", flush=True)
    results: dict[str, Any] = {}
    try:
        for mode in args.modes.split(","):
            with database(args.database) as url:
                results[mode] = run_mode(mode, url, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary: dict[str, Any] = {"database": db, "items": args.items, "members": args.members, "users": args.users,
                               "workers": args.workers, "think": args.think, **results}
    if "stored" in results and "request" in results:
        summary["ratios"] = ratios(results["stored"], results["request"])
        print(f"ratios (request-path / stored): {summary['ratios']}", flush=True)
    print(json.dumps(summary))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve-request-path"]:
        install_request_path_ranking()
        from curator.cli import main as curator_main

        curator_main(args=sys.argv[2:])
    else:
        main()
