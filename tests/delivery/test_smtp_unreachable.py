"""Every way of not reaching the mail server is the server's fault, never a recipient's (issue 10
#4): refused connection, unknown host, no greeting, 421 at the greeting, failed TLS handshake,
rejected login. The send backs off as a whole; nobody is charged an attempt; the issue says it
waits for the mail server, why, and when it tries next. Replies about one recipient keep their
rules (tests/delivery/test_smtp_faults.py)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from curator.clock import FixedClock
from curator.core import Curator
from curator.delivery import Outcome, SmtpSender
from curator.storage import FrozenRecipient
from tests.delivery.sink import SmtpSink, _free_port
from tests.ingest.hostile_servers import RawServer
from tests.newsletter.world import EDITOR, World, check_send_invariants


def approved_issue(cur: Curator) -> int:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    return issue.id


def no_sleep(_: float) -> None:
    pass


def _greeting_421(conn: socket.socket, stop: threading.Event) -> None:
    conn.sendall(b"421 4.3.2 Service not available, closing channel\r\n")


def _silent(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait()  # accepts the connection, never greets


def _reject_login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    return AuthResult(success=False, handled=False)


@pytest.fixture
def login_server() -> Iterator[int]:
    """An SMTP server that offers AUTH in the clear (no TLS needed here) and rejects every login."""
    port = _free_port()

    class _Nothing:
        pass

    c = Controller(_Nothing(), hostname="127.0.0.1", port=port, auth_require_tls=False,
                   authenticator=_reject_login)
    c.start()
    yield port
    c.stop()


Fault = Callable[[pytest.FixtureRequest], tuple[SmtpSender, str]]


def _refused(request: pytest.FixtureRequest) -> tuple[SmtpSender, str]:
    return SmtpSender("127.0.0.1", _free_port(), security="none"), "Connection refused"


def _unknown_host(request: pytest.FixtureRequest) -> tuple[SmtpSender, str]:
    return SmtpSender("mail.curator.invalid", 25, security="none"), "mail.curator.invalid:25"


def _raw(handler: Callable[[socket.socket, threading.Event], None], detail: str) -> Fault:
    def make(request: pytest.FixtureRequest) -> tuple[SmtpSender, str]:
        server = RawServer(handler)
        request.addfinalizer(server.close)
        # a short timeout only keeps the no-greeting case quick; nothing here measures time
        return SmtpSender("127.0.0.1", server.port, security="none", timeout=0.5), detail
    return make


def _tls_handshake(request: pytest.FixtureRequest) -> tuple[SmtpSender, str]:
    sink = SmtpSink()  # speaks plain SMTP where implicit TLS is expected
    sink.__enter__()
    request.addfinalizer(lambda: sink.__exit__(None, None, None))
    return SmtpSender("127.0.0.1", sink.port, security="tls"), f"127.0.0.1:{sink.port}"


def _login(request: pytest.FixtureRequest) -> tuple[SmtpSender, str]:
    port = request.getfixturevalue("login_server")
    return SmtpSender("127.0.0.1", port, security="none", user="curator", password="wrong"), "smtp_password"


FAULTS: dict[str, Fault] = {
    "connection_refused": _refused,
    "dns_failure": _unknown_host,
    "timeout_at_connect": _raw(_silent, "timed out"),
    "421_at_greeting": _raw(_greeting_421, "421 4.3.2"),
    "tls_handshake_failure": _tls_handshake,
    "login_rejected": _login,
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_unreachable_server_charges_nobody_and_the_issue_waits(cur: Curator, world: World, clock: FixedClock,
                                                              request: pytest.FixtureRequest, fault: str) -> None:
    sender, detail = FAULTS[fault](request)
    issue_id = approved_issue(cur)
    report = cur.digests.send(issue_id, sender=sender, sleep=no_sleep)
    assert (report.sent, report.failed, report.deferred, report.state) == (0, 0, 0, "sending")
    assert cur.digests.delivery_counts(issue_id) == {"pending": len(world.members)}
    assert all(d.attempts == 0 for d in cur.digests.deliveries(issue_id))
    issue = cur.digests.get(issue_id)
    assert issue.hold_reason == report.message
    assert report.message.startswith("waiting for the mail server, unreachable at ") and detail in report.message
    next_try = clock.now() + timedelta(minutes=1)  # the first wait of a send
    assert report.message.endswith(f"next try at {next_try:%Y-%m-%d %H:%M} UTC")
    # before then, a run neither tries nor charges anyone, and repeats why it waits
    clock.advance(seconds=30)
    again = cur.digests.send(issue_id, sender=sender, sleep=no_sleep)
    assert again.message == report.message and again.state == "sending"
    assert all(d.attempts == 0 for d in cur.digests.deliveries(issue_id))


class _GoesDownAfter:
    """The mail server stops (sink shut down) once it has accepted ``n`` messages."""

    def __init__(self, inner: SmtpSender, sink: SmtpSink, n: int) -> None:
        self.inner, self.sink, self.n = inner, sink, n

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str) -> Outcome:
        if len(self.sink.received) == self.n:
            self.sink.__exit__(None, None, None)
        return self.inner.send(envelope_from, recipient, data, message_id)

    def close(self) -> None:
        self.inner.close()


class _Received:
    def __init__(self, *sinks: SmtpSink) -> None:
        self.received = [m for s in sinks for m in s.received]


def test_outage_in_the_middle_of_a_send(cur: Curator, world: World, clock: FixedClock) -> None:
    """Those who got it keep it; the rest wait, uncharged, a minute after the last accepted
    message, then get it once."""
    port = _free_port()
    first = SmtpSink(port=port).__enter__()
    s = SmtpSender("127.0.0.1", port, security="none", max_per_connection=2)
    issue_id = approved_issue(cur)
    report = cur.digests.send(issue_id, sender=_GoesDownAfter(s, first, 2), sleep=no_sleep)
    assert (report.sent, report.failed, report.state) == (2, 0, "sending")
    pending = cur.digests.deliveries(issue_id, ("pending",))
    assert len(pending) == len(world.members) - 2 and all(d.attempts == 0 for d in pending)
    assert report.message.endswith(f"next try at {clock.now() + timedelta(minutes=1):%Y-%m-%d %H:%M} UTC")
    assert f"{len(pending)} recipient(s) stay pending" in report.message
    clock.advance(minutes=1)
    with SmtpSink(port=port) as second:
        report = cur.digests.send(issue_id, sender=SmtpSender("127.0.0.1", port, security="none"), sleep=no_sleep)
        assert report.sent == len(world.members) - 2 and report.state == "sent" and report.message == ""
        check_send_invariants(cur, _Received(first, second), issue_id, set(world.members), world.club_member_emails)
    assert cur.digests.get(issue_id).hold_reason is None


def test_ledger_backs_off_a_whole_issue_without_charging_anyone(cur: Curator, world: World,
                                                               clock: FixedClock) -> None:
    """The storage side of the back-off, on both databases."""
    store, now = cur.storage, clock.now()
    issue_id = approved_issue(cur)
    members = sorted(world.members.values(), key=lambda m: m.id)
    store.start_sending(issue_id, [FrozenRecipient(m.id, m.email, f"<{m.id}@x>") for m in members], now=now,
                        expect_revision=cur.digests.get(issue_id).revision)
    assert store.last_accepted(issue_id) == now  # nothing accepted yet: the send's start
    a, b, c, *_ = store.claim_batch(issue_id, owner="w", now=now, claim_for=timedelta(minutes=10), limit=10)
    assert store.mark_sending(a.id, owner="w", now=now, until=now + timedelta(minutes=10))
    assert store.mark_sent(a.id, owner="w", now=now + timedelta(seconds=5))
    assert store.last_accepted(issue_id) == now + timedelta(seconds=5)
    # b had a 4xx of its own and waits two hours; c could not reach the server
    assert store.mark_sending(b.id, owner="w", now=now, until=now + timedelta(minutes=10))
    assert store.mark_deferred(b.id, owner="w", now=now, error="451", next_attempt_at=now + timedelta(hours=2))
    assert store.mark_sending(c.id, owner="w", now=now, until=now + timedelta(minutes=10))
    assert store.mark_unreached(c.id, owner="w", now=now, error="cannot reach the mail server")
    assert not store.mark_unreached(c.id, owner="w", now=now, error="twice")  # no longer in flight
    store.release_claims(issue_id, "w", now)
    assert store.postpone_pending(issue_id, now=now, until=now + timedelta(hours=1)) == len(members) - 2
    rows = {d.id: d for d in cur.digests.deliveries(issue_id)}
    assert (rows[b.id].attempts, rows[c.id].attempts) == (1, 0)
    assert rows[c.id].state == "pending" and rows[c.id].last_error == "cannot reach the mail server"
    claim = timedelta(minutes=1)
    assert store.claim_batch(issue_id, owner="w", now=now + timedelta(minutes=59), claim_for=claim, limit=10) == []
    due = store.claim_batch(issue_id, owner="w", now=now + timedelta(hours=1), claim_for=claim, limit=10)
    assert {d.id for d in due} == set(rows) - {a.id, b.id}  # b's own wait is longer
