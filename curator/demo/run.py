"""``curator demo``: the whole product on bundled content, with no network.

The bundled feeds are served by a web server on 127.0.0.1 so that the real fetch, parse and
store path runs; the fetcher is allowed to reach 127.0.0.1 for this run only.
"""

from __future__ import annotations

import functools
import json
import secrets
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

from ..config import load_settings, parse_sources
from ..core import make_curator
from ..resources import package_path
from ..types import ItemQuery
from .members_stage import run_members_stage
from .newsletter_stage import demo_accounts, run_newsletter_stage

DEMO_DIR = package_path("curator.demo")
FEEDS_DIR = DEMO_DIR / "feeds"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def demo_sources(base_url: str) -> list[Any]:
    """The demo feeds as sources, from feeds/MANIFEST.yaml, pointing at ``base_url``."""
    manifest = yaml.safe_load((FEEDS_DIR / "MANIFEST.yaml").read_text(encoding="utf-8"))
    entries = manifest.get("feeds", manifest) if isinstance(manifest, dict) else manifest
    sources = []
    for e in entries:
        sources.append({
            "id": e["id"], "title": e["title"], "url": f"{base_url}/{e['file']}",
            **({"lang": e["language"]} if e.get("language") in ("de", "en") else {}),
            "areas": list(e.get("areas") or e.get("default_areas") or []),
            "visibility": e.get("visibility", "public"), "poll_minutes": int(e.get("poll_minutes", 60)),
        })
    return list(parse_sources({"sources": sources}, str(FEEDS_DIR / "MANIFEST.yaml")))


def _agreement_with_intent(cur: Any) -> float:
    """Share of bundled feed items whose primary area (or "none") matches what the editors who
    wrote them intended (expected_items.jsonl); printed so people can judge the tagger."""
    expected = {}
    for line in (DEMO_DIR / "expected_items.jsonl").read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        expected[e["title"]] = e["areas"][0] if e["areas"] else None
    hits = total = 0
    for item in cur.items.list(ItemQuery(limit=100_000)):
        if item.title in expected:
            total += 1
            hits += (item.areas[0] if item.areas else None) == expected[item.title]
    return hits / total if total else 0.0


DEMO_DAYS_AFTER_NEWEST = 2
"""The demo acts as if it ran this many days after its newest bundled story (see :class:`DemoClock`)."""


class DemoClock:
    """The demo's time: it starts :data:`DEMO_DAYS_AFTER_NEWEST` days after the newest bundled
    story and runs on from there. The bundled content is fixed in time, so the demo's digest covers
    the same stories whenever it runs, and what it sends lies in the past for ``curator serve``
    (clicks on its links count as people's, not as a scanner's right after delivery)."""

    def __init__(self) -> None:
        newest = max(datetime.fromisoformat(json.loads(line)["published"])
                     for line in (DEMO_DIR / "expected_items.jsonl").read_text(encoding="utf-8").splitlines()
                     if line.strip())
        self._start = newest.astimezone(UTC) + timedelta(days=DEMO_DAYS_AFTER_NEWEST)
        self._started = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._started)


def curator_command() -> str:
    """How to call curator as this process was: the ``curator`` script next to the running Python
    (a virtual environment's ``.venv/bin/curator``), else ``curator`` on the PATH."""
    script = Path(sys.executable).with_name("curator")
    return str(script) if script.exists() else "curator"


def demo_settings_file(out: Path, *, port: int, encoder: str, secret_key: str) -> tuple[Path, dict[str, Any]]:
    """Write (or update) ``out/curator.yaml``, the settings the demo runs with and that
    ``curator --config out/curator.yaml serve`` reads afterwards: the database, the outbox, the
    base URL the emails' links point at, and the secret key that signs them, kept from an earlier
    run of the demo in ``out`` (else ``secret_key``, else a new one). The file is readable by
    its owner only (it holds the key)."""
    path = out / "curator.yaml"
    kept: dict[str, Any] = {}
    if path.exists():
        kept = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    values = {
        "database_url": f"sqlite:///{out / 'curator.db'}", "feeds_file": str(out / "no-feeds.yaml"),
        "outbox_dir": str(out / "outbox"), "base_url": f"http://127.0.0.1:{port}", "encoder": encoder,
        "secret_key": kept.get("secret_key") or secret_key or secrets.token_hex(32),
    }
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)
    path.write_text("# Settings of `curator demo` (written by it); also for: curator --config THIS-FILE serve\n"
                    + yaml.safe_dump(values, sort_keys=False), encoding="utf-8")
    return path, values


def run_demo(directory: str, *, fresh: bool = True, echo: Callable[[str], None] = print,
             port: int = 8000) -> dict[str, Any]:
    """Run every stage that exists on the bundled content; returns figures for tests. The
    emails' links point at ``http://127.0.0.1:<port>``, where ``curator serve`` started as the
    demo prints at the end answers them."""
    out = Path(directory).resolve()
    out.mkdir(parents=True, exist_ok=True)
    db = out / "curator.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(out / "outbox", ignore_errors=True)
    defaults = load_settings(database_url=f"sqlite:///{db}")  # the encoder and key from the environment
    config, values = demo_settings_file(out, port=port, encoder=defaults.encoder, secret_key=defaults.secret_key)
    settings = load_settings(config, fetch_allowed_networks=("127.0.0.1/32",), **values)
    figures: dict[str, Any] = {"config": str(config), "base_url": settings.base_url}
    started = time.monotonic()
    echo(f"curator demo: database {db}")
    with make_curator(settings, clock=DemoClock()) as cur, serve_directory(FEEDS_DIR) as base:
        # 1. sources
        sources = demo_sources(base)
        cur.sources.sync(sources)
        echo(f"\n1. Sources: {len(sources)} bundled feeds served from {base} (RSS, Atom, JSON Feed)")
        # 2. collect
        results = list(cur.sources.collect(force=True))
        for r in sorted(results, key=lambda r: r.source_id):
            echo(f"   {r.source_id:24} {'ERROR ' + r.error if r.error else f'{r.new} new, {r.updated} updated'}")
        figures["collected"] = sum(r.new + r.updated + r.unchanged for r in results)
        figures["collect_errors"] = [r.source_id for r in results if r.error]
        # 3. member posts
        posts_file = DEMO_DIR / "posts.jsonl"
        approved = rejected = 0
        if posts_file.exists():
            for line in posts_file.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                p = json.loads(line)
                post = cur.posts.submit(title=p["title"], text=p["text"], link=p.get("link"),
                                       author_name=p["author"], author_email=p.get("email"),
                                       organisation=p.get("organisation"), lang=p.get("lang"))
                if p.get("demo_decision") == "reject":
                    cur.posts.reject(post.id, editor="editor@cluster.example",
                                    reason=p.get("demo_reason") or "Advertising rather than thought leadership")
                    rejected += 1
                elif p.get("demo_decision") != "pending":
                    cur.posts.approve(post.id, editor="editor@cluster.example")
                    approved += 1
        pending = len(cur.posts.list("pending"))
        echo(f"\n2. Member posts: {approved} approved, {rejected} rejected, {pending} waiting for an editor")
        figures.update(posts_approved=approved, posts_rejected=rejected, posts_pending=pending)
        # 4. tagging and duplicates
        echo("\n3. Tagging with the five subject areas (encoder: " + settings.encoder + ")")
        run = cur.tagging.tag(progress=sys.stderr.isatty())  # a bar while the model encodes
        echo(f"   {run.tagged} items tagged: " + ", ".join(f"{a} {n}" for a, n in run.by_area.items())
             + f"; no area (off-topic): {run.untagged}")
        echo(f"   {run.duplicates} items folded as duplicates of the same story from another source")
        figures.update(tagged=run.tagged, by_area=run.by_area, untagged=run.untagged, duplicates=run.duplicates)
        figures["tag_agreement"] = _agreement_with_intent(cur)
        echo(f"   agreement with the editors' intended primary area: {figures['tag_agreement']:.0%}")
        # 5. members and ranked feeds, then the newsletter
        run_members_stage(cur, echo, figures)
        stored = cur.feeds.refresh()  # what the worker's rank_feeds job does: pages read these rows
        echo(f"   ranked feeds stored for {stored.members} members and {stored.personas} persona feeds "
             f"({stored.items} candidate items)")
        run_newsletter_stage(cur, echo, figures)
        figures["accounts"] = demo_accounts(cur, out, figures)
        # summary
        all_items = cur.items.list(ItemQuery(limit=100_000))
        langs = Counter(i.lang or "?" for i in all_items)
        figures["items"] = len(all_items)
        figures["langs"] = dict(langs)
        echo(f"\nStored {len(all_items)} items ({', '.join(f'{n} {k}' for k, n in langs.most_common())}) "
             f"in {time.monotonic() - started:.1f} s.")
    exe = curator_command()
    echo("\nLook around:")
    echo(f"  {exe} --database sqlite:///{db} sources")
    echo(f"  {exe} --database sqlite:///{db} items list --lang de")
    echo(f"  {exe} --database sqlite:///{db} posts list")
    if figures.get("digest_issue"):
        echo(f"  {exe} --config {config} digest report {figures['digest_issue']}")
    accounts = figures.get("accounts") or {}
    serve = f"{exe} --config {config} serve --port {port}"
    figures["serve_command"] = serve
    echo("\nThe web app (member area, editor console; the links in the demo's emails work while it runs):")
    echo(f"  {serve}")
    echo(f"  then open {settings.base_url}/auth/login and use \"Or sign in with a password\":")
    for role, (email, password) in accounts.items():
        where = f"{settings.base_url}/editor/" if role == "editor" else f"{settings.base_url}/"
        echo(f"    {role:7} {email}  password {password}  -> {where}")
    if accounts:
        echo(f"  (also written to {out / 'sign-in.txt'})")
    return figures
