"""Members' choices are honoured (issue 12): digest frequency read by drafting and sending, set
from the signed preference page of every email (no sign-in), the member area and the CRM import;
unsubscribing shows there and can be undone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from curator.core import Curator
from curator.delivery import SmtpSender
from curator.types import DigestIssue, Source
from curator.web import create_app
from tests.delivery.sink import SmtpSink
from tests.web.conftest import BOB, RecordingSender, csrf_of, login, web_cur, web_mail, web_settings
from tests.web.conftest import build_world as build_web_world

from .world import EDITOR, World, _parsed


def _path(url: str) -> str:
    return url.replace("https://curator.example", "")


def _send_next(cur: Curator, sink: SmtpSink, period: str | None = None) -> DigestIssue:
    """Draft, approve and send this week's digest, with one article of the day in it."""
    now = cur.clock.now()
    key = f"fresh-{now:%Y%m%d}"
    res = cur.storage.upsert_items(Source(id="news", title="Digital News", url="https://news.example/feed"), [
        _parsed(key, f"Article of {now:%d %B}", "Fresh news. " * 5, f"https://news.example/{key}", now)], now)
    cur.storage.set_item_areas(res.new_ids[0], {"technology": 0.9}, now)
    issue = cur.digests.draft("everyone", period=period)
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none"))
    return issue


def _prefs(cur: Curator, world: World, email: str) -> tuple[FlaskClient, str, str]:
    """A fresh browser on the member's preference page: (client, page path, CSRF token)."""
    member = world.members[email]
    path = _path(cur.digests.view(cur.digests.draft("everyone"), member).preferences_url)
    app = create_app(cur, testing=True)
    app.test_client_class = _HttpsClient
    client = app.test_client()
    return client, path, csrf_of(client, path)


class _HttpsClient(FlaskClient):
    """A browser on the site's https address: the session cookie (the CSRF token's) is Secure,
    and a POST carries the Referer that strict CSRF checking wants."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("base_url", "https://curator.example")
        kwargs.setdefault("headers", {"Referer": "https://curator.example/preferences/"})
        return super().open(*args, **kwargs)


def test_never_member_gets_nothing_while_the_others_get_the_issue(cur: Curator, world: World, sink: SmtpSink) -> None:
    carla = cur.members.set_digest_frequency(world.members["carla@example.org"], "never")
    assert carla.digest_frequency == "never"
    issue = _send_next(cur, sink)
    assert carla.id not in {m.id for m in cur.digests.recipients(issue)}
    assert sink.messages_to(carla.email) == []
    assert {e for e in world.members if e != carla.email} == {e for e in world.members if sink.messages_to(e)}


def test_never_still_gets_special_newsletters(cur: Curator, world: World) -> None:
    """The frequency is the digest's; unsubscribing is what stops every newsletter."""
    carla = cur.members.set_digest_frequency(world.members["carla@example.org"], "never")
    special = cur.digests.draft("everyone", kind="special", period="event", pins=[world.items["news-0"]])
    assert carla.id in {m.id for m in cur.digests.recipients(special)}


def test_monthly_member_gets_the_first_digest_of_each_calendar_month(cur: Curator, world: World,
                                                                      sink: SmtpSink) -> None:
    bernd = cur.members.set_digest_frequency(world.members["bernd@example.org"], "monthly")
    _send_next(cur, sink)  # 20 November: his first digest of November
    assert len(sink.messages_to(bernd.email)) == 1
    cur.clock.advance(days=7)  # type: ignore[attr-defined]
    second = _send_next(cur, sink)  # 27 November: he already had November's
    assert len(sink.messages_to(bernd.email)) == 1 and len(sink.messages_to("dora@example.org")) == 2
    assert bernd.id not in {m.id for m in cur.digests.recipients(second)}
    cur.clock.advance(days=7)  # type: ignore[attr-defined]
    third = _send_next(cur, sink)  # 4 December: a new month
    assert len(sink.messages_to(bernd.email)) == 2, cur.digests.deliveries(third.id)


def test_a_frequency_changed_after_freezing_is_honoured_when_their_turn_comes(cur: Curator, world: World,
                                                                               sink: SmtpSink) -> None:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    dora = world.members["dora@example.org"]
    cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none"),
                     should_stop=lambda: True)  # the recipients are frozen, nothing sent yet
    cur.members.set_digest_frequency(dora, "never")
    cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none"))
    assert sink.messages_to(dora.email) == []
    assert {d.state for d in cur.digests.deliveries(issue.id) if d.member_id == dora.id} <= {"skipped"}


def test_signed_preference_page_changes_frequency_without_sign_in(cur: Curator, world: World) -> None:
    client, path, token = _prefs(cur, world, "bernd@example.org")
    page = client.get(path).get_data(as_text=True)
    assert "Häufigkeit des Überblicks" in page and 'value="weekly" selected' in page  # his language: German
    # a form without the page's CSRF token changes nothing
    assert client.post(path, data={"frequency": "never"}).status_code == 400
    assert cur.members.get("bernd@example.org").digest_frequency == "weekly"
    resp = client.post(path, data={"frequency": "monthly", "csrf_token": token})
    assert resp.status_code == 200 and "Gespeichert." in resp.get_data(as_text=True)
    assert cur.members.get("bernd@example.org").digest_frequency == "monthly"
    assert client.post(path, data={"frequency": "daily", "csrf_token": token}).status_code == 400
    assert cur.members.get("bernd@example.org").digest_frequency == "monthly"
    # GET and HEAD (link scanners) change nothing
    client.head(path)
    assert cur.members.get("bernd@example.org").digest_frequency == "monthly"


@pytest.mark.parametrize(("email", "off", "again"), [("alice@example.org", "unsubscribed", "Subscribe again"),
                                                      ("bernd@example.org", "abgemeldet", "Wieder anmelden")])
def test_unsubscribed_member_sees_it_and_subscribes_again_and_gets_the_next_issue(
        cur: Curator, world: World, sink: SmtpSink, email: str, off: str, again: str) -> None:
    member = world.members[email]
    assert cur.digests.unsubscribe(cur.digests.unsubscribe_token(member))
    _send_next(cur, sink)
    assert sink.messages_to(email) == []
    client, path, token = _prefs(cur, world, email)
    page = client.get(path).get_data(as_text=True)
    assert off in page and again in page and "/u/" not in page
    client.post(path, data={"action": "subscribe", "csrf_token": token})
    assert not cur.digests.is_unsubscribed(member)
    assert "/u/" in client.get(path).get_data(as_text=True)  # subscribed again: the unsubscribe button is back
    cur.clock.advance(days=7)  # type: ignore[attr-defined]
    _send_next(cur, sink)
    assert len(sink.messages_to(email)) == 1


def test_a_bounce_is_not_the_members_to_undo(cur: Curator, world: World) -> None:
    dora = world.members["dora@example.org"]
    cur.storage.suppress(email=dora.email, member_id=dora.id, scope="newsletter", reason="bounced",
                         now=cur.clock.now())
    assert not cur.digests.resubscribe(dora, source="preferences link")
    assert cur.digests.is_unsubscribed(dora)
    client, path, token = _prefs(cur, world, dora.email)
    page = client.post(path, data={"action": "subscribe", "csrf_token": token}).get_data(as_text=True)
    assert "bleibt gesperrt" in page and cur.digests.is_unsubscribed(dora)


def test_crm_import_sets_the_frequency_and_an_export_without_it_keeps_the_choice(cur: Curator, world: World) -> None:
    header = "email,name,organisation,language,clubs,areas,interests,persona,tracking_consent"
    res = cur.members.import_file(f"{header},digest_frequency\n"
                                  "bernd@example.org,Bernd Brandt,Brandt GmbH,de,,company;work,,,no,monthly\n"
                                  "new@example.org,Neu Nutzer,Brandt GmbH,de,,,,,no,never\n"
                                  "bad@example.org,Bad Row,Brandt GmbH,de,,,,,no,daily\n")
    assert len(res.errors) == 1 and "digest_frequency" in res.errors[0][1]
    assert cur.members.get("bernd@example.org").digest_frequency == "monthly"
    assert cur.members.get("new@example.org").digest_frequency == "never"
    cur.members.import_file(f"{header}\nbernd@example.org,Bernd Brandt,Brandt GmbH,de,,company;work,,,no\n")
    assert cur.members.get("bernd@example.org").digest_frequency == "monthly"


__all__ = ["web_cur", "web_mail", "web_settings"]  # the member area's fixtures, from tests/web


def test_member_area_sets_frequency_and_shows_and_undoes_unsubscribing(
        web_cur: Curator, web_mail: RecordingSender) -> None:  # noqa: F811
    world = build_web_world(web_cur, web_mail)
    bob = world.app.test_client()
    login(bob, world, BOB)
    tok = csrf_of(bob, "/me/preferences")
    bob.post("/me/preferences", data={"csrf_token": tok, "language": "en", "areas": ["company"],
                                      "frequency": "never"})
    member = web_cur.members.get(BOB)
    assert member.digest_frequency == "never"
    page = bob.get("/me/preferences").get_data(as_text=True)
    assert re.search(r'value="never"\s+selected', page) and "You are subscribed." in page
    bob.post("/me/newsletter", data={"csrf_token": tok, "action": "stop"})
    assert web_cur.digests.is_unsubscribed(member)
    assert "You are unsubscribed" in bob.get("/me/preferences").get_data(as_text=True)
    assert bob.post("/me/newsletter", data={"action": "subscribe"}).status_code == 400  # no CSRF token
    bob.post("/me/newsletter", data={"csrf_token": tok, "action": "subscribe"})
    assert not web_cur.digests.is_unsubscribed(member)
