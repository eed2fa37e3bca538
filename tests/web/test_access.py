"""Access control on every route (RELIABILITY 3H W01, W07, W10, W11, W12, W13; 3F U07).

The route list is not written by hand: the tests walk ``app.url_map``, so a new route is covered
the day it is added (and a route the walk cannot fill in fails the test loudly)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
import sqlalchemy as sa

from curator.delivery import TokenSigner
from curator.storage.schema import metadata

from .conftest import ALICE, ANNA, BOB, CANARY, EDITOR, RITA, WebWorld, csrf_of

pytestmark = pytest.mark.timeout(300)

SKIP_TABLES = {"web_sessions", "web_throttle", "embeddings", "member_profiles"}
"""Tables a GET may legitimately write: a signed-in session (it holds the CSRF token and the notice
shown once), throttle counters, and caches (vectors, ranking profiles are derived data)."""


def fingerprint(world: WebWorld) -> str:
    """A hash of every row of every table that holds user-visible state."""
    h = hashlib.sha256()
    with world.cur.storage.engine.connect() as conn:
        for table in sorted(metadata.sorted_tables, key=lambda t: t.name):
            if table.name in SKIP_TABLES:
                continue
            rows = conn.execute(sa.select(table)).all()
            h.update(table.name.encode())
            for r in sorted(repr(tuple(r)) for r in rows):
                h.update(r.encode())
    return h.hexdigest()


def urls_for(world: WebWorld, rule: Any, *, restricted: bool = True) -> Iterator[str]:
    """Concrete URLs for a rule: every int argument filled with the restricted ids (club item,
    club post, other people's ids) and a few sequential ids; strings with plausible values."""
    ids = sorted({world.items["club"], world.posts["club"], world.items["members"], *world.member_ids.values(),
                  1, 2, 3}) if restricted else [1]
    args = list(rule.arguments)
    if not args:
        yield rule.rule
        return
    for i in ids:
        values: dict[str, Any] = {}
        for a in args:
            conv = rule._converters.get(a)
            if conv is not None and conv.__class__.__name__ == "IntegerConverter":
                values[a] = i
            elif a == "filename":
                values[a] = "style.css"
            elif a == "source_id":
                values[a] = "itexec"
            else:
                values[a] = "x" * 10 + str(i)
        url = rule.rule
        for k, v in values.items():
            url = re.sub(r"<(?:[a-z]+:)?" + k + r">", str(v), url)
        yield url


def get_rules(world: WebWorld) -> list[Any]:
    return [r for r in world.app.url_map.iter_rules() if "GET" in r.methods]


def post_rules(world: WebWorld) -> list[Any]:
    return [r for r in world.app.url_map.iter_rules() if r.methods & {"POST", "PUT", "PATCH", "DELETE"}]


# --------------------------------------------------------------------------- W07: canary everywhere

def test_club_canary_never_reaches_outsiders_on_any_get_route(world: WebWorld) -> None:
    clients = {"anonymous": world.client(), "member-not-in-club": world.client(BOB),
               "registered": world.client(RITA)}
    checked = 0
    for name, client in clients.items():
        for rule in get_rules(world):
            for url in urls_for(world, rule):
                r = client.get(url)
                body = r.get_data().decode("utf-8", "replace")  # binary routes (the open pixel) too
                assert CANARY not in body, f"{name} saw the club canary on {url}"
                # /healthz answers 503 here: no worker has run a job on this database (tests/ops)
                unhealthy = (503,) if rule.rule == "/healthz" else ()
                assert r.status_code in (200, 302, 400, 401, 403, 404, *unhealthy), (name, url, r.status_code)
                checked += 1
    assert checked > 100


def test_club_member_does_see_the_club_item(world: WebWorld) -> None:
    alice = world.client(ALICE)
    assert CANARY in alice.get(f"/items/{world.items['club']}").get_data(as_text=True)
    assert CANARY in alice.get("/").get_data(as_text=True)
    assert CANARY in alice.get("/browse?q=club").get_data(as_text=True)


def test_invisible_item_answers_exactly_like_a_missing_one(world: WebWorld) -> None:
    bob = world.client(BOB)
    bob.get("/")  # shows (and uses up) the "signed in" notice
    hidden = bob.get(f"/items/{world.items['club']}")
    missing = bob.get("/items/999999")
    assert hidden.status_code == missing.status_code == 404
    # the same page apart from the address itself (the language form returns to it)
    assert (hidden.get_data(as_text=True).replace(f"/items/{world.items['club']}", "/items/N")
            == missing.get_data(as_text=True).replace("/items/999999", "/items/N"))
    # members-only content: hidden from anonymous and registered users alike
    for client in (world.client(), world.client(RITA)):
        assert client.get(f"/items/{world.items['members']}").status_code == 404
    assert bob.get(f"/items/{world.items['members']}").status_code == 200


def test_canary_hidden_in_api_and_rss_and_export(world: WebWorld) -> None:
    bob = world.client(BOB)
    tok = csrf_of(bob, "/me/tokens")
    page = bob.post("/me/tokens", data={"name": "cli", "csrf_token": tok}).get_data(as_text=True)
    secret = re.search(r'id="token-secret">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    api = world.app.test_client()
    h = {"Authorization": f"Bearer {secret}"}
    for url in ("/api/v1/feed", "/api/v1/items", "/api/v1/items?q=club", f"/api/v1/items/{world.items['club']}",
                "/api/v1/posts", "/api/v1/openapi.json"):
        r = api.get(url, headers=h)
        assert CANARY not in r.get_data(as_text=True), url
    assert api.get(f"/api/v1/items/{world.items['club']}", headers=h).status_code == 404
    assert api.get(f"/api/v1/items/{world.items['members']}", headers=h).status_code == 200
    r = api.post("/api/v1/feedback", json={"item_id": world.items["club"], "kind": "rating", "value": 5}, headers=h)
    assert r.status_code == 404
    # RSS
    bob.post("/me/rss", data={"csrf_token": csrf_of(bob, "/me/preferences")})
    rss_url = re.search(r"(/rss/[A-Za-z0-9_.\-]+)", bob.get("/me/preferences").get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    feed = world.app.test_client().get(rss_url)
    assert feed.status_code == 200 and b"<rss" in feed.data and CANARY.encode() not in feed.data
    # export
    export = bob.get("/me/data/export.json").get_data(as_text=True)
    assert CANARY not in export and ALICE not in export and "Alice" not in export


def test_editor_preview_shows_only_what_the_chosen_reader_may_see(world: WebWorld) -> None:
    cur = world.cur
    issue = cur.digests.draft("everyone", editor=EDITOR)
    cur.digests.edit(issue.id, pins=[world.items["club"], world.items["pub-0"]])
    ed = world.client(EDITOR)
    as_bob = ed.get(f"/editor/digests/{issue.id}/preview.html?member={BOB}").get_data(as_text=True)
    as_club = ed.get(f"/editor/digests/{issue.id}/preview.html?club=it-executive").get_data(as_text=True)
    as_persona = ed.get(f"/editor/digests/{issue.id}/preview.html?lang=de").get_data(as_text=True)
    assert CANARY not in as_bob and CANARY not in as_persona
    assert CANARY in as_club
    r = ed.get(f"/editor/digests/{issue.id}/preview.html?club=it-executive")
    assert "sandbox" in r.headers["Content-Security-Policy"]


def test_feed_cache_is_keyed_by_access(world: WebWorld) -> None:
    """W08: a cached feed never outlives a club membership."""
    alice = world.client(ALICE)
    assert CANARY in alice.get("/").get_data(as_text=True)
    world.cur.members.revoke_club(ALICE, "it-executive", editor=EDITOR)
    assert CANARY not in alice.get("/").get_data(as_text=True)
    assert alice.get(f"/items/{world.items['club']}").status_code == 404


def test_club_post_in_moderation_stays_in_the_club_after_approval(world: WebWorld) -> None:
    ed = world.client(EDITOR)
    tok = csrf_of(ed, "/editor/posts")
    assert ed.post(f"/editor/posts/{world.posts['club']}/approve", data={"csrf_token": tok}).status_code == 302
    post_item = next(p.item_id for p in world.cur.posts.list(None) if p.id == world.posts["club"])
    assert world.client(BOB).get(f"/items/{post_item}").status_code == 404
    assert world.client(ALICE).get(f"/items/{post_item}").status_code == 200
    assert CANARY not in world.client(BOB).get("/").get_data(as_text=True)


# --------------------------------------------------------------------------- W01 / U07: CSRF and safe GETs

def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(world: WebWorld) -> None:
    alice, editor = world.client(ALICE), world.client("admin@cluster.example")
    before = fingerprint(world)
    tested = 0
    for rule in post_rules(world):
        if rule.rule.startswith("/api/"):
            continue  # the API is checked below: it never accepts the cookie
        if rule.endpoint == "unsubscribe.one_click":
            continue  # RFC 8058's one-click POST is the one exemption (tests/newsletter/test_unsubscribe.py)
        for url in urls_for(world, rule, restricted=False):
            for client in (alice, editor, world.client()):
                for data in ({}, {"csrf_token": "forged-token"}, {"csrf_token": csrf_of(world.client())}):
                    r = client.post(url, data={**data, "confirm": "ERASE", "action": "save", "email": BOB,
                                               "role": "admin", "segment": "everyone"})
                    assert r.status_code in (400, 403), (url, data, r.status_code)
                    tested += 1
    assert tested > 50
    assert fingerprint(world) == before


def test_only_the_one_click_unsubscribe_is_exempt(world: WebWorld) -> None:
    """U03-U07 through the combined app: the RFC 8058 POST works without cookies or CSRF token
    and with a foreign Origin, answers 200 with no Location, is idempotent; GET changes nothing;
    forged tokens get one uniform 404."""
    cur = world.cur
    bob = cur.members.get(BOB)
    token = cur.digests.unsubscribe_token(bob)
    anon = world.app.test_client()
    before = fingerprint(world)
    for ua in ("Mozilla/5.0", "Microsoft Office Protection", "Proofpoint"):
        r = anon.get(f"/u/{token}", headers={"User-Agent": ua})
        assert r.status_code == 200
        anon.head(f"/u/{token}")
    assert fingerprint(world) == before and not cur.digests.is_unsubscribed(bob)
    for n in range(3):
        body = ({"List-Unsubscribe": "One-Click"} if n != 1 else
                {"List-Unsubscribe": "One-Click", "x": (b"", "a.txt")})
        r = anon.post(f"/u/{token}", data=body, headers={"Origin": "https://evil.test"},
                      content_type="multipart/form-data" if n == 1 else None)
        assert r.status_code == 200 and "Location" not in r.headers
    assert cur.digests.is_unsubscribed(bob)
    bad = [token[:-2], token + "x", token.replace(".", "A", 1), TokenSigner(cur.settings.secret_key).dumps("click", {"m": bob.id}), "x" * 40]
    bodies = {anon.post(f"/u/{b}", data={"List-Unsubscribe": "One-Click"}).get_data() for b in bad}
    codes = {anon.post(f"/u/{b}", data={"List-Unsubscribe": "One-Click"}).status_code for b in bad}
    assert codes == {404} and len(bodies) == 1


def test_no_get_route_changes_state(world: WebWorld) -> None:
    world.client(ALICE).get("/")  # warm caches (ranking profiles, vectors) outside the fingerprint
    clients = [world.client(ALICE), world.client(EDITOR), world.client("admin@cluster.example"), world.client()]
    before = fingerprint(world)
    for client in clients:
        for rule in get_rules(world):
            for url in urls_for(world, rule, restricted=False):
                client.get(url)
    # the sign-in link page is a GET too: opening it must not use up the link
    world.cur.accounts.request_signin_link(ANNA)
    link = world.mail.links_for(ANNA)[-1]
    mid = fingerprint(world)
    for _ in range(3):
        assert world.app.test_client().get(f"/auth/link/{link}").status_code == 200
    assert fingerprint(world) == mid
    assert before != "" and mid != ""


def test_api_ignores_the_session_cookie(world: WebWorld) -> None:
    alice = world.client(ALICE)
    before = fingerprint(world)
    r = alice.post("/api/v1/feedback", json={"item_id": world.items["pub-0"], "kind": "save"})
    assert r.status_code == 401
    r = alice.post("/api/v1/posts", json={"title": "t", "text": "a long enough text for a post"})
    assert r.status_code == 401
    assert alice.get("/api/v1/feed").status_code == 401
    assert fingerprint(world) == before


# --------------------------------------------------------------------------- W10 / W11: ids and roles

def test_member_cannot_reach_another_members_data_by_id(world: WebWorld) -> None:
    """No route takes a member id; the ones that take an id act only on the caller's objects."""
    for rule in world.app.url_map.iter_rules():
        assert "member" not in rule.arguments and "user_id" not in rule.arguments, rule.rule
    cur = world.cur
    bob_user = cur.accounts.user_by_email(BOB) or cur.accounts.create(BOB)
    _, bob_secret = cur.accounts.create_api_token(bob_user.id, "bob's")
    alice = world.client(ALICE)
    tok = csrf_of(alice, "/me/tokens")
    for tid in range(1, 6):  # enumerate token ids 1..N
        r = alice.post(f"/me/tokens/{tid}/revoke", data={"csrf_token": tok})
        assert r.status_code == 404
    assert cur.accounts.api_user(bob_secret) is not None
    # Alice's pages show Alice's data only
    for url in ("/me/preferences", "/me/data/export.json", "/saved", "/posts/new", "/me/tokens"):
        body = alice.get(url).get_data(as_text=True)
        assert BOB not in body and "Bob Brandt" not in body, url


def test_editor_pages_refuse_members_and_admin_pages_refuse_editors(world: WebWorld) -> None:
    clients = {email: world.client(email) for email in (BOB, ALICE, RITA)}
    ed = world.client(EDITOR)
    before = fingerprint(world)
    for email, client in clients.items():
        tok = csrf_of(client, "/me/preferences")
        for rule in world.app.url_map.iter_rules():
            if not rule.rule.startswith("/editor"):
                continue
            for url in urls_for(world, rule, restricted=False):
                if "GET" in rule.methods:
                    assert client.get(url).status_code == 403, (email, url)
                if "POST" in rule.methods:
                    r = client.post(url, data={"csrf_token": tok, "email": email, "role": "admin",
                                               "segment": "everyone", "url": "https://x.example/f", "title": "x"})
                    assert r.status_code == 403, (email, url)
    tok = csrf_of(ed, "/editor/")
    assert ed.get("/editor/users").status_code == 403
    assert ed.post("/editor/users/role", data={"csrf_token": tok, "email": EDITOR, "role": "admin"}).status_code == 403
    anon = world.client()
    assert anon.get("/editor/").status_code == 302
    assert fingerprint(world) == before
    assert world.cur.accounts.user_by_email(EDITOR).role == "editor"  # type: ignore[union-attr]


def test_send_to_colleague_respects_access_and_suggests_same_organisation_first(world: WebWorld) -> None:
    alice = world.client(ALICE)
    assert "Anna Amsel" not in alice.get(f"/items/{world.items['pub-0']}/send").get_data(as_text=True)  # a search
    page = alice.get(f"/items/{world.items['pub-0']}/send?q=an").get_data(as_text=True)
    assert page.index("Anna Amsel") < page.index("Bob Brandt")  # same organisation first
    # registered users are not colleagues: only members of the cluster send and receive (issue 10)
    assert "Rita Reg" not in alice.get(f"/items/{world.items['pub-0']}/send?q=rita").get_data(as_text=True)
    club_page = alice.get(f"/items/{world.items['club']}/send?q=an").get_data(as_text=True)
    assert "Bob Brandt" not in club_page and "Anna Amsel" not in club_page
    tok = csrf_of(alice, "/me/preferences")
    world.mail.messages.clear()
    r = alice.post(f"/items/{world.items['club']}/send", data={"csrf_token": tok, "to": BOB, "note": "look"})
    # refused with the answer an unknown address gets, so a typed address reveals nothing (issue 10)
    assert r.status_code == 404 and world.mail.messages == []
    r = alice.post(f"/items/{world.items['pub-0']}/send", data={"csrf_token": tok, "to": ANNA, "note": "look at this"})
    assert r.status_code == 302
    assert [to for to, _ in world.mail.messages] == [ANNA]
    assert b"look at this" in world.mail.messages[0][1]
    bob = world.client(BOB)
    r = bob.post(f"/items/{world.items['club']}/send", data={"csrf_token": csrf_of(bob, "/me/preferences"),
                                                              "to": ALICE})
    assert r.status_code == 404


# --------------------------------------------------------------------------- W12: open redirects

def is_local(location: str) -> bool:
    """A redirect target that stays on this site: a path, no host, no scheme, no tricks."""
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    return (location.startswith("/") and not location.startswith(("//", "/\\")) and not parts.scheme
            and not parts.netloc and "\\" not in location and "\r" not in location and "\n" not in location)


@pytest.mark.parametrize("target", ["//evil.test", "https://evil.test", "/\\evil.test", "\\\\evil.test",
                                    "http:evil.test", "javascript:alert(1)", "/%0d%0aLocation:%20http://evil.test",
                                    "//evil.test/%2f..", " //evil.test"])
def test_next_accepts_only_local_paths(world: WebWorld, target: str) -> None:
    client = world.client()
    tok = csrf_of(client)
    r = client.post("/auth/lang", data={"csrf_token": tok, "lang": "de", "next": target})
    assert r.status_code == 302 and is_local(r.headers["Location"])
    r = client.post("/auth/password", data={"csrf_token": tok, "email": EDITOR, "password": "correct horse battery",
                                            "next": target})
    assert r.status_code == 302 and is_local(r.headers["Location"])
    r = client.get("/auth/login", query_string={"next": target})
    nexts = re.findall(r'name="next" value="([^"]*)"', r.get_data(as_text=True))
    assert nexts and all(is_local(n) for n in nexts), nexts


def test_local_next_is_kept(world: WebWorld) -> None:
    client = world.client()
    r = client.post("/auth/lang", data={"csrf_token": csrf_of(client), "lang": "de", "next": "/browse?area=work"})
    assert r.headers["Location"] == "/browse?area=work"


# --------------------------------------------------------------------------- W13: stored XSS

class _Scan(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "object", "embed", "svg", "style", "base", "meta") and tag != "meta":
            self.problems.append(f"<{tag}>")
        for k, v in attrs:
            if k.startswith("on"):
                self.problems.append(f"{tag} {k}")
            if k in ("href", "src", "action", "formaction") and v and v.strip().lower().startswith(("javascript:", "data:text")):
                self.problems.append(f"{tag} {k}={v}")


def scan(html: str) -> list[str]:
    s = _Scan()
    s.feed(html)
    return s.problems


def test_hostile_items_and_posts_are_inert_in_member_and_editor_pages(world: WebWorld) -> None:
    alice, ed = world.client(ALICE), world.client(EDITOR)
    pages = [alice.get(f"/items/{world.items['xss']}"), alice.get("/"), alice.get("/browse"),
             ed.get("/editor/posts"), ed.get("/editor/items")]
    tok = csrf_of(ed, "/editor/posts")
    ed.post(f"/editor/posts/{world.posts['xss']}/approve", data={"csrf_token": tok})
    post_item = next(p.item_id for p in world.cur.posts.list(None) if p.id == world.posts["xss"])
    pages += [alice.get(f"/items/{post_item}"), ed.get("/editor/posts")]
    for r in pages:
        assert r.status_code == 200
        assert scan(r.get_data(as_text=True)) == [], r.request.path
        csp = r.headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)  # type: ignore[union-attr]
        assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
        assert "default-src 'none'" in csp


def test_security_headers_and_cookie_flags_on_https(world: WebWorld) -> None:
    """W04: Secure, HttpOnly, SameSite=Lax whenever the site is not plain http on loopback."""
    from curator.web import create_app

    cur = world.cur
    cur.settings = cur.settings.replace(base_url="https://curator.example")
    try:
        app = create_app(cur, testing=True)
        client = app.test_client()
        r = client.get("/auth/login", base_url="https://curator.example")
        cookie = r.headers["Set-Cookie"]
        assert cookie.startswith("__Host-curator=")
        for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
            assert flag in cookie
    finally:
        cur.settings = cur.settings.replace(base_url="http://127.0.0.1:8000")
    r = world.client().get("/auth/login")
    assert "HttpOnly" in r.headers["Set-Cookie"] and "SameSite=Lax" in r.headers["Set-Cookie"]
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN" and r.headers["X-Content-Type-Options"] == "nosniff"


def test_openapi_describes_every_api_route(world: WebWorld) -> None:
    spec = world.client().get("/api/v1/openapi.json").get_json()
    api_rules = {re.sub(r"<(?:int:)?(\w+)>", r"{\1}", r.rule) for r in world.app.url_map.iter_rules()
                 if r.rule.startswith("/api/v1/") and not r.rule.endswith("openapi.json")}
    assert api_rules <= set(spec["paths"]), api_rules - set(spec["paths"])
    json.dumps(spec)


def test_visitors_reading_public_pages_get_no_session(world: WebWorld) -> None:
    """Crawlers and visitors without a form on the page leave no session rows behind."""
    anon = world.app.test_client()
    for url in ("/", "/browse", f"/items/{world.items['pub-0']}", "/?lang=de", "/api/v1/openapi.json"):
        r = anon.get(url)
        assert r.status_code == 200 and "Set-Cookie" not in r.headers, url
    assert 'lang="de"' in anon.get("/?lang=de").get_data(as_text=True)
    assert "Set-Cookie" in anon.get("/auth/login").headers  # a form: its CSRF token needs a (signed) cookie


def test_api_happy_path_with_a_token(world: WebWorld) -> None:
    cur = world.cur
    user = cur.accounts.user_by_email(ANNA) or cur.accounts.create(ANNA)
    _, secret = cur.accounts.create_api_token(user.id, "script")
    api = world.app.test_client()
    h = {"Authorization": f"Bearer {secret}"}
    feed = api.get("/api/v1/feed?limit=5", headers=h).get_json()
    assert 0 < len(feed["items"]) <= 5 and all("why" in i for i in feed["items"])
    r = api.post("/api/v1/feedback", json={"item_id": world.items["pub-2"], "kind": "rating", "value": 4}, headers=h)
    assert r.status_code == 201
    r = api.post("/api/v1/posts", json={"title": "From the API", "text": "A post submitted through the API."},
                 headers=h)
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    assert [p["title"] for p in api.get("/api/v1/posts", headers=h).get_json()["posts"]] == ["From the API"]
    r = api.post("/api/v1/feedback", json={"item_id": "x", "kind": "rating"}, headers=h)
    assert r.status_code == 400
    assert api.get("/api/v1/feed", headers={"Authorization": "Bearer nope"}).status_code == 401
    cur.accounts.revoke_api_token(user.id, cur.accounts.api_tokens(user.id)[0].id)
    assert api.get("/api/v1/feed", headers=h).status_code == 401
