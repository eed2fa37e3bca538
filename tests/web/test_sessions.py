"""Visitors write no session rows (issue 10, item 6); a visitor's session is a signed cookie that
cannot be forged or outlive its expiry; signing in stores one session under a new id (W02).

Runs on SQLite and, with CURATOR_TEST_DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from curator.storage.schema import metadata

from .conftest import BOB, EDITOR, PASSWORD, WebWorld, csrf_of, login

pytestmark = pytest.mark.timeout(300)

COOKIE = "curator_session"


def session_rows(world: WebWorld) -> int:
    with world.cur.storage.engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(metadata.tables["web_sessions"])).scalar_one())


def cookie(client: FlaskClient) -> str | None:
    c = client.get_cookie(COOKIE)
    return c.value if c else None


def test_anonymous_sign_in_page_views_store_no_sessions(world: WebWorld) -> None:
    """The attack of issue 10: 500 cookie-less GETs of the sign-in form used to leave 500 rows."""
    assert session_rows(world) == 0
    for _ in range(500):
        r = world.app.test_client().get("/auth/login")
        assert r.status_code == 200 and 'name="csrf_token"' in r.get_data(as_text=True)
    assert session_rows(world) == 0
    # a visitor who keeps the cookie, chooses a language and fails a sign-in writes none either
    visitor = world.client()
    token = csrf_of(visitor)
    assert visitor.post("/auth/lang", data={"csrf_token": token, "lang": "de", "next": "/"}).status_code == 302
    assert 'lang="de"' in visitor.get("/").get_data(as_text=True)
    r = visitor.post("/auth/password", data={"csrf_token": token, "email": EDITOR, "password": "wrong password"})
    assert r.status_code == 401
    assert session_rows(world) == 0
    # signing in stores exactly one session, under a new id, and keeps the chosen language
    before = cookie(visitor)
    r = visitor.post("/auth/password", data={"csrf_token": csrf_of(visitor), "email": EDITOR, "password": PASSWORD})
    assert r.status_code == 302 and session_rows(world) == 1
    assert cookie(visitor) not in (None, before)
    assert 'lang="de"' in visitor.get("/").get_data(as_text=True)


def test_forms_of_visitors_keep_their_csrf_protection(world: WebWorld) -> None:
    """The visitor's token is bound to the visitor's own signed cookie: a token from another
    browser, a forged or edited cookie, or an expired one is refused."""
    alice, mallory = world.client(), world.client()
    token = csrf_of(alice)
    mallory_token = csrf_of(mallory)
    data = {"lang": "de", "next": "/"}
    assert alice.post("/auth/lang", data={**data, "csrf_token": mallory_token}).status_code == 400
    assert world.client().post("/auth/lang", data={**data, "csrf_token": token}).status_code == 400
    value = cookie(alice)
    assert value and "." in value
    for forged in (value[:-2] + ("AA" if not value.endswith("AA") else "BB"), value.split(".")[0], "x" * 43):
        replay = world.client()
        replay.set_cookie(COOKIE, forged)
        assert replay.post("/auth/lang", data={**data, "csrf_token": token}).status_code == 400
    # the same cookie is good in another client until it expires; after, it carries nothing, even
    # where the browser kept it
    copy = world.client()
    copy.set_cookie(COOKIE, value)
    assert copy.post("/auth/lang", data={**data, "csrf_token": token}).status_code == 302
    replay = world.client()
    replay.set_cookie(COOKIE, value)
    world.cur.clock.advance(hours=13)  # type: ignore[attr-defined]
    assert replay.post("/auth/lang", data={**data, "csrf_token": token}).status_code == 400
    assert session_rows(world) == 0


def test_a_visitor_cookie_never_signs_anyone_in(world: WebWorld) -> None:
    """W02 with visitor cookies: the cookie from before sign-in stays a visitor's after it."""
    client = world.client()
    csrf_of(client)
    planted = cookie(client)
    login(client, world, BOB)
    attacker = world.client()
    attacker.set_cookie(COOKIE, planted or "")
    page = attacker.get("/me/tokens")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]
    who = re.search(r'class="who">([^<]+)<', client.get("/me/tokens").get_data(as_text=True))
    assert who and who.group(1) == BOB


def test_a_signed_in_persons_pages_write_nothing_and_share_one_read(world: WebWorld) -> None:
    """The secret behind the form tokens is stored with the session when signing in, so the
    pages after it (each with forms) never write the session again; and a page's reads share
    one connection and one transaction (Curator.reading), where they used one each."""
    client = world.client()
    login(client, world, BOB)
    client.get("/")  # shows the one-time "signed in" notice, and so drops it from the session
    engine = world.cur.storage.engine
    statements: list[str] = []
    checkouts: list[object] = []

    def on_execute(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    def on_checkout(*_: object) -> None:
        checkouts.append(_)

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    sa.event.listen(engine, "checkout", on_checkout)
    try:
        for path in ("/", "/", "/saved", "/me/preferences"):
            statements.clear()
            checkouts.clear()
            page = client.get(path)
            assert page.status_code == 200 and 'name="csrf_token"' in page.get_data(as_text=True), path
            writes = [s for s in statements if s in ("INSERT", "UPDATE", "DELETE")]
            assert writes == [], (path, writes)
            assert "SELECT" in statements and len(checkouts) == 1, (path, len(checkouts), statements)
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
        sa.event.remove(engine, "checkout", on_checkout)
    # the token on those pages is good: a feedback post goes through
    page = client.get("/").get_data(as_text=True)
    item = re.search(r'action="/items/(\d+)/feedback"', page)
    assert item is not None
    r = client.post(f"/items/{item.group(1)}/feedback", data={"csrf_token": csrf_of(client, "/"), "action": "save",
                                                               "next": "/"})
    assert r.status_code == 302
    assert any(i.id == int(item.group(1)) for i in world.cur.feeds.saved(world.cur.accounts.user_by_email(BOB)))
