"""Security headers on every response (issue 10, item 13): member pages, the editor console, the
API, the newsletter link pages (``/u/``, ``/preferences/``, ``/t/c/``) and every error page.

The routes come from ``app.url_map`` (as in test_access.py), so a new route is covered the day it
is added; each is requested with GET, HEAD and POST by a visitor, a member and an editor."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from flask import Response
from werkzeug.test import TestResponse

from curator.delivery import TokenSigner
from curator.web import create_app

from .conftest import BOB, EDITOR, SECRET, WebWorld
from .test_access import urls_for

pytestmark = pytest.mark.timeout(300)

REFERRER_POLICIES = {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}
UNSAFE_SCRIPT = ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:")


def header_problems(resp: TestResponse | Response) -> list[str]:
    """What is missing or too weak in ``resp``'s security headers (empty: all fine)."""
    problems = []
    csp = resp.headers.get("Content-Security-Policy")
    if not csp:
        problems.append("no Content-Security-Policy")
    else:
        directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
        # without script-src, default-src governs scripts; without either, anything may run
        scripts = directives.get("script-src", directives.get("default-src"))
        if scripts is None or any(s in UNSAFE_SCRIPT for s in scripts):
            problems.append(f"scripts not locked down: {csp}")
        if directives.get("frame-ancestors") not in (["'none'"], ["'self'"]):
            problems.append(f"no frame-ancestors: {csp}")
    if resp.headers.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        problems.append(f"X-Frame-Options {resp.headers.get('X-Frame-Options')!r}")
    if resp.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if resp.headers.get("Referrer-Policy") not in REFERRER_POLICIES:
        problems.append(f"Referrer-Policy {resp.headers.get('Referrer-Policy')!r}")
    return problems


def test_every_route_and_error_page_carries_the_security_headers(world: WebWorld) -> None:
    bob = world.cur.members.get(BOB)
    signer = TokenSigner(SECRET)
    view = world.cur.digests.view(world.cur.digests.draft("everyone", editor=EDITOR), bob)
    link_pages = [urlsplit(view.unsubscribe_url).path, urlsplit(view.preferences_url).path,
                  "/t/c/" + signer.dumps("click", {"i": 1, "m": bob.id, "it": 1, "u": "https://news.example/a"})]
    clients = {"visitor": world.client(), "member": world.client(BOB), "editor": world.client(EDITOR)}
    found: dict[str, list[str]] = {}
    statuses: set[int] = set()
    for who, client in clients.items():
        urls = [url for rule in world.app.url_map.iter_rules() for url in urls_for(world, rule, restricted=False)]
        # valid newsletter links, an unknown page, a POST-only route opened with GET (405)
        urls += [*link_pages, "/no/such/page", "/auth/link"]
        for url in urls:
            for method in ("GET", "HEAD", "POST"):  # POSTs carry no CSRF token: the 400 page
                resp = client.open(url, method=method)
                statuses.add(resp.status_code)
                if problems := header_problems(resp):
                    found[f"{who} {method} {url} -> {resp.status_code}"] = problems
    assert found == {}
    # the walk reached pages, redirects and every kind of error page
    assert {200, 302, 400, 401, 403, 404, 405} <= statuses, statuses
    # the one-click unsubscribe itself (a POST without a token of any kind) answers with them too
    resp = world.app.test_client().post(link_pages[0], data={"List-Unsubscribe": "One-Click"})
    assert resp.status_code == 200 and header_problems(resp) == []
    assert world.cur.digests.is_unsubscribed(bob)


def test_a_server_error_page_carries_the_security_headers(world: WebWorld) -> None:
    """Outside testing mode a failing view gives the framework's 500 page; it is a response of
    this app all the same."""
    app = create_app(world.cur)

    def fail() -> str:
        raise RuntimeError("boom")

    app.add_url_rule("/fail-for-test", view_func=fail)
    resp = app.test_client().get("/fail-for-test")
    assert resp.status_code == 500 and header_problems(resp) == []
