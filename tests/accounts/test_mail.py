"""Account mail: a plain transactional message with safe headers, sent through one transport."""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from curator.accounts import AccountMail, build_account_mail
from curator.clock import FixedClock
from curator.delivery import HeaderError, OutboxSender, Outcome
from curator.errors import DeliveryError

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FROM = "DigitalCluster <news@cluster.example>"


class Transport:
    """Keeps what it is given; answers with ``outcome`` or raises ``error``."""

    def __init__(self, outcome: Outcome | None = None, error: Exception | None = None) -> None:
        self.outcome, self.error = outcome or Outcome("sent"), error
        self.sent: list[tuple[str, str, bytes, str]] = []
        self.closed = 0

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        self.sent.append((envelope_from, recipient, data, message_id))
        if self.error is not None:
            raise self.error
        return self.outcome

    def close(self) -> None:
        self.closed += 1


def test_the_message_has_the_transactional_headers_and_no_list_headers() -> None:
    m = build_account_mail(mail_from=FROM, to_email="alice@example.org", subject="Your sign-in link",
                           text="Hello,\n\nhttps://curator.example/auth/link/tok\n", date=T0)
    assert (m.envelope_from, m.recipient) == ("news@cluster.example", "alice@example.org")
    assert b"\r\n" in m.data
    msg = message_from_bytes(m.data, policy=policy.default)
    assert [k.lower() for k in msg][:6] == ["from", "to", "subject", "date", "message-id", "auto-submitted"]
    assert msg["From"] == FROM and msg["To"] == "alice@example.org"
    assert msg["Subject"] == "Your sign-in link"
    assert msg["Date"].datetime == T0
    assert msg["Message-ID"] == m.message_id and m.message_id.endswith("@cluster.example>")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "List-Unsubscribe" not in msg and "List-Id" not in msg
    assert msg.get_content_type() == "text/plain"
    assert "https://curator.example/auth/link/tok" in msg.get_content()


def test_each_message_gets_its_own_message_id() -> None:
    a, b = (build_account_mail(mail_from=FROM, to_email="a@example.org", subject="s", text="t", date=T0)
            for _ in range(2))
    assert a.message_id != b.message_id


@pytest.mark.parametrize("subject", ["Hi\r\nBcc: evil@x.org", "=?UTF-8?Q?=0A?=Bcc: x@evil.org", "a\u2028Bcc: b@x.org"])
def test_no_subject_can_add_a_header(subject: str) -> None:
    m = build_account_mail(mail_from=FROM, to_email="a@example.org", subject=subject, text="t", date=T0)
    msg = message_from_bytes(m.data, policy=policy.default)
    assert "Bcc" not in msg and "\n" not in msg["Subject"]


def test_long_subjects_are_cut() -> None:
    m = build_account_mail(mail_from=FROM, to_email="a@example.org", subject="x" * 500, text="t", date=T0)
    assert len(message_from_bytes(m.data, policy=policy.default)["Subject"]) == 200


def test_umlauts_survive() -> None:
    m = build_account_mail(mail_from="Clüster <news@cluster.example>", to_email="a@example.org",
                           subject="Ihr Anmeldelink für Müller", text="Grüße", date=T0)
    msg = message_from_bytes(m.data, policy=policy.default)
    assert msg["Subject"] == "Ihr Anmeldelink für Müller" and msg["From"].addresses[0].display_name == "Clüster"
    assert msg.get_content().strip() == "Grüße"


@pytest.mark.parametrize(("mail_from", "to"), [(FROM, "a@example.org\r\nBcc: x@evil.org"), (FROM, "not an address"),
                                               ("broken", "a@example.org")])
def test_bad_addresses_are_header_errors(mail_from: str, to: str) -> None:
    with pytest.raises(HeaderError):
        build_account_mail(mail_from=mail_from, to_email=to, subject="s", text="t", date=T0)


def test_account_mail_sends_dated_by_the_clock_and_closes_the_transport() -> None:
    transport = Transport()
    mail = AccountMail(transport, mail_from=FROM, clock=FixedClock(T0))
    assert mail.send("alice@example.org", "Your sign-in link", "body")
    ((env_from, rcpt, data, mid),) = transport.sent
    assert (env_from, rcpt) == ("news@cluster.example", "alice@example.org")
    msg = message_from_bytes(data, policy=policy.default)
    assert msg["Message-ID"] == mid and msg["Date"].datetime == T0
    assert transport.closed == 1


@pytest.mark.parametrize("outcome", [Outcome("transient", "421 busy"), Outcome("permanent", "550 no such user"),
                                     Outcome("uncertain", "connection lost")])
def test_a_refused_message_is_false_and_logged(outcome: Outcome, caplog: pytest.LogCaptureFixture) -> None:
    transport = Transport(outcome)
    with caplog.at_level(logging.ERROR, logger="curator.accounts"):
        assert not AccountMail(transport, mail_from=FROM, clock=FixedClock(T0)).send("a@example.org", "s", "t")
    assert outcome.kind in caplog.text and transport.closed == 1


def test_a_failing_transport_is_false_logged_and_still_closed(caplog: pytest.LogCaptureFixture) -> None:
    transport = Transport(error=DeliveryError("mail server unreachable"))
    with caplog.at_level(logging.ERROR, logger="curator.accounts"):
        assert not AccountMail(transport, mail_from=FROM, clock=FixedClock(T0)).send("a@example.org", "s", "t")
    assert "mail server unreachable" in caplog.text and transport.closed == 1


def test_a_bad_recipient_raises_before_the_transport_is_touched() -> None:
    transport = Transport()
    with pytest.raises(HeaderError):
        AccountMail(transport, mail_from=FROM, clock=FixedClock(T0)).send("nobody", "s", "t")
    assert transport.sent == [] and transport.closed == 0


def test_sends_from_several_threads_do_not_overlap() -> None:
    active, overlaps = [0], []

    class Slow(Transport):
        def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
            active[0] += 1
            if active[0] > 1:
                overlaps.append(recipient)
            time.sleep(0.01)
            active[0] -= 1
            return super().send(envelope_from, recipient, data, message_id)

    transport = Slow()
    mail = AccountMail(transport, mail_from=FROM, clock=FixedClock(T0))
    threads = [threading.Thread(target=mail.send, args=(f"p{n}@example.org", "s", "t")) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert overlaps == [] and len(transport.sent) == 8 and transport.closed == 8


def test_through_the_outbox_transport(tmp_path: Path) -> None:
    mail = AccountMail(OutboxSender(tmp_path), mail_from=FROM, clock=FixedClock(T0))
    assert mail.send("bernd@example.org", "Your sign-in link", "https://curator.example/signin/x")
    (eml,) = tmp_path.glob("*.eml")
    text = eml.read_text()
    assert "Your sign-in link" in text and "List-Unsubscribe" not in text and "X-Envelope-To: bernd@example.org" in text
