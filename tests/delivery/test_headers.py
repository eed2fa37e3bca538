"""Header safety: nothing in a name, subject or club name can add a header or a recipient
(RELIABILITY U01, U08)."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.utils import getaddresses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.core import Curator
from curator.delivery import HeaderError, SmtpSender, build_message
from curator.delivery.message import check_address, header_text
from curator.types import MemberRecord
from tests.delivery.sink import SmtpSink
from tests.newsletter.world import EDITOR, World

EXPECTED = {"from", "to", "subject", "date", "message-id", "list-id", "list-unsubscribe", "list-unsubscribe-post",
            "auto-submitted", "content-language", "mime-version", "content-type"}
NASTY = ["\r\nBcc: evil@x.org", "x\nBcc: evil@x.org", "trailing\n", "=?UTF-8?Q?=0A?=Bcc: x@evil.org",
         "Ünïcödé — 日本語\u2028Bcc: a@b.org", "\x00nul", "a\rb", "\x85next line"]

header_chars = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)


def build(name: str, subject: str, list_name: str = "DigitalCluster") -> bytes:
    return build_message(
        mail_from="Digest <digest@cluster.example>", to_name=name, to_email="member@example.org", subject=subject,
        text="text", html="<p>html</p>", message_id="<digest.1.abc@cluster.example>",
        date=datetime(2026, 11, 20, 9, tzinfo=UTC), list_id=f"{list_name} <everyone.digest.curator.example>",
        unsubscribe_url="https://curator.example/u/tok", lang="en")


def assert_safe(raw: bytes, to: str = "member@example.org") -> None:
    msg = message_from_bytes(raw, policy=policy.default)
    names = [k.lower() for k in msg]
    assert set(names) <= EXPECTED, names
    assert len(names) == len(set(names))  # no header twice
    assert [a for _, a in getaddresses(msg.get_all("To"))] == [to]
    assert msg.get_all("Cc") is None and msg.get_all("Bcc") is None
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])


@pytest.mark.parametrize("evil", NASTY)
def test_nasty_values_add_no_header(evil: str) -> None:
    assert_safe(build(f"Eve {evil}", f"Subject {evil}", f"Club {evil}"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=header_chars, subject=header_chars, club=header_chars)
def test_any_header_text_adds_no_header(name: str, subject: str, club: str) -> None:
    assert_safe(build(name, subject or "s", club))


def test_long_unsubscribe_url_stays_a_raw_url() -> None:
    """U01: a long token must not be folded into encoded words (mail clients would not see a URL)."""
    url = "https://newsletter.digitalcluster-hamburg.example/u/" + "eyJtIjoxNyw" * 20
    raw = build_message(
        mail_from="Digest <digest@cluster.example>", to_name="A", to_email="a@example.org", subject="s",
        text="t", html="h", message_id="<m@x>", date=datetime(2026, 11, 20, tzinfo=UTC), list_id="L <l.example>",
        unsubscribe_url=url)
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in raw
    msg = message_from_bytes(raw, policy=policy.default)
    assert str(msg["List-Unsubscribe"]) == f"<{url}>" and len(msg.get_all("List-Unsubscribe")) == 1
    for bad in ("javascript:alert(1)", "https://x.example/u/a b", "https://x.example/u/>\r\nBcc: e@x.org"):
        with pytest.raises(HeaderError):
            build_message(mail_from="D <d@c.example>", to_name="A", to_email="a@example.org", subject="s", text="t",
                          html="h", message_id="<m@x>", date=datetime(2026, 11, 20, tzinfo=UTC),
                          list_id="L <l.example>", unsubscribe_url=bad)


def test_header_text_flattens_every_line_break() -> None:
    assert header_text("a\r\nb\nc\u2028d\u2029e\x85f\tg") == "a b c d e f g"


@pytest.mark.parametrize("bad", ["a@b.org\r\nRCPT TO:<x@y.org>", "a@b.org, c@d.org", "a b@c.org", "<a@b.org>",
                                 "nobody", "a@b", "a@@b.org", "a..b@c.org", "ä@b.org"])
def test_addresses_must_be_plain(bad: str) -> None:
    with pytest.raises(HeaderError):
        check_address(bad)


def test_injection_attempts_end_to_end_reach_one_recipient(cur: Curator, world: World, sink: SmtpSink) -> None:
    store = cur.storage
    store.upsert_member(MemberRecord(email="eve@example.org", name="Eve\r\nBcc: evil@x.org\r\n", organisation=None,
                                     language="en"), cur.clock.now())
    issue = cur.digests.draft("everyone")
    cur.digests.edit(issue.id, subject="Weekly =?UTF-8?Q?=0A?=Bcc: x@evil.org\r\nCc: y@evil.org")
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.send(issue.id, sender=SmtpSender("127.0.0.1", sink.port, security="none"))
    assert len(sink.received) == len(world.members) + 1
    for m in sink.received:
        assert len(m.rcpt_tos) == 1
        assert_safe(m.data, m.rcpt_tos[0])
    (eve,) = sink.messages_to("eve@example.org")
    assert "Bcc" in str(eve.message["To"]) and "evil@x.org" not in [a for _, a in getaddresses([eve.message["To"]])]
