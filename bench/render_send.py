"""Benchmark: personalised digest rendering and SMTP delivery (issue 5).

    .venv/bin/python bench/render_send.py [--members 10000] [--sample 200] [--send 2000]

1. Renders ``--members`` personalised digests (HTML + text, each member with their own language,
   areas, clubs, tracking consent and picks) with MJML compiled once per language, then renders
   ``--sample`` of them both ways, interleaved (MJML compiled per member, the slow path, against
   the compiled template), and prints the ratio.
2. Sends an approved issue to ``--send`` members through the full delivery path (recipient
   freeze, per-member re-check, render, SMTP to a local aiosmtpd, state written before and
   after each message) and prints messages per second.

Everything runs locally: a temporary SQLite database and an aiosmtpd sink on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator
from curator.delivery import SmtpSender
from curator.newsletter.picks import newest_in_member_areas
from curator.rendering import EmailRenderer
from curator.types import AREA_IDS, Item, Member, ParsedItem, Source

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


class Directory:
    """In-memory members (rendering speed is measured, not member storage)."""

    def __init__(self, members: Sequence[Member]) -> None:
        self.by_id = {m.id: m for m in members}

    def all_members(self) -> Sequence[Member]:
        return list(self.by_id.values())

    def for_send_run(self) -> Directory:
        return self

    def get_member(self, member_id: int) -> Member | None:
        return self.by_id.get(member_id)

    def personal_picks(self, member: Member, candidates: Sequence[Item], limit: int) -> Sequence[Item]:
        return newest_in_member_areas(member, candidates, limit)


SINK = """
import sys, time
from aiosmtpd.controller import Controller
class H:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        H.count += 1
        return "250 OK"
c = Controller(H(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print("ready", flush=True)
sys.stdin.read()
c.stop()
print(H.count, flush=True)
"""


def make_members(n: int, rng: random.Random) -> list[Member]:
    out = []
    for i in range(n):
        areas = tuple(rng.sample(AREA_IDS, rng.randint(1, 3)))
        out.append(Member(id=100_000 + i, email=f"member{i}@bench.example", name=f"Member {i} Example",
                          organisation="Bench GmbH", language="de" if i % 3 else "en",
                          status="member" if i % 10 else "registered", declared_areas=areas,
                          tracking_consent=bool(i % 2), clubs=frozenset({"it-exec"}) if i % 17 == 0 else frozenset()))
    return out


def seed_items(cur, rng: random.Random, n: int = 80) -> None:  # type: ignore[no-untyped-def]
    src = {v: Source(id=f"bench-{v.replace(':', '-')}", title=f"Bench {v}", url=f"https://{v.replace(':', '-')}.example/f",
                     visibility=v) for v in ("public", "members", "club:it-exec")}
    store = cur.storage
    for s in src.values():
        cur.storage.ensure_internal_source(s, NOW)
    for k in range(n):
        vis = "public" if k % 4 else ("members" if k % 8 else "club:it-exec")
        text = " ".join(rng.choice(["Digital", "platform", "skills", "regulation", "AI", "cloud", "SME", "funding",
                                    "Hamburg", "transformation", "data", "work"]) for _ in range(80))
        res = cur.storage.upsert_items(src[vis], [ParsedItem(
            key=f"b{k}", title=f"Bench article {k}: {text[:50]}", url=f"https://news.example/{k}",
            canonical_url=None, summary=text[:300], content_html="", text=text, author=None,
            published=NOW - timedelta(hours=k), updated=None, lang="de" if k % 2 else "en", content_hash=f"b{k}")], NOW)
        store.set_item_areas(res.new_ids[0], {rng.choice(AREA_IDS): 0.9}, NOW)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=200)
    ap.add_argument("--send", type=int, default=2_000)
    args = ap.parse_args()
    rng = random.Random(5)
    tmp = Path(tempfile.mkdtemp(prefix="curator-bench-"))
    settings = Settings(database_url=f"sqlite:///{tmp / 'bench.db'}", secret_key="bench-secret-0123456789abcdef",
                        base_url="https://curator.example", encoder="fake",
                        mail_from="DigitalCluster Digest <digest@cluster.example>", outbox_dir=str(tmp / "outbox"))
    members = make_members(max(args.members, args.send), rng)
    renderer = EmailRenderer(settings.templates_dir)
    cur = make_curator(settings, clock=FixedClock(NOW), member_directory=Directory(members), email_renderer=renderer)
    seed_items(cur, rng)
    issue = cur.digests.draft("everyone", editor="bench")
    issue = cur.digests.approve(issue.id, editor="bench")
    content = cur.digests._issue_content(issue)

    # -- 1. rendering, compiled once
    t0 = time.perf_counter()
    total_bytes = 0
    for m in members[: args.members]:
        r = renderer.render(cur.digests.view(issue, m, content))
        total_bytes += len(r.html) + len(r.text)
    once = time.perf_counter() - t0
    compiles = renderer.compile_count
    # -- the view alone (what is not rendering)
    t0 = time.perf_counter()
    for m in members[: args.sample]:
        cur.digests.view(issue, m, content)
    view_only = (time.perf_counter() - t0) / args.sample
    # -- compile per member, on a sample, interleaved with compile-once renders of the same
    #    members so that both see the same machine load (the ratio is the figure that matters)
    t_once = t_per = 0.0
    for m in members[: args.sample]:
        view = cur.digests.view(issue, m, content)
        t0 = time.perf_counter()
        renderer.render(view)
        t1 = time.perf_counter()
        renderer.render(view, compile_once=False)
        t_once += t1 - t0
        t_per += time.perf_counter() - t1
    per_member = t_per / args.sample
    sample_once = t_once / args.sample
    per_once = once / args.members

    # -- 2. sending through SMTP
    # the sink runs in its own process, as a mail server would (no GIL sharing with the sender)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = subprocess.Popen([sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    try:
        send_directory = Directory(members[: args.send])
        cur = make_curator(settings, clock=FixedClock(NOW), member_directory=send_directory, migrate=False)
        send_issue = cur.digests.draft("everyone", period="bench-send", editor="bench")
        cur.digests.approve(send_issue.id, editor="bench")
        t0 = time.perf_counter()
        report = cur.digests.send(send_issue.id, sender=SmtpSender("127.0.0.1", port, security="none",
                                                                 max_per_connection=1000))
        send_s = time.perf_counter() - t0
        # the transport alone: one prebuilt digest sent again and again (the sink's own limit)
        sample = cur.digests.deliveries(send_issue.id)[0]
        data = cur.digests._preparer(cur.digests.get(send_issue.id), cur.digests._issue_content(cur.digests.get(send_issue.id)),
                             send_directory, "digest@cluster.example")(sample).data  # type: ignore[union-attr]
        raw = SmtpSender("127.0.0.1", port, security="none", max_per_connection=1000)
        n_raw = min(500, args.send)
        t0 = time.perf_counter()
        for k in range(n_raw):
            raw.send("digest@cluster.example", f"raw{k}@bench.example", data, f"<raw{k}@bench>")
        raw_s = time.perf_counter() - t0
        raw.close()
    finally:
        out, _ = sink.communicate("", timeout=60)
    sink_count = int(out.strip().splitlines()[-1])
    cur.close()

    print(f"curator bench/render_send.py  ({platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, SQLite)")
    print(f"rendering {args.members:,} personalised digests (HTML + text), MJML compiled once per language "
          f"({compiles} compiles): {once:.1f} s = {per_once * 1000:.2f} ms/digest, "
          f"{args.members / once:,.0f} digests/s, {total_bytes / args.members / 1024:.0f} KiB/digest")
    print(f"  of which building the member's view (picks, links, tokens): {view_only * 1000:.2f} ms/digest")
    print(f"same {args.sample} members, interleaved: MJML compiled per member {per_member * 1000:.2f} ms vs "
          f"compiled once {sample_once * 1000:.2f} ms per render -> compile-once is "
          f"{per_member / sample_once:.1f}x faster (template filling only)")
    print(f"sending {args.send:,} messages to aiosmtpd on 127.0.0.1 (full path: freeze, re-check, render, "
          f"SMTP, state before+after each): {report.sent:,} sent in {send_s:.1f} s = {report.sent / send_s:,.0f} msg/s "
          f"(sink counted {sink_count:,})")
    print(f"  the transport alone (the same {len(data) / 1024:.0f} KiB message {n_raw} times, one connection): "
          f"{n_raw / raw_s:,.0f} msg/s -> the rest of the path costs "
          f"{(send_s / report.sent - raw_s / n_raw) * 1000:.1f} ms/message")


if __name__ == "__main__":
    main()
