"""The web archive of sent digests: every email's "view in browser" link opens that member's copy
without sign-in; signed-in members list and open the issues of their segments; nobody outside a
club sees a club issue or a club item through the archive (design note "The web archive")."""

from __future__ import annotations

import email
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import urlsplit

from curator.delivery import OutboxSender
from curator.types import DigestIssue

from .conftest import ALICE, ANNA, BOB, CANARY, EDITOR, RITA, WebWorld


def sent_issue(world: WebWorld, segment: str, outbox: Path, pins: list[int] | None = None) -> DigestIssue:
    digests = world.cur.digests
    issue = digests.draft(segment, editor=EDITOR, pins=pins)
    digests.approve(issue.id, editor=EDITOR)
    digests.send(issue.id, sender=OutboxSender(outbox))
    return digests.get(issue.id)


def received(outbox: Path, address: str) -> list[EmailMessage]:
    out = []
    for path in sorted(outbox.glob("*.eml")):
        msg = email.message_from_bytes(path.read_bytes(), policy=default_policy)
        if msg["X-Envelope-To"] == address:
            out.append(msg)
    return out  # type: ignore[return-value]


def body(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body(preferencelist=(subtype,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def web_link(msg: EmailMessage) -> str:
    """The "view in browser" link of a received digest; the HTML part links to the same place."""
    text = body(msg, "plain")
    m = re.search(r"^(?:View in your browser|Im Browser ansehen): (\S+)\r?$", text, re.M)
    assert m, text[:400]
    assert m.group(1).replace("&", "&amp;") in body(msg, "html")
    return m.group(1)


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_the_view_in_browser_link_opens_that_members_copy_without_sign_in(world: WebWorld, tmp_path: Path) -> None:
    issue = sent_issue(world, "everyone", tmp_path, pins=[world.items["pub-0"], world.items["club"]])
    bob_mail, alice_mail = received(tmp_path, BOB)[0], received(tmp_path, ALICE)[0]
    bob_link, alice_link = web_link(bob_mail), web_link(alice_mail)
    assert bob_link.startswith(f"http://127.0.0.1:8000/digests/{issue.id}/en?k=")

    visitor = world.client()
    page = visitor.get(local(bob_link))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # the same items as the email, in the same order, and nothing from the club
    titles = re.findall(r'class="item-title".*?<a href="[^"]*"[^>]*>([^<]+)</a>', body(bob_mail, "html"), re.S)
    assert titles and re.findall(r'class="item-title".*?<a href="[^"]*"[^>]*>([^<]+)</a>', html, re.S) == titles
    assert CANARY not in html and CANARY not in body(bob_mail, "plain")
    # the web copy links to the archive instead of to itself, and counts no open
    assert "View in your browser" not in html and "/digests/archive" in html and "/t/o/" not in html
    assert "sandbox" in page.headers["Content-Security-Policy"] and page.headers["Referrer-Policy"] == "no-referrer"
    # Alice (in the club) gets the club item in her copy, through her own link only
    assert CANARY in visitor.get(local(alice_link)).get_data(as_text=True)
    # the other language of the same copy
    german = visitor.get(local(bob_link).replace(f"/{issue.id}/en?", f"/{issue.id}/de?"))
    assert german.status_code == 200 and "Hallo Bob" in german.get_data(as_text=True)


def test_a_bad_or_misused_link_is_the_same_404(world: WebWorld, tmp_path: Path) -> None:
    issue = sent_issue(world, "everyone", tmp_path, pins=[world.items["pub-0"], world.items["club"]])
    link = local(web_link(received(tmp_path, ALICE)[0]))
    token = link.split("?k=", 1)[1]
    other = sent_issue(world, "area:technology", tmp_path)
    visitor = world.client()
    for url in (link.replace("?k=", "?k=x"), link[:-3], f"/digests/{other.id}/en?k={token}",  # another issue
                f"/digests/{issue.id}/fr?k={token}", f"/digests/999/en?k={token}"):
        resp = visitor.get(url)
        assert resp.status_code == 404, url
        assert CANARY not in resp.get_data(as_text=True)


def test_a_non_member_cannot_see_a_closed_club_issue_through_the_archive(world: WebWorld, tmp_path: Path) -> None:
    club = sent_issue(world, "club:it-executive", tmp_path, pins=[world.items["club"], world.items["pub-1"]])
    everyone = sent_issue(world, "everyone", tmp_path, pins=[world.items["pub-0"]])
    alice_links = [web_link(m) for m in received(tmp_path, ALICE)]
    club_link = local(next(u for u in alice_links if f"/digests/{club.id}/" in u))
    for outsider in (BOB, RITA, ANNA):
        client = world.client(outsider)
        listing = client.get("/digests/archive").get_data(as_text=True)
        assert f"/digests/{club.id}/" not in listing and "IT Executive Club" not in listing
        for lang in ("en", "de"):
            resp = client.get(f"/digests/{club.id}/{lang}")
            assert resp.status_code == 404 and CANARY not in resp.get_data(as_text=True), outsider
    bob_listing = world.client(BOB).get("/digests/archive").get_data(as_text=True)
    assert f"/digests/{everyone.id}/en" in bob_listing and "All members" in bob_listing
    # a visitor is asked to sign in, and learns nothing about the issue
    resp = world.client().get(f"/digests/{club.id}/en")
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]

    alice = world.client(ALICE)
    listing = alice.get("/digests/archive").get_data(as_text=True)
    assert f"/digests/{club.id}/en" in listing and "IT Executive Club" in listing and "club:" not in listing
    assert CANARY in alice.get(f"/digests/{club.id}/en").get_data(as_text=True)
    assert CANARY in world.client().get(club_link).get_data(as_text=True)
    # the access rule of today: once out of the club, her own old link shows nothing of it
    assert world.cur.members.revoke_club(ALICE, "it-executive", editor=EDITOR)
    assert alice.get(f"/digests/{club.id}/en").status_code == 404
    assert world.client().get(club_link).status_code == 404


def test_issues_not_sent_are_not_in_the_archive(world: WebWorld) -> None:
    digests = world.cur.digests
    draft = digests.draft("everyone", editor=EDITOR, pins=[world.items["pub-0"]])
    bob = world.cur.members.get(BOB)
    token_link = local(digests.web_link(draft, bob))
    client = world.client(BOB)
    assert client.get(f"/digests/{draft.id}/en").status_code == 404
    assert world.client().get(token_link).status_code == 404
    assert f"/digests/{draft.id}/" not in client.get("/digests/archive").get_data(as_text=True)


def test_the_archive_speaks_the_members_language(world: WebWorld, tmp_path: Path) -> None:
    issue = sent_issue(world, "everyone", tmp_path, pins=[world.items["pub-0"]])
    listing = world.client(ANNA).get("/digests/archive").get_data(as_text=True)
    assert "Archiv der Überblicke" in listing and "Alle Mitglieder" in listing
    assert f"/digests/{issue.id}/de" in listing and f"/digests/{issue.id}/en" in listing
