"""SMTP failure modes against a misbehaving aiosmtpd sink (RELIABILITY 3E S05-S09, S14, S18)."""

from __future__ import annotations

from curator.clock import FixedClock
from curator.core import Curator
from curator.delivery import SmtpSender
from curator.delivery.loop import DeliveryPolicy
from tests.conftest import rebuilt
from tests.delivery.sink import Faults, SmtpSink, _free_port
from tests.newsletter.world import EDITOR, World, check_send_invariants


def approved_issue(cur: Curator) -> int:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    return issue.id


def sender(port: int, sleeps: list[float] | None = None) -> SmtpSender:
    return SmtpSender("127.0.0.1", port, security="none", timeout=5,
                      sleep=(sleeps.append if sleeps is not None else lambda s: None))


def no_sleep(_: float) -> None:
    pass


def test_transient_451_is_retried_with_backoff_and_delivered_once(cur: Curator, world: World, sink: SmtpSink) -> None:
    sink.faults.transient_data = {"bernd@example.org": 1}
    pauses: list[float] = []
    issue_id = approved_issue(cur)
    report = cur.digests.send(issue_id, sender=sender(sink.port), sleep=pauses.append)
    assert report.sent == len(world.members) and report.state == "sent"
    assert pauses == [2.0]  # one back-off pause, then accepted
    assert sink.data_attempts[("bernd@example.org",)] == 2
    states = check_send_invariants(cur, sink, issue_id, set(world.members), world.club_member_emails)
    assert set(states.values()) == {"sent"}


def test_persistent_4xx_is_deferred_then_sent_by_a_later_run(cur: Curator, world: World, sink: SmtpSink,
                                                            clock: FixedClock) -> None:
    sink.faults.transient_data = {"bernd@example.org": 3}  # more than the in-run retries (2 extra)
    issue_id = approved_issue(cur)
    report = cur.digests.send(issue_id, sender=sender(sink.port), sleep=no_sleep)
    assert report.deferred == 1 and report.state == "sending"
    (bernd,) = [d for d in cur.digests.deliveries(issue_id) if d.email == "bernd@example.org"]
    assert bernd.state == "pending" and "451" in (bernd.last_error or "")
    # too early: nothing happens
    assert cur.digests.send(issue_id, sender=sender(sink.port), sleep=no_sleep).sent == 0
    clock.advance(minutes=16)
    report = cur.digests.send(issue_id, sender=sender(sink.port), sleep=no_sleep)
    assert report.sent == 1 and report.state == "sent"
    check_send_invariants(cur, sink, issue_id, set(world.members), world.club_member_emails)
    assert len(sink.messages_to("bernd@example.org")) == 1


def test_temporary_failures_give_up_after_max_attempts(cur: Curator, world: World, sink: SmtpSink,
                                                       clock: FixedClock) -> None:
    sink.faults.transient_data = {"bernd@example.org": 1000}
    cur = rebuilt(cur, delivery_policy=DeliveryPolicy(retries_in_run=0, max_attempts=3))
    issue_id = approved_issue(cur)
    for _ in range(3):
        cur.digests.send(issue_id, sender=sender(sink.port), sleep=no_sleep)
        clock.advance(hours=2)
    (bernd,) = [d for d in cur.digests.deliveries(issue_id) if d.email == "bernd@example.org"]
    assert bernd.state == "failed" and bernd.attempts == 3 and "gave up" in (bernd.last_error or "")
    assert cur.digests.get(issue_id).state == "partially_sent"


def test_permanent_550_fails_one_member_only_and_next_message_still_works(cur: Curator, world: World,
                                                                         sink: SmtpSink) -> None:
    """S07 + S14: the 550 leaves a half transaction; the next MAIL FROM must come after RSET
    (aiosmtpd answers 503 "nested MAIL command" otherwise)."""
    sink.faults.fail_rcpt = {"bernd@example.org": "550 5.1.1 no such user"}
    issue_id = approved_issue(cur)
    s = sender(sink.port)
    report = cur.digests.send(issue_id, sender=s, sleep=no_sleep)
    assert report.failed == 1 and report.sent == len(world.members) - 1
    assert report.state == "partially_sent"  # not "sent" (listmonk#1762)
    states = check_send_invariants(cur, sink, issue_id, set(world.members), world.club_member_emails)
    assert states["bernd@example.org"] == "failed"
    (bernd,) = cur.digests.deliveries(issue_id, ("failed",))
    assert "550 5.1.1" in (bernd.last_error or "")
    assert s.connections_opened == 1  # the connection was reused after the error


def test_drop_after_data_is_uncertain_and_never_resent_automatically(cur: Curator, world: World, sink: SmtpSink,
                                                                    clock: FixedClock) -> None:
    """S05 (RFC 1047): the whole message arrives, the reply never does."""
    sink.faults.drop_after_data = {"bernd@example.org"}
    issue_id = approved_issue(cur)
    report = cur.digests.send(issue_id, sender=sender(sink.port), sleep=no_sleep)
    assert report.uncertain == 1 and report.state == "partially_sent"
    states = check_send_invariants(cur, sink, issue_id, set(world.members), world.club_member_emails)
    assert states["bernd@example.org"] == "uncertain"
    assert len(sink.messages_to("bernd@example.org")) == 1
    clock.advance(days=1)
    cur.digests.send_due(sender=sender(sink.port))
    assert len(sink.messages_to("bernd@example.org")) == 1  # nothing resends it by itself
    # the editor's deliberate resend keeps the same Message-ID and Date (S18)
    sink.faults.drop_after_data = set()
    cur.digests.resend(issue_id, world.members["bernd@example.org"].id)
    cur.digests.send(issue_id, sender=sender(sink.port), sleep=no_sleep)
    first, second = sink.messages_to("bernd@example.org")
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.message["Date"] == second.message["Date"]
    assert first.data == second.data  # byte for byte the same message
    assert cur.digests.get(issue_id).state == "sent"


def test_smtp_down_leaves_everything_pending_then_sends_once(cur: Curator, world: World, clock: FixedClock) -> None:
    """S08: no server listening: nothing is marked sent, the error is visible, the next run sends once."""
    dead_port = _free_port()
    issue_id = approved_issue(cur)
    report = cur.digests.send(issue_id, sender=sender(dead_port), sleep=no_sleep)
    assert report.sent == 0 and report.state == "sending" and "unreachable" in report.message
    assert cur.digests.delivery_counts(issue_id) == {"pending": len(world.members)}
    assert any("cannot reach" in (d.last_error or "") for d in cur.digests.deliveries(issue_id))
    clock.advance(hours=1)
    with SmtpSink() as sink:
        report = cur.digests.send(issue_id, sender=sender(sink.port), sleep=no_sleep)
        assert report.sent == len(world.members) and report.state == "sent"
        check_send_invariants(cur, sink, issue_id, set(world.members), world.club_member_emails)


def test_server_closing_every_two_messages(cur: Curator, world: World) -> None:
    """S09: the provider drops the connection every n messages; carry on, nobody twice, nobody missed."""
    with SmtpSink(Faults(close_every=2)) as sink:
        issue_id = approved_issue(cur)
        s = sender(sink.port)
        report = cur.digests.send(issue_id, sender=s, sleep=no_sleep)
        assert report.sent == len(world.members)
        check_send_invariants(cur, sink, issue_id, set(world.members), world.club_member_emails)
        assert s.connections_opened >= 2


def test_rate_limit_spaces_messages(cur: Curator, world: World, sink: SmtpSink) -> None:
    pauses: list[float] = []
    s = SmtpSender("127.0.0.1", sink.port, security="none", rate_per_second=5, sleep=pauses.append)
    cur.digests.send(approved_issue(cur), sender=s)
    assert len(pauses) >= len(world.members) - 2 and all(0 < p <= 0.2 for p in pauses)
