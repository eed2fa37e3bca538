"""One-click unsubscribe (RFC 8058) and link tokens: RELIABILITY U03-U07, U09, T01."""

from __future__ import annotations

import pytest

from curator.core import Curator
from curator.delivery import SmtpSender, TokenSigner
from curator.web import create_app
from tests.conftest import rebuilt
from tests.delivery.sink import SmtpSink

from .world import EDITOR, World


def _path(url: str) -> str:
    return url.replace("https://curator.example", "")


def test_bare_post_unsubscribes_and_member_gets_nothing_afterwards(cur: Curator, world: World, sink: SmtpSink) -> None:
    bernd = world.members["bernd@example.org"]
    view = cur.digests.view(cur.digests.draft("everyone"), bernd)
    client = create_app(cur, testing=True).test_client()
    # U05: scanners prefetching with GET/HEAD change nothing
    for ua in ("Mozilla/5.0", "Microsoft Office Protection (Safe Links)", "Proofpoint URL Defense"):
        assert client.get(_path(view.unsubscribe_url), headers={"User-Agent": ua}).status_code == 200
        assert client.head(_path(view.unsubscribe_url)).status_code == 200
    assert not cur.digests.is_unsubscribed(bernd)
    # U03: bare POST, no cookies, no CSRF token, foreign Origin; urlencoded
    resp = client.post(_path(view.unsubscribe_url), data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded", headers={"Origin": "https://mail.evil.example"})
    assert resp.status_code == 200 and "Location" not in resp.headers
    assert cur.digests.is_unsubscribed(bernd)
    first = cur.storage.suppression_time("newsletter", bernd.email)
    # U04: idempotent, also as multipart
    for _ in range(3):
        resp = client.post(_path(view.unsubscribe_url), data={"List-Unsubscribe": "One-Click"},
                           content_type="multipart/form-data")
        assert resp.status_code == 200 and "Location" not in resp.headers
    assert cur.storage.suppression_time("newsletter", bernd.email) == first
    # U09: the next issue does not reach him
    issue = cur.digests.draft("everyone", period="next")
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none"))
    assert sink.messages_to(bernd.email) == []
    assert len(sink.received) == len(world.members) - 1


def test_bad_tokens_get_one_uniform_404_and_change_nothing(cur: Curator, world: World) -> None:
    alice = world.members["alice@example.org"]
    good = cur.digests.unsubscribe_token(alice)
    payload, sig = good.split(".")
    click = TokenSigner(cur.settings.secret_key).dumps("click", {"i": 1, "m": alice.id, "it": 1, "u": "https://x.example"})
    other_key = TokenSigner("another-secret-key-0123456789").dumps("unsubscribe", {"m": alice.id, "s": "newsletter"})
    forged_member = TokenSigner(cur.settings.secret_key).dumps("unsubscribe", {"m": alice.id, "s": "newsletter"}).replace(payload, "eyJtIjoyLCJzIjoibmV3c2xldHRlciJ9")
    bad = [good[:-3], f"{payload}.{sig[::-1]}", click, other_key, forged_member, "x", good + "a"]
    client = create_app(cur, testing=True).test_client()
    bodies = set()
    for token in bad:
        for method in (client.get, client.post):
            resp = method(f"/u/{token}")
            assert resp.status_code == 404
            bodies.add(resp.data)
    assert len(bodies) == 1
    assert not cur.digests.is_unsubscribed(alice)
    assert client.get(f"/t/c/{good}").status_code == 404  # an unsubscribe token is no click token
    assert client.get(f"/preferences/{good}").status_code == 404


def test_only_the_one_click_route_accepts_post_without_csrf_token(cur: Curator, world: World) -> None:
    """U07: the CSRF exemption is narrow: besides the one-click route, the only route of this
    blueprint that accepts a state-changing method is the preference page's form (issue 12), and
    that one refuses a POST without the form's CSRF token and changes nothing."""
    app = create_app(cur, testing=True)
    posting = {r.rule for r in app.url_map.iter_rules()
               if r.endpoint.startswith("unsubscribe.") and {"POST", "PUT", "PATCH", "DELETE"} & set(r.methods or ())}
    assert posting == {"/u/<token>", "/preferences/<token>"}
    bernd = world.members["bernd@example.org"]
    path = _path(cur.digests.view(cur.digests.draft("everyone"), bernd).preferences_url)
    cur.digests.unsubscribe(cur.digests.unsubscribe_token(bernd))
    client = app.test_client()
    for data in ({"frequency": "never"}, {"action": "subscribe"}):
        assert client.post(path, data=data, headers={"Origin": "https://mail.evil.example"}).status_code == 400
    assert cur.members.get(bernd.email).digest_frequency == "weekly" and cur.digests.is_unsubscribed(bernd)


def test_click_links_only_with_consent_and_signed(cur: Curator, world: World) -> None:
    issue = cur.digests.draft("everyone")
    alice, bernd = world.members["alice@example.org"], world.members["bernd@example.org"]
    assert alice.tracking_consent and not bernd.tracking_consent
    a_urls = [i.url for s in cur.digests.view(issue, alice).sections for i in s.items]
    b_urls = [i.url for s in cur.digests.view(issue, bernd).sections for i in s.items]
    assert all(u.startswith("https://curator.example/t/c/") for u in a_urls)
    assert not any("/t/c/" in u for u in b_urls)
    client = create_app(cur, testing=True).test_client()
    resp = client.get(_path(a_urls[0]))
    assert resp.status_code == 302 and resp.headers["Location"].startswith("https://")
    assert client.get(_path(a_urls[0])[:-2] + "xx").status_code == 404


@pytest.mark.parametrize("lang_email", ["bernd@example.org", "alice@example.org"])
def test_preferences_page_shows_state(cur: Curator, world: World, lang_email: str) -> None:
    member = world.members[lang_email]
    view = cur.digests.view(cur.digests.draft("everyone"), member)
    client = create_app(cur, testing=True).test_client()
    resp = client.get(_path(view.preferences_url))
    assert resp.status_code == 200 and member.email.encode() in resp.data


def test_newsletter_unsubscribe_does_not_stop_account_mail(cur: Curator, world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """U10: the suppression is scoped to newsletters; sign-in and invitation mail still goes out."""
    from curator.delivery import OutboxSender

    bernd = world.members["bernd@example.org"]
    assert cur.digests.unsubscribe(cur.digests.unsubscribe_token(bernd)) and cur.digests.is_unsubscribed(bernd)
    cur = rebuilt(cur, account_sender=OutboxSender(tmp_path / "account"))
    assert cur.accounts.send_mail(bernd.email, "Your sign-in link", "https://curator.example/signin/x")
    (mail,) = (tmp_path / "account").glob("*.eml")
    assert "Your sign-in link" in mail.read_text() and "List-Unsubscribe" not in mail.read_text()
