"""The member area's side of issue 10 (items 2 and 3), on SQLite and PostgreSQL: the send page is
a search by name that shows no address and refuses registered users; refusals and the daily limit
are answered in the person's language; colleague mail can be turned off in the preferences; the
German erase page asks for no English word."""

from __future__ import annotations

import json
import re
from email import message_from_bytes, policy

from .conftest import ALICE, ANNA, BOB, RITA, WebWorld, csrf_of

EMAILS = (ALICE, ANNA, BOB, RITA, "zoe@zeta.example")


def test_a_registered_user_may_not_send_and_sees_no_address(world: WebWorld) -> None:
    rita = world.client(RITA)
    pub = world.items["pub-0"]
    page = rita.get(f"/items/{pub}").get_data(as_text=True)
    assert f"/items/{pub}/send" not in page  # no link to a page she may not use
    for url in (f"/items/{pub}/send", f"/items/{pub}/send?q=an", f"/items/{pub}/send?q=adler"):
        r = rita.get(url)
        assert r.status_code == 403
        assert not any(e in r.get_data(as_text=True) for e in EMAILS if e != RITA)
    world.mail.messages.clear()
    r = rita.post(f"/items/{pub}/send", data={"csrf_token": csrf_of(rita, "/me/preferences"), "to": ANNA,
                                              "note": "hi"})
    assert r.status_code == 403 and world.mail.messages == []
    assert not any(e in r.get_data(as_text=True) for e in EMAILS if e != RITA)


def test_the_send_page_finds_colleagues_by_name_and_shows_no_address(world: WebWorld) -> None:
    alice = world.client(ALICE)
    pub = world.items["pub-0"]
    for q in ("", "a", "an", "e", "ze", "@", "example", "adler.example", "brandt"):
        page = alice.get(f"/items/{pub}/send?q={q}").get_data(as_text=True)
        assert not any(e in page for e in EMAILS if e != ALICE), q
    page = alice.get(f"/items/{pub}/send?q=zoe").get_data(as_text=True)
    assert "Zoe Zeta" in page and "Anna Amsel" not in page  # a search, not the directory
    chosen = re.search(r'name="to_member" value="(\d+)"[^>]*> Zoe Zeta', page)
    assert chosen and int(chosen.group(1)) == world.member_ids["zoe@zeta.example"]
    world.mail.messages.clear()
    r = alice.post(f"/items/{pub}/send", data={"csrf_token": csrf_of(alice, f"/items/{pub}/send"),
                                               "to_member": chosen.group(1), "note": "for Zoe"})
    assert r.status_code == 302
    [(to, data)] = world.mail.messages
    msg = message_from_bytes(data, policy=policy.default)
    assert to == "zoe@zeta.example" and msg["Reply-To"] == ALICE
    assert msg["From"].addresses[0].display_name == "Alice Adler via DigitalCluster"


def test_refusals_and_the_daily_limit_are_answered_in_the_persons_language(world: WebWorld) -> None:
    alice, anna = world.client(ALICE), world.client(ANNA)  # English and German
    pub, club = world.items["pub-0"], world.items["club"]
    tok = csrf_of(alice, "/me/preferences")
    for to in ("nobody@nowhere.example", RITA, BOB):
        r = alice.post(f"/items/{club}/send", data={"csrf_token": tok, "to": to})
        assert r.status_code == 404 and "This item cannot be sent to that person" in r.get_data(as_text=True), to
    anna_tok = csrf_of(anna, "/me/preferences")
    r = anna.post(f"/items/{pub}/send", data={"csrf_token": anna_tok, "to": "nobody@nowhere.example"})
    assert r.status_code == 404 and "kann an diese Person nicht gesendet werden" in r.get_data(as_text=True)
    world.mail.messages.clear()
    for client, token, to in ((alice, tok, BOB), (anna, anna_tok, ALICE)):
        for _ in range(10):
            assert client.post(f"/items/{pub}/send", data={"csrf_token": token, "to": to}).status_code == 302
    assert len(world.mail.messages) == 20
    r = alice.post(f"/items/{pub}/send", data={"csrf_token": tok, "to": BOB})
    assert r.status_code == 429 and "You have sent 10 items to colleagues today" in r.get_data(as_text=True)
    r = anna.post(f"/items/{pub}/send", data={"csrf_token": anna_tok, "to": ALICE})
    assert r.status_code == 429 and "Sie haben heute schon 10 Artikel" in r.get_data(as_text=True)
    assert len(world.mail.messages) == 20


def test_colleague_mail_is_a_preference_shown_and_kept(world: WebWorld) -> None:
    bob, alice = world.client(BOB), world.client(ALICE)
    pub = world.items["pub-0"]
    page = bob.get("/me/preferences").get_data(as_text=True)
    assert re.search(r'name="colleague_mail"[^>]*checked', page)
    tok = csrf_of(bob, "/me/preferences")
    bob.post("/me/preferences", data={"csrf_token": tok, "language": "en", "areas": ["company"], "interests": "",
                                      "frequency": "weekly"})  # the box left unticked
    assert not re.search(r'name="colleague_mail"[^>]*checked', bob.get("/me/preferences").get_data(as_text=True))
    assert world.cur.members.get(BOB).colleague_mail is False
    assert json.loads(bob.get("/me/data/export.json").get_data(as_text=True))["consent"]["colleague_mail"] is False
    assert "Bob Brandt" not in alice.get(f"/items/{pub}/send?q=bob").get_data(as_text=True)
    r = alice.post(f"/items/{pub}/send", data={"csrf_token": csrf_of(alice, "/me/preferences"), "to": BOB})
    assert r.status_code == 404
    bob.post("/me/preferences", data={"csrf_token": tok, "language": "en", "areas": ["company"], "interests": "",
                                      "frequency": "weekly", "colleague_mail": "on"})
    assert "Bob Brandt" in alice.get(f"/items/{pub}/send?q=bob").get_data(as_text=True)


def test_the_german_erase_page_asks_for_no_english_word(world: WebWorld) -> None:
    anna = world.client(ANNA)  # German
    page = anna.get("/me/data").get_data(as_text=True)
    assert "ERASE" not in page and "Meine Daten löschen" in page
    assert re.search(r'type="checkbox"[^>]*name="confirm"[^>]*required', page)
    tok = csrf_of(anna, "/me/data")
    r = anna.post("/me/data/erase", data={"csrf_token": tok})
    assert r.status_code == 400 and "Setzen Sie das Häkchen" in r.get_data(as_text=True)
    assert world.cur.members.get(ANNA)
    r = anna.post("/me/data/erase", data={"csrf_token": tok, "confirm": "yes"})
    assert r.status_code == 200 and "Ihre Daten wurden gelöscht" in r.get_data(as_text=True)
    assert ANNA not in {m.email for m in world.cur.members.list()}
