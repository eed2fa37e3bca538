"""A small, real world for newsletter tests: members (with a club), items (one restricted club
item carrying a canary string), stored through the real storage layer on SQLite or PostgreSQL."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from curator.core import Curator
from curator.types import Club, Member, MemberRecord, ParsedItem, Source

CANARY = "CANARY-itexec-5b1e9d"
"""Planted in a club-only item: it must never reach anyone outside the IT Executive Club (I4)."""
SECRET = "test-secret-key-0123456789abcdef"
EDITOR = "editor@cluster.example"


@dataclass
class World:
    cur: Curator
    members: dict[str, Member]
    items: dict[str, int] = field(default_factory=dict)

    @property
    def club_member_emails(self) -> set[str]:
        return {m.email for m in self.members.values() if "it-exec" in m.clubs and m.status == "member"}


MEMBERS = [
    MemberRecord(email="alice@example.org", name="Alice Adler", organisation="Adler IT", language="en",
                 clubs=("it-exec",), declared_areas=("technology",), tracking_consent=True),
    MemberRecord(email="bernd@example.org", name="Bernd Brandt", organisation="Brandt GmbH", language="de",
                 declared_areas=("company", "work")),
    MemberRecord(email="carla@example.org", name="Carla Conti", organisation=None, language="en",
                 membership="registered", declared_areas=("society",)),
    MemberRecord(email="dora@example.org", name="Dora Dietz", organisation="Dietz AG", language="de",
                 declared_areas=("government",)),
]


def _parsed(key: str, title: str, text: str, url: str | None, published: datetime, lang: str = "en") -> ParsedItem:
    return ParsedItem(key=key, title=title, url=url, canonical_url=url, summary=text[:300], content_html=f"<p>{text}</p>",
                      text=text, author=None, published=published, updated=None, lang=lang, content_hash=key)


def build_world(cur: Curator, members: list[MemberRecord] | None = None) -> World:
    now = cur.clock.now()
    store = cur.storage
    store.ensure_club(Club("it-exec", "IT Executive Club", "IT Executive Club"), now)
    out: dict[str, Member] = {}
    for rec in members or MEMBERS:
        store.upsert_member(rec, now, grant_clubs_by=EDITOR)
    for m in store.list_members():
        out[m.email] = m
    w = World(cur, out)
    sources = {
        "news": Source(id="news", title="Digital News", url="https://news.example/feed", visibility="public"),
        "members": Source(id="members-only", title="Members Briefing", url="https://m.example/feed",
                          visibility="members"),
        "club": Source(id="itexec-briefing", title="IT Exec Briefing", url="https://club.example/feed",
                       visibility="club:it-exec"),
        "events": Source(id="events", title="Cluster events", url="https://events.example/feed", kind="event"),
    }
    for src in sources.values():
        cur.storage.ensure_internal_source(src, now)
    areas = ["technology", "company", "work", "society", "government"]
    for n in range(6):
        res = cur.storage.upsert_items(sources["news"], [_parsed(
            f"news-{n}", f"Public article {n} about {areas[n % 5]}", f"Body of public article {n}. " * 5,
            f"https://news.example/a/{n}", now - timedelta(days=1, hours=n))], now)
        w.items[f"news-{n}"] = res.new_ids[0]
        store.set_item_areas(res.new_ids[0], {areas[n % 5]: 0.9}, now)
    res = cur.storage.upsert_items(sources["members"], [_parsed(
        "brief-1", "Members briefing on funding", "Only for members of the cluster.", "https://m.example/1",
        now - timedelta(hours=5))], now)
    w.items["members-1"] = res.new_ids[0]
    store.set_item_areas(res.new_ids[0], {"government": 0.8}, now)
    res = cur.storage.upsert_items(sources["club"], [_parsed(
        "club-1", f"Confidential CIO round table {CANARY}", f"Discretion is a must. {CANARY}",
        "https://club.example/1", now - timedelta(hours=2))], now)
    w.items["club-1"] = res.new_ids[0]
    store.set_item_areas(res.new_ids[0], {"technology": 0.95}, now)
    res = cur.storage.upsert_items(sources["events"], [_parsed(
        "event-1", "Cluster evening: AI in SMEs", "Join us on Thursday.", "https://events.example/1",
        now - timedelta(hours=30))], now)
    w.items["event-1"] = res.new_ids[0]
    post = cur.posts.submit(title="Our take on new work", text="Hybrid teams need new rituals. " * 3,
                           author_name="Bernd Brandt", organisation="Brandt GmbH", lang="en", visibility="members")
    approved = cur.posts.approve(post.id, editor=EDITOR)
    assert approved.item_id is not None
    w.items["post-1"] = approved.item_id
    return w


def check_send_invariants(cur: Curator, sink: object, issue_id: int, eligible_emails: set[str],
                          club_emails: set[str] | None = None) -> dict[str, str]:
    """RELIABILITY 4.5: I1-I4 after a completed run. Returns {email: state}."""
    deliveries = cur.digests.deliveries(issue_id)
    states = {d.email: d.state for d in deliveries}
    copies = Counter(r.lower() for m in sink.received for r in m.rcpt_tos)  # type: ignore[attr-defined]
    # I2: every eligible member ends in exactly one final state
    assert set(states) == eligible_emails, (set(states) ^ eligible_emails)
    assert all(s in {"sent", "failed", "uncertain", "skipped"} for s in states.values()), states
    # I1: at most one copy unless uncertain
    for addr, n in copies.items():
        assert n <= 1 or states.get(addr) == "uncertain", (addr, n, states.get(addr))
    # every message has exactly one envelope recipient
    assert all(len(m.rcpt_tos) == 1 for m in sink.received)  # type: ignore[attr-defined]
    # I3: no stray recipients
    assert set(copies) <= eligible_emails
    # I4: no canary outside the club
    if club_emails is not None:
        for m in sink.received:  # type: ignore[attr-defined]
            if m.rcpt_tos[0].lower() not in club_emails:
                assert CANARY not in m.data.decode("utf-8", "replace")
                assert CANARY not in m.text()
    return states
