"""Issue 10: one validator for email addresses from import to send (item 12), feedback that names
items by the ids of the archive they came from (item 11), and no script links through an import
(item 10). On the real storage, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator.accounts import check_email
from curator.accounts.mail import build_account_mail
from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator, make_curator
from curator.delivery import SmtpSender
from curator.delivery.message import HeaderError, check_address
from curator.email_address import InvalidEmailAddress, envelope_address, normalise_email
from curator.errors import InvalidInput
from curator.profiles.members_import import parse_member
from tests.delivery.sink import SmtpSink
from tests.newsletter.world import EDITOR, SECRET, build_world

ROW = {"name": "Jana Frey", "organisation": "Bücherhalle", "language": "de"}

GOOD = [
    ("jana@bücher.de", "jana@bücher.de", "jana@xn--bcher-kva.de"),
    ("Jana@XN--BCHER-KVA.de", "jana@bücher.de", "Jana@xn--bcher-kva.de"),
    ("info@straße.de", "info@straße.de", "info@xn--strae-oqa.de"),  # never strasse.de
    ("  a.b+c@Sub.Example.ORG ", "a.b+c@sub.example.org", "a.b+c@sub.example.org"),
]
BAD = ["jäna@bücher.de", "", "nobody", "a@b", "a@@b.org", "a..b@c.org", "a b@c.org", "<a@b.org>",
       "Jana <jana@b.org>", "a@b.org, c@d.org", "a@b.org\r\nRCPT TO:<x@y.org>", "x@localhost", "x@mail.test",
       "x" * 250 + "@example.org", "a@[127.0.0.1]", '"a b"@c.org']


@pytest.mark.parametrize(("raw", "stored", "sent"), GOOD)
def test_an_address_accepted_anywhere_is_accepted_everywhere(raw: str, stored: str, sent: str) -> None:
    assert parse_member({**ROW, "email": raw}, personas=()).email == stored  # member import
    assert check_email(raw) == stored  # accounts and sign-in
    assert normalise_email(raw) == stored
    assert check_address(stored) == envelope_address(raw).lower() == sent.lower()  # digest send
    mail = build_account_mail(mail_from="Curator <news@cluster.example>", to_email=stored, subject="s", text="t",
                              date=datetime(2026, 11, 20))  # account and colleague mail
    assert mail.recipient == check_address(stored)
    assert f"To: {mail.recipient}".encode() in mail.data


@pytest.mark.parametrize("raw", BAD)
def test_an_address_refused_anywhere_is_refused_everywhere(raw: str) -> None:
    with pytest.raises(ValueError, match="'email': .*not an email address"):
        parse_member({**ROW, "email": raw}, personas=())
    with pytest.raises(InvalidInput, match="not an email address"):
        check_email(raw)
    with pytest.raises(HeaderError, match="not a plain email address"):
        check_address(raw)


def test_an_international_local_part_is_refused_with_the_reason() -> None:
    with pytest.raises(InvalidEmailAddress, match="non-ASCII characters, which needs SMTPUTF8"):
        normalise_email("jäna@bücher.de")


@given(st.one_of(st.text(max_size=40), st.emails().map(str),
                 st.builds(lambda u, d: f"{u}@{d}", st.text(max_size=10), st.sampled_from(
                     ["bücher.de", "straße.de", "example.org", "xn--bcher-kva.de", "ex ample.org", "b"]))))
def test_whatever_import_accepts_can_be_sent_to(raw: str) -> None:
    try:
        stored = normalise_email(raw)
    except InvalidEmailAddress:
        with pytest.raises(HeaderError):
            check_address(raw)
        return
    sent = check_address(stored)
    assert sent.isascii() and normalise_email(sent) == stored  # the send form names the same mailbox


# --------------------------------------------------------------------------- through the facade

@pytest.fixture
def cur(settings: Settings, clock: FixedClock) -> Iterator[Curator]:
    c = make_curator(settings.replace(secret_key=SECRET, mail_from="Cluster Digest <digest@cluster.example>",
                                      base_url="https://curator.example"), clock=clock)
    try:
        yield c
    finally:
        c.close()


def test_an_imported_international_address_receives_the_digest(cur: Curator) -> None:
    build_world(cur)
    res = cur.members.import_file("email,name,organisation,language\njana@Bücher.de,Jana Frey,Bücherhalle,de\n"
                                  "jäna@bücher.de,Jäna,Bücherhalle,de\n", fmt="csv")
    assert res.new == 1
    [(row, message)] = res.errors
    assert row == 2 and "SMTPUTF8" in message
    assert cur.members.get("jana@bücher.de").email == "jana@bücher.de"
    issue = cur.digests.draft("everyone", editor=EDITOR)
    cur.digests.approve(issue.id, editor=EDITOR)
    with SmtpSink() as sink:
        report = cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none", timeout=10))
        [jana] = [m for m in sink.received if m.rcpt_tos == ["jana@xn--bcher-kva.de"]]
    assert report.failed == 0
    assert jana.message["To"].addresses[0].addr_spec == "jana@xn--bcher-kva.de"
    assert {d.email: d.state for d in cur.digests.deliveries(issue.id)}["jana@bücher.de"] == "sent"


ARCHIVE = [
    json.dumps({"id": "bbc-business-232", "title": "Chip makers invest in Saxony",
                "text": "A new factory for chips opens near Dresden. " * 3, "url": "https://www.bbc.example/b/232?utm_source=rss"}),
    json.dumps({"id": 1, "title": "Archive article one", "text": "The first article of the archive. " * 3}),
    json.dumps({"id": "x", "title": "Script link", "text": "x", "url": "javascript:alert(document.cookie)"}),
    json.dumps({"id": "y", "title": "Data link", "text": "x", "url": "data:text/html,<script>alert(1)</script>"}),
]


def test_import_items_refuses_script_links_and_feedback_finds_items_by_archive_id(cluster: Curator) -> None:
    cur = cluster
    res = cur.items.import_jsonl(ARCHIVE, source_id="archive")
    assert res.new == 2
    assert [n for n, _ in res.errors] == [3, 4] and all("web address" in m for _, m in res.errors)
    assert all(i.url is None or i.url.startswith(("https://", "http://")) for i in cur.items.list())
    imported = {i.key: i for i in cur.items.list() if i.key.startswith("import:")}
    bbc, one = imported["import:bbc-business-232"], imported["import:1"]

    def line(item: object, kind: str = "save") -> str:
        return json.dumps({"member": "CIO@alpha.example", "item": item, "kind": kind, "at": "2026-11-19T10:00:00Z"})

    res = cur.feedback.import_jsonl([
        line("bbc-business-232"),  # the archive's own id
        line("import:bbc-business-232", "more"),  # the item key
        line("https://www.bbc.example/b/232?utm_medium=email", "less"),  # its URL, whatever the tracking
        line(bbc.id, "hide"),  # curator's item id
        line("no-such-article"),
    ])
    assert [(n, m) for n, m in res.errors] == [(5, "line 5: no item 'no-such-article' (give an item id, an item key, "
                                                   "the id an archive gave it, or its URL)")]
    assert res.stored == 4
    events = cur.feedback.of_member(cur.members.get("cio@alpha.example"))
    assert [(e.item_id, e.kind) for e in events] == [(bbc.id, k) for k in ("save", "more", "less", "hide")]

    # "1" is both curator's item 1 and the archive's id 1 (another item): say so, never guess
    assert one.id != 1 and cur.items.get(1).key != "import:1"
    res = cur.feedback.import_jsonl([line(1), line("1"), line(f"{one.key}")])
    assert [n for n, _ in res.errors] == [1, 2]
    assert "ambiguous" in res.errors[0][1] and f"'{cur.items.get(1).key}' or 'import:1'" in res.errors[0][1]
    assert res.stored == 1
