"""Sending an item to a colleague (issue 10, item 2), through the facade on SQLite and PostgreSQL:
only members of the cluster send; the recipient is found by name among those who may receive the
item (never a directory, never an address); every refused recipient gets the same answer; ten a
day; the mail carries the sender's name and a Reply-To; colleague mail can be turned off, and an
unsubscribed member gets none."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from curator.accounts import build_account_mail
from curator.core import Curator, make_curator
from curator.delivery import HeaderError, Outcome
from curator.errors import AccessDenied, InvalidInput, NotFound, RateLimited
from curator.features.feedback import COLLEAGUE_MAILS_PER_DAY, COLLEAGUE_SEARCH_LIMIT, NO_SUCH_COLLEAGUE
from curator.types import Colleague, Item, WebUser
from tests.conftest import T0

from .conftest import MEMBERS_CSV

CLARA, HANNA, FRITZ, CORA, GUSTAV = ("cio@alpha.example", "hr@alpha.example", "founder@beta.example",
                                     "cold@gamma.example", "guest@example.org")


class RecordingSender:
    """The edge of the world for account mail: keeps what would be sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, bytes]] = []

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        self.messages.append((envelope_from, recipient, data))
        return Outcome("sent")

    def close(self) -> None:
        pass

    def parsed(self) -> list[EmailMessage]:
        return [message_from_bytes(data, policy=policy.default) for _, _, data in self.messages]  # type: ignore[misc]


@pytest.fixture
def mail() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def cur(cluster: Curator, mail: RecordingSender) -> Iterator[Curator]:
    """The cluster with a recording account sender, "DigitalCluster" as the mail sender and a
    secret key for unsubscribe links."""
    settings = cluster.settings.replace(mail_from="DigitalCluster <news@cluster.example>",
                                        base_url="https://cluster.example", secret_key="colleague-test-secret-0123456789")
    c = make_curator(settings, clock=cluster.clock, migrate=False, account_sender=mail)
    try:
        yield c
    finally:
        c.close()


def user(cur: Curator, email: str) -> WebUser:
    return cur.accounts.create(email)


def public_item(cur: Curator) -> Item:
    return next(i for i in cur.items.list() if i.visibility == "public")


def club_item(cur: Curator) -> Item:
    return next(i for i in cur.items.list() if i.visibility == "club:it-executive")


def sends(cur: Curator, email: str) -> list[int | None]:
    return [e.to_member_id for e in cur.feedback.of_member(cur.members.get(email)) if e.kind == "send"]


def test_only_members_of_the_cluster_may_send(cur: Curator, mail: RecordingSender) -> None:
    item = public_item(cur)
    registered = user(cur, GUSTAV)
    editor = cur.accounts.create("editor@cluster.example", role="editor")
    for who in (registered, editor):
        with pytest.raises(AccessDenied, match="only members of the cluster"):
            cur.feedback.colleagues(who, item.id, "Clara")
        with pytest.raises(AccessDenied):
            cur.feedback.share(who, item.id, to_email=CLARA, note="hi")
    assert mail.messages == [] and sends(cur, GUSTAV) == []


def names(cur: Curator, who: str, item: Item, query: str) -> list[str]:
    return [c.name for c in cur.feedback.colleagues(user(cur, who), item.id, query)]


def test_colleagues_are_searched_by_name_among_those_who_may_receive_the_item(cur: Curator) -> None:
    cur.members.import_file("email,name,organisation,language\nzora@alpha.example,Zora Zimmer,Alpha GmbH,en\n")
    item, club = public_item(cur), club_item(cur)
    assert names(cur, CLARA, item, "") == [] and names(cur, CLARA, item, " r ") == []  # a search, not a list
    # any case, trimmed; her own organisation first, then by name; never herself
    assert names(cur, CLARA, item, " RA ") == ["Zora Zimmer", "Cora Cold"]
    assert names(cur, FRITZ, item, "ra") == ["Clara CIO", "Cora Cold", "Zora Zimmer"]
    assert names(cur, CLARA, item, "gustav") == []  # a registered user, not a member of the cluster
    # a club item: only those the club admitted; someone who may not see it cannot search at all
    assert names(cur, CLARA, item, "hanna") == ["Hanna HR"] and names(cur, CLARA, club, "hanna") == []
    with pytest.raises(NotFound):
        names(cur, FRITZ, club, "ra")
    # the page gets nothing but a name and an organisation, and never the whole directory
    assert {f.name for f in fields(Colleague)} == {"id", "name", "organisation"}
    cur.members.import_file("email,name,organisation,language\n" + "".join(
        f"p{n}@delta.example,Delta Person {n},Delta KG,en\n" for n in range(COLLEAGUE_SEARCH_LIMIT + 5)))
    assert len(names(cur, CLARA, item, "delta person")) == COLLEAGUE_SEARCH_LIMIT


def test_opted_out_and_unsubscribed_members_are_neither_found_nor_sent_to(cur: Curator, mail: RecordingSender) -> None:
    clara, item = user(cur, CLARA), public_item(cur)
    assert [c.name for c in cur.feedback.colleagues(clara, item.id, "hanna")] == ["Hanna HR"]
    cur.members.update_preferences(user(cur, HANNA), language="de", areas=["work"], interests="",
                                   digest_frequency="weekly", tracking_consent=False, colleague_mail=False)
    assert cur.members.get(HANNA).colleague_mail is False
    assert cur.feedback.colleagues(clara, item.id, "hanna") == []
    with pytest.raises(NotFound):
        cur.feedback.share(clara, item.id, to_email=HANNA)
    # a CRM re-import never turns it back on: it is the member's own choice
    cur.members.import_file(MEMBERS_CSV, fmt="csv")
    assert cur.members.get(HANNA).colleague_mail is False
    assert cur.accounts.export_data(user(cur, HANNA))["consent"]["colleague_mail"] is False
    # unsubscribed from the newsletter: no colleague mail either
    fritz = cur.members.get(FRITZ)
    assert cur.digests.unsubscribe(cur.digests.unsubscribe_token(fritz))
    assert cur.feedback.colleagues(clara, item.id, "fritz") == []
    with pytest.raises(NotFound):
        cur.feedback.share(clara, item.id, to_member=fritz.id)
    assert mail.messages == [] and sends(cur, CLARA) == []


def test_every_refused_recipient_gets_the_same_answer(cur: Curator, mail: RecordingSender) -> None:
    clara, club = user(cur, CLARA), club_item(cur)
    cur.members.update_preferences(user(cur, CORA), language="en", areas=[], interests="", digest_frequency="weekly",
                                   tracking_consent=False, colleague_mail=False)
    refusals = []
    for choice in ({"to_email": "nobody@nowhere.example"}, {"to_email": GUSTAV}, {"to_email": HANNA},
                   {"to_email": CORA}, {"to_member": 987654}, {"to_member": cur.members.get(GUSTAV).id}):
        with pytest.raises(NotFound) as exc:
            cur.feedback.share(clara, club.id, note="secret", **choice)  # type: ignore[arg-type]
        refusals.append(str(exc.value))
    assert set(refusals) == {NO_SUCH_COLLEAGUE}
    with pytest.raises(InvalidInput, match="not yourself"):
        cur.feedback.share(clara, club.id, to_email=CLARA.upper())
    with pytest.raises(InvalidInput, match="choose one colleague"):
        cur.feedback.share(clara, club.id)
    with pytest.raises(InvalidInput, match="choose one colleague"):
        cur.feedback.share(clara, club.id, to_member=1, to_email=HANNA)
    assert mail.messages == [] and sends(cur, CLARA) == []


def test_the_mail_names_the_sender_and_a_reply_goes_to_them(cur: Curator, mail: RecordingSender) -> None:
    clara, item = user(cur, CLARA), public_item(cur)
    [hanna] = cur.feedback.colleagues(clara, item.id, "hanna")
    cur.feedback.share(clara, item.id, to_member=hanna.id, note="Für euer HR-Team")
    cur.feedback.share(clara, item.id, to_email=" Cold@Gamma.example ", note="")  # an address she knows
    assert [to for _, to, _ in mail.messages] == [HANNA, CORA]
    assert {env for env, _, _ in mail.messages} == {"news@cluster.example"}
    de, en = mail.parsed()
    for msg in (de, en):
        assert msg["From"].addresses[0].display_name == "Clara CIO via DigitalCluster"
        assert msg["From"].addresses[0].addr_spec == "news@cluster.example"
        assert msg["Reply-To"].addresses[0].addr_spec == CLARA
        assert CLARA not in msg.get_content()  # the address is in Reply-To only
    assert de["Subject"] == f"Clara CIO empfiehlt: {item.title}" and "Notiz: Für euer HR-Team" in de.get_content()
    assert "https://cluster.example/me/preferences" in de.get_content()
    assert en["Subject"] == f"Clara CIO recommends: {item.title}" and "Note:" not in en.get_content()
    assert f"https://cluster.example/items/{item.id}" in en.get_content()
    assert sends(cur, CLARA) == [cur.members.get(HANNA).id, cur.members.get(CORA).id]


def test_a_hostile_sender_name_cannot_add_headers() -> None:
    m = build_account_mail(mail_from="DigitalCluster <news@cluster.example>", to_email="a@example.org", subject="s",
                           text="t", date=T0, on_behalf_of='Eve\r\nBcc: all@example.org "=?utf-8?q?x?="',
                           reply_to="eve@example.org")
    msg = message_from_bytes(m.data, policy=policy.default)
    assert "Bcc" not in msg and msg["Reply-To"] == "eve@example.org"
    assert msg["From"].addresses[0].addr_spec == "news@cluster.example"
    assert msg["From"].addresses[0].display_name.endswith(" via DigitalCluster")
    with pytest.raises(HeaderError):
        build_account_mail(mail_from="DigitalCluster <news@cluster.example>", to_email="a@example.org", subject="s",
                           text="t", date=T0, reply_to="eve@example.org\r\nBcc: x@example.org")


def test_ten_a_day_then_a_clear_refusal(cur: Curator, mail: RecordingSender) -> None:
    clara, item = user(cur, CLARA), public_item(cur)
    hanna_id = cur.members.get(HANNA).id
    for _ in range(COLLEAGUE_MAILS_PER_DAY):
        cur.feedback.share(clara, item.id, to_member=hanna_id)
    with pytest.raises(RateLimited, match="10 items to colleagues today") as exc:
        cur.feedback.share(clara, item.id, to_member=hanna_id)
    assert exc.value.limit == COLLEAGUE_MAILS_PER_DAY
    assert len(mail.messages) == COLLEAGUE_MAILS_PER_DAY == len(sends(cur, CLARA))
    # the limit is the sender's: Fritz may still send; refused choices never used up Clara's day
    cur.feedback.share(user(cur, FRITZ), item.id, to_member=hanna_id)
    cur.clock.advance(hours=23)  # type: ignore[attr-defined]
    with pytest.raises(RateLimited):
        cur.feedback.share(clara, item.id, to_member=hanna_id)
    cur.clock.advance(hours=1, seconds=1)  # type: ignore[attr-defined]
    cur.feedback.share(clara, item.id, to_member=hanna_id)
    assert len(sends(cur, CLARA)) == COLLEAGUE_MAILS_PER_DAY + 1
