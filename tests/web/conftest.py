"""A small real world for the web tests: members in and outside a club, a registered non-member,
an editor and an admin, public/members/club items (the club item carries a canary string), a
hostile item and a hostile pending post. Everything is stored through the real storage layer on
SQLite (and PostgreSQL when CURATOR_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator, make_curator
from curator.delivery import Outcome
from curator.types import Club, MemberRecord, ParsedItem, Source
from curator.web import create_app

SECRET = "web-test-secret-0123456789abcdef"
CANARY = f"CANARY-RESTRICTED-{uuid.uuid4().hex}"
XSS_TITLE = '<img src=x onerror="alert(1)">"><script>alert("t")</script>'
XSS_HTML = ('<p>fine</p><script>window.__pwned=1</script><img src="x" onerror="window.__pwned=2">'
            '<a href="javascript:window.__pwned=3">x</a><svg onload="window.__pwned=4"></svg>'
            '<iframe src="javascript:alert(1)"></iframe><style>body{display:none}</style>')
PASSWORD = "correct horse battery"


class RecordingSender:
    """The edge of the world for account mail in unit tests: keeps what would be sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, bytes]] = []

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        self.messages.append((recipient, data))
        return Outcome("sent")

    def close(self) -> None:
        pass

    def links_for(self, email: str) -> list[str]:
        out = []
        for to, data in self.messages:
            if to == email:
                out += re.findall(r"/auth/link/([A-Za-z0-9_\-]+)", data.decode("utf-8", "replace"))
        return out


@dataclass
class WebWorld:
    cur: Curator
    app: Flask
    mail: RecordingSender
    items: dict[str, int] = field(default_factory=dict)
    posts: dict[str, int] = field(default_factory=dict)
    member_ids: dict[str, int] = field(default_factory=dict)

    def client(self, email: str | None = None) -> FlaskClient:
        c = self.app.test_client()
        if email:
            login(c, self, email)
        return c


ALICE, ANNA, BOB, RITA = "alice@adler.example", "anna@adler.example", "bob@brandt.example", "rita@reg.example"
EDITOR, ADMIN = "editor@cluster.example", "admin@cluster.example"


def csrf_of(client: FlaskClient, path: str = "/auth/login") -> str:
    html = client.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, f"no CSRF token on {path}"
    return m.group(1)


def login(client: FlaskClient, world: WebWorld, email: str) -> None:
    """Sign in the way a person does: ask for a link, open it, confirm."""
    token = csrf_of(client)
    world.mail.messages.clear()
    world.cur.accounts.throttle_clear(f"link:{email}")
    r = client.post("/auth/link", data={"email": email, "csrf_token": token})
    assert r.status_code == 200
    links = world.mail.links_for(email)
    assert links, f"no sign-in link was mailed to {email}"
    page = client.get(f"/auth/link/{links[-1]}")
    assert page.status_code == 200
    r = client.post(f"/auth/link/{links[-1]}", data={"csrf_token": csrf_of(client, f"/auth/link/{links[-1]}")})
    assert r.status_code == 302, r.get_data(as_text=True)


def _parsed(key: str, title: str, text: str, html: str | None = None, lang: str = "en", when: Any = None) -> ParsedItem:
    return ParsedItem(key=key, title=title, url=f"https://news.example/{key}", canonical_url=f"https://news.example/{key}",
                      summary=text[:300], content_html=html if html is not None else f"<p>{text}</p>", text=text,
                      author=None, published=when, updated=None, lang=lang, content_hash=key)


def build_world(cur: Curator, mail: RecordingSender) -> WebWorld:
    now = cur.clock.now()
    store = cur.storage
    cur.members.ensure_clubs()
    store.ensure_club(Club("womens-club", "Women's Club", "Women's Club"), now)
    for rec in [
        MemberRecord(email=ALICE, name="Alice Adler", organisation="Adler IT", language="en",
                     clubs=("it-executive",), declared_areas=("technology",)),
        MemberRecord(email=ANNA, name="Anna Amsel", organisation="Adler IT", language="de", declared_areas=("work",)),
        MemberRecord(email=BOB, name="Bob Brandt", organisation="Brandt GmbH", language="en",
                     declared_areas=("company",)),
        MemberRecord(email="zoe@zeta.example", name="Zoe Zeta", organisation="Zeta AG", language="en"),
        MemberRecord(email=RITA, name="Rita Reg", organisation=None, language="en", membership="registered"),
    ]:
        store.upsert_member(rec, now, grant_clubs_by="editor@cluster.example")
    cur.accounts.create(EDITOR, role="editor", password=PASSWORD)
    cur.accounts.create(ADMIN, role="admin", password=PASSWORD)
    w = WebWorld(cur, create_app(cur, testing=True), mail)
    w.member_ids = {m.email: m.id for m in store.list_members()}
    srcs = {
        "public": Source(id="news", title="Digital News", url="https://news.example/feed"),
        "members": Source(id="members-brief", title="Members Brief", url="https://m.example/feed", visibility="members"),
        "club": Source(id="itexec", title="IT Exec Briefing", url="https://c.example/feed",
                       visibility="club:it-executive"),
    }
    for s in srcs.values():
        cur.storage.ensure_internal_source(s, now)
    areas = ["technology", "company", "work", "society", "government"]
    for n in range(8):
        res = cur.storage.upsert_items(srcs["public"], [_parsed(
            f"pub-{n}", f"Public article {n} on {areas[n % 5]}", f"Text of public article {n} about digital things. " * 4,
            lang="de" if n % 2 else "en", when=now - timedelta(hours=n + 1))], now)
        w.items[f"pub-{n}"] = res.new_ids[0]
        store.set_item_areas(res.new_ids[0], {areas[n % 5]: 0.9}, now)
    res = cur.storage.upsert_items(srcs["members"], [_parsed(
        "mem-1", "Members only funding briefing", "Only for members of the cluster: funding calls.",
        when=now - timedelta(hours=2))], now)
    w.items["members"] = res.new_ids[0]
    store.set_item_areas(res.new_ids[0], {"government": 0.8}, now)
    res = cur.storage.upsert_items(srcs["club"], [_parsed(
        "club-1", f"Club secret {CANARY}", f"Confidential for the IT Executive Club: {CANARY}.",
        when=now - timedelta(hours=1))], now)
    w.items["club"] = res.new_ids[0]
    store.set_item_areas(res.new_ids[0], {"technology": 0.95}, now)
    res = cur.storage.upsert_items(srcs["public"], [_parsed(
        "xss-1", XSS_TITLE, "Hostile item text that is long enough.", html=XSS_HTML, when=now - timedelta(minutes=30))], now)
    w.items["xss"] = res.new_ids[0]
    store.set_item_areas(res.new_ids[0], {"technology": 0.7}, now)
    w.posts["xss"] = cur.posts.submit(title='Post <script>window.__pwned=5</script>',
                                     text='Hello <img src=x onerror="window.__pwned=6"> members, a long enough text.',
                                     author_name="Bob Brandt", author_email=BOB, organisation="Brandt GmbH").id
    w.posts["club"] = cur.posts.submit(title=f"Club post {CANARY}", text=f"Only for the club. {CANARY} text text.",
                                      author_name="Alice Adler", author_email=ALICE, visibility="club:it-executive").id
    return w


@pytest.fixture
def web_settings(settings: Settings) -> Settings:
    return settings.replace(secret_key=SECRET, base_url="http://127.0.0.1:8000",
                            mail_from="DigitalCluster <news@cluster.example>")


@pytest.fixture
def web_mail() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def web_cur(web_settings: Settings, clock: FixedClock, web_mail: RecordingSender) -> Iterator[Curator]:
    c = make_curator(web_settings, clock=clock, account_sender=web_mail)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def world(web_cur: Curator, web_mail: RecordingSender) -> WebWorld:
    return build_world(web_cur, web_mail)
