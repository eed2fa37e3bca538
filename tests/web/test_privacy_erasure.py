"""Erasure leaves no trace (issue 10, item 3; RELIABILITY T06), on SQLite and PostgreSQL.

Bob uses everything that stores something about a person (feedback with a note, interests, a
profile, a colleague send both ways, an account with a session, API token, sign-in link and RSS
token, a published and an unpublished post, digests delivered, bounced and still pending, an
unsubscribe), then erases his data. Every table, found through the schema's metadata, is scanned
for his address, his name and his free text. A person imported next gets a new id, and Bob's old
unsubscribe, preferences and RSS links resolve to nobody; re-importing Bob does not restart his
newsletters.
"""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from flask.testing import FlaskClient

from curator.core import Curator
from curator.delivery import OutboxSender, Outcome
from curator.storage.schema import metadata

from .conftest import ALICE, ANNA, BOB, EDITOR, WebWorld, csrf_of

NAME = "Bob Brandt"
INTERESTS = "rare-interest-QX7 industrial robotics"
NOTE = "private-note-ZK4 for Anna"
API_NAME = "laptop-token-PL9"
UNPUBLISHED = "unpublished-draft-VB2 about our lab, long enough to be a post."
PUBLISHED = "published-post-NM5: our new lab opens to small companies in spring."
TRACES = (BOB, NAME, INTERESTS, NOTE, API_NAME, UNPUBLISHED)
"""His address, his name and his free text. (His organisation is the cluster's member company,
not him: it stays in ``organisations`` for his colleagues there.)"""


def traces(cur: Curator, needles: tuple[str, ...] = TRACES) -> list[tuple[str, str]]:
    """(table, needle) for every table holding any needle, in any case, in any column."""
    hits = []
    with cur.storage.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).all():
                text = repr(tuple(row)).lower()
                hits += [(table.name, n) for n in needles if n.lower() in text]
    return sorted(set(hits))


class BouncingBob(OutboxSender):
    """An outbox that bounces Bob with the kind of text a mail server sends: his address in it."""

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        if recipient == BOB:
            return Outcome("permanent", f"550 5.1.1 <{BOB}>: Recipient address rejected: mailbox full")
        return super().send(envelope_from, recipient, data, message_id)


def bob_leaves_traces_everywhere(world: WebWorld, bob: FlaskClient, out: Path) -> tuple[dict[str, str], list[int]]:
    """Everything Bob does before he erases his data. Returns his old links and the digest issues:
    one delivered, one that bounced him, one whose send has only started (all still pending)."""
    cur = world.cur
    pub = world.items["pub-0"]
    tok = csrf_of(bob, "/me/preferences")
    bob.post("/me/preferences", data={"csrf_token": tok, "language": "en", "areas": ["company"], "interests": INTERESTS,
                                      "frequency": "weekly", "tracking": "on", "colleague_mail": "on"})
    bob.post(f"/items/{pub}/feedback", data={"csrf_token": tok, "action": "rating", "value": "5"})
    bob.post(f"/items/{pub}/feedback", data={"csrf_token": tok, "action": "save"})
    assert bob.post(f"/items/{pub}/send", data={"csrf_token": tok, "to": ANNA, "note": NOTE}).status_code == 302
    alice = world.client(ALICE)
    assert alice.post(f"/items/{pub}/send", data={"csrf_token": csrf_of(alice, "/me/preferences"), "to": BOB,
                                                   "note": "for Bob"}).status_code == 302
    bob.post("/me/rss", data={"csrf_token": tok})
    rss = re.search(r"/rss/([A-Za-z0-9_.\-]+)", bob.get("/me/preferences").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    bob_user = cur.accounts.user_by_email(BOB)
    assert bob_user is not None
    cur.accounts.create_api_token(bob_user.id, API_NAME)
    cur.accounts.request_signin_link(BOB)
    cur.feedback.refresh_profiles()
    cur.posts.submit(title="Draft", text=UNPUBLISHED, author_name=NAME, author_email=BOB, organisation="Brandt GmbH")
    published = cur.posts.submit(title="Lab opening", text=PUBLISHED, author_name=NAME, author_email=BOB,
                                 organisation="Brandt GmbH")
    cur.posts.approve(published.id, editor=EDITOR)
    issues = []
    for n, sender in enumerate((OutboxSender(out), BouncingBob(out), OutboxSender(out))):
        issue = cur.digests.draft("everyone", kind="digest" if n == 0 else "special", pins=[pub], editor=EDITOR)
        cur.digests.approve(issue.id, editor=EDITOR)
        cur.digests.send(issue.id, sender=sender, should_stop=(lambda: True) if n == 2 else (lambda: False))
        issues.append(issue.id)
    rendered = cur.digests.render_for(issues[0], cur.members.get(BOB)).text
    links = {"unsubscribe": re.search(r"/u/([A-Za-z0-9_.\-]+)", rendered).group(1),  # type: ignore[union-attr]
             "preferences": re.search(r"/preferences/([A-Za-z0-9_.\-]+)", rendered).group(1),  # type: ignore[union-attr]
             "rss": rss}
    assert cur.digests.unsubscribe(links["unsubscribe"])
    return links, issues


def test_erasure_leaves_no_trace_ids_are_not_reused_and_old_links_are_dead(world: WebWorld, tmp_path: Path) -> None:
    cur = world.cur
    bob = world.client(BOB)
    links, issues = bob_leaves_traces_everywhere(world, bob, tmp_path / "out")
    old_member_id, old_user = cur.members.get(BOB).id, cur.accounts.user_by_email(BOB)
    assert old_user is not None
    counts = {i: cur.digests.delivery_counts(i) for i in issues}
    assert counts[issues[0]].get("sent") and counts[issues[1]].get("failed") == 1 and counts[issues[2]].get("pending")
    assert {("deliveries", BOB), ("suppressions", BOB), ("feedback_events", NOTE), ("members", INTERESTS),
            ("members", NAME), ("member_posts", UNPUBLISHED), ("items", NAME), ("web_api_tokens", API_NAME),
            ("web_signin_tokens", BOB), ("web_users", BOB)} <= set(traces(cur))  # the scan finds what is there

    r = bob.post("/me/data/erase", data={"csrf_token": csrf_of(bob, "/me/data"), "confirm": "yes"})
    assert r.status_code == 200

    assert traces(cur) == []
    # what others did stays; Bob's published post stays, without him
    assert cur.members.get(ANNA) and cur.members.get(ALICE)
    assert [e.to_member_id for e in cur.feedback.of_member(cur.members.get(ALICE)) if e.kind == "send"] == [None]
    assert [i.author for i in cur.items.list() if PUBLISHED in i.text] == [None]
    # delivery rows keep their state for the counts, without an address; the started send skips him
    counts[issues[2]] = {"pending": counts[issues[2]]["pending"] - 1, "skipped": 1}
    assert {i: cur.digests.delivery_counts(i) for i in issues} == counts
    rows = [d for i in issues for d in cur.digests.deliveries(i) if d.member_id == old_member_id]
    assert [(d.state, d.email) for d in rows] == [("sent", None), ("failed", None), ("skipped", None)]

    # a person imported next gets a new id; Bob's old links name nobody
    cur.members.import_file("email,name,organisation,language\nnora@new.example,Nora New,New AG,en\n")
    nora = cur.members.get("nora@new.example")
    assert nora.id > old_member_id
    assert cur.accounts.create("nora@new.example").id > old_user.id
    assert cur.digests.unsubscribe_target(links["unsubscribe"]) is None
    assert cur.digests.preferences_target(links["preferences"]) is None
    assert cur.accounts.rss_user(links["rss"]) is None
    anon = world.app.test_client()
    for url in (f"/u/{links['unsubscribe']}", f"/preferences/{links['preferences']}", f"/rss/{links['rss']}"):
        assert anon.get(url).status_code == 404, url
    assert anon.post(f"/u/{links['unsubscribe']}").status_code == 404

    # Bob imported again is a new person to curator, but the hashed suppression keeps newsletters off
    cur.members.import_file(f"email,name,organisation,language\n{BOB},{NAME},Brandt GmbH,en\n")
    again = cur.members.get(BOB)
    assert again.id > nora.id
    assert cur.digests.unsubscribe_target(links["unsubscribe"]) is None
    assert cur.digests.is_unsubscribed(again) and not cur.digests.is_unsubscribed(nora)
    fresh = cur.digests.draft("everyone", kind="special", editor=EDITOR)
    emails = {m.email for m in cur.digests.recipients(fresh)}
    assert "nora@new.example" in emails and BOB not in emails
