"""Draft -> approve -> send to a real SMTP server on loopback, exactly once (RELIABILITY S01, S02, I1-I4)."""

from __future__ import annotations

from email.utils import parseaddr

import pytest

from curator.core import Curator
from curator.delivery import SmtpSender
from curator.errors import WorkflowError
from tests.delivery.sink import SmtpSink

from .world import CANARY, EDITOR, World, check_send_invariants


def smtp(sink: SmtpSink) -> SmtpSender:
    return SmtpSender("127.0.0.1", sink.port, security="none", timeout=10)


def test_one_email_per_eligible_member_and_no_club_leak(cur: Curator, world: World, sink: SmtpSink) -> None:
    issue = cur.digests.draft("everyone", editor=EDITOR)
    assert issue.state == "draft"
    with pytest.raises(WorkflowError):
        cur.digests.send(issue.id, sender=smtp(sink))
    cur.digests.approve(issue.id, editor=EDITOR)
    report = cur.digests.send(issue.id, sender=smtp(sink))
    eligible = set(world.members)
    assert report.sent == len(eligible) and report.state == "sent"
    states = check_send_invariants(cur, sink, issue.id, eligible, world.club_member_emails)
    assert set(states.values()) == {"sent"}
    assert sink.count_by_recipient() == {e: 1 for e in eligible}
    # the club member does get the club item; nobody else does
    alice = sink.messages_to("alice@example.org")[0]
    assert CANARY in alice.text()
    for m in sink.received:
        msg = m.message
        assert parseaddr(msg["To"])[1] == m.rcpt_tos[0]
        assert msg["Message-ID"] and msg["List-Unsubscribe"].startswith("<https://curator.example/u/")
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg["List-Id"]
        # raw on the wire: one HTTPS URI in angle brackets, never RFC 2047-encoded (U01)
        raw_lines = [ln for ln in m.data.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if ln.lower().startswith(b"list-unsub")]
        assert len(raw_lines) == 2 and raw_lines[0].startswith(b"List-Unsubscribe: <https://curator.example/u/")
        assert raw_lines[1] == b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
        kinds = [p.get_content_type() for p in msg.walk()]
        assert "text/plain" in kinds and "text/html" in kinds
    # S02: the second run sends nothing
    again = cur.digests.send(issue.id, sender=smtp(sink)) if cur.digests.get(issue.id).state == "sending" else None
    assert again is None or again.sent == 0
    with pytest.raises(WorkflowError):
        cur.digests.send(issue.id, sender=smtp(sink))
    assert len(sink.received) == len(eligible)
