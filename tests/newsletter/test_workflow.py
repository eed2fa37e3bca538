"""The editorial workflow, segments and per-member checks at send time
(RELIABILITY S11, S12, S13, S16, S17; issue 5 "Workflow")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

import pytest

from curator.clock import FixedClock
from curator.core import Curator
from curator.delivery import OutboxSender, SmtpSender
from curator.errors import InvalidInput, NotFound, WorkflowError
from curator.newsletter.picks import newest_in_member_areas
from curator.newsletter.segments import parse_segment
from curator.types import Item, Member
from tests.conftest import rebuilt
from tests.delivery.sink import SmtpSink

from .world import CANARY, EDITOR, World, check_send_invariants


def smtp(sink: SmtpSink) -> SmtpSender:
    return SmtpSender("127.0.0.1", sink.port, security="none")


def test_approval_records_who_and_when_and_edits_need_new_approval(cur: Curator, world: World, sink: SmtpSink,
                                                                   clock: FixedClock) -> None:
    issue = cur.digests.draft("everyone")
    assert cur.digests.submit(issue.id).state == "in_review"
    approved = cur.digests.approve(issue.id, editor=EDITOR)
    assert approved.state == "approved" and approved.approved_by == EDITOR and approved.approved_at == clock.now()
    assert approved.is_approved
    edited = cur.digests.edit(issue.id, lang="en", intro="A new intro")
    assert edited.state == "in_review" and not edited.is_approved and edited.revision == approved.revision + 1
    with pytest.raises(WorkflowError):
        cur.digests.send(issue.id, sender=smtp(sink))
    with pytest.raises(WorkflowError, match="edited meanwhile"):
        cur.digests.approve(issue.id, editor=EDITOR, revision=approved.revision)
    cur.digests.approve(issue.id, editor="second@cluster.example", revision=edited.revision)
    assert cur.digests.send(issue.id, sender=smtp(sink)).state == "sent"
    with pytest.raises(WorkflowError, match="no longer be edited"):
        cur.digests.edit(issue.id, intro="too late")
    assert "A new intro" in sink.messages_to("alice@example.org")[0].text()


def test_cancelled_issue_is_never_sent(cur: Curator, world: World, sink: SmtpSink) -> None:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    assert cur.digests.cancel(issue.id).state == "cancelled"
    with pytest.raises(WorkflowError):
        cur.digests.send(issue.id, sender=smtp(sink))
    assert cur.digests.send_due(sender=smtp(sink)) == []
    assert sink.received == []


def test_drafting_is_idempotent_per_segment_and_week(cur: Curator, world: World) -> None:
    a = cur.digests.draft("everyone")
    assert cur.digests.draft("everyone").id == a.id
    assert cur.digests.draft_weekly(["everyone", "club:it-exec"])[0].id == a.id
    club = cur.digests.draft("club:it-exec")
    assert club.id != a.id and club.period == a.period
    # the club draft may pin the club's items; the everyone draft never pins restricted club items
    assert world.items["club-1"] not in {e.item_id for e in a.entries}


def test_scheduled_send_and_the_lateness_guard(cur: Curator, world: World, sink: SmtpSink, clock: FixedClock) -> None:
    issue = cur.digests.draft("everyone")
    with pytest.raises(WorkflowError, match="approved before"):
        cur.digests.schedule(issue.id, clock.now() + timedelta(hours=1))
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.schedule(issue.id, clock.now() + timedelta(hours=1))
    assert cur.digests.send_due(sender=smtp(sink)) == []  # not yet
    clock.advance(hours=1, minutes=5)
    (report,) = cur.digests.send_due(sender=smtp(sink))
    assert report.sent == len(world.members) and report.state == "sent"
    # S13: an issue found far past its time is held for an editor, not sent. It brings a new
    # public post: what the first issue showed is not repeated, so without news nobody would get it.
    post = cur.posts.submit(title="A late thought on open data", text="Open data needs stewards. " * 3,
                            author_name="Dora Dietz", lang="en", visibility="public")
    cur.posts.approve(post.id, editor=EDITOR)
    late = cur.digests.draft("everyone", period="late")
    cur.digests.approve(late.id, editor=EDITOR)
    cur.digests.schedule(late.id, clock.now() + timedelta(minutes=10))
    clock.advance(hours=6)
    (held,) = cur.digests.send_due(sender=smtp(sink))
    assert held.sent == 0 and "editor must confirm" in held.message
    assert cur.digests.get(late.id).hold_reason and len(sink.received) == len(world.members)
    assert cur.digests.send_due(sender=smtp(sink)) == []  # stays held
    assert cur.digests.send(late.id, sender=smtp(sink), confirm_late=True).sent == len(world.members)


@pytest.mark.parametrize(("segment", "expected"), [
    ("club:it-exec", {"alice@example.org"}),
    ("area:government", {"dora@example.org"}),
    ("filter:german?languages=de", {"bernd@example.org", "dora@example.org"}),
    ("filter:work-or-society?areas_any=work,society", {"bernd@example.org", "carla@example.org"}),
])
def test_segments_reach_exactly_their_members(cur: Curator, world: World, sink: SmtpSink, segment: str,
                                              expected: set[str]) -> None:
    issue = cur.digests.draft(segment)
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.send(issue.id, sender=smtp(sink))
    check_send_invariants(cur, sink, issue.id, expected, world.club_member_emails)
    assert set(sink.count_by_recipient()) == expected


def test_bad_segments_are_explained() -> None:
    for bad in ("club:", "area:cooking", "filter:x?colour=red", "everybody"):
        with pytest.raises(InvalidInput):
            parse_segment(bad)


class _Unsubscriber:
    """A sender that, on its first message, lets another member unsubscribe and takes a club
    membership away: changes that land after the recipients were frozen (S12)."""

    def __init__(self, inner: SmtpSender, cur: Curator, world: World) -> None:
        self.inner, self.cur, self.world, self.done = inner, cur, world, False

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str):  # type: ignore[no-untyped-def]
        if not self.done:
            self.done = True
            assert self.cur.digests.unsubscribe(self.cur.digests.unsubscribe_token(self.world.members["dora@example.org"]))
        return self.inner.send(envelope_from, recipient, data, message_id)

    def close(self) -> None:
        self.inner.close()


def test_state_is_rechecked_for_every_member_at_send_time(cur: Curator, world: World, sink: SmtpSink) -> None:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    report = cur.digests.send(issue.id, sender=_Unsubscriber(smtp(sink), cur, world))
    assert report.skipped == 1 and sink.messages_to("dora@example.org") == []
    (dora,) = cur.digests.deliveries(issue.id, ("skipped",))
    assert "unsubscribed" in (dora.last_error or "")
    assert report.state == "sent"


def test_losing_club_membership_before_the_send_removes_club_content(cur: Curator, world: World,
                                                                       sink: SmtpSink) -> None:
    club_issue = cur.digests.draft("club:it-exec")
    everyone = cur.digests.draft("everyone")
    for i in (club_issue, everyone):
        cur.digests.approve(i.id, editor=EDITOR)
    cur.storage.revoke_club("alice@example.org", "it-exec")
    assert cur.digests.send(club_issue.id, sender=smtp(sink)).sent == 0  # frozen list is empty now
    cur.digests.send(everyone.id, sender=smtp(sink))
    (alice,) = sink.messages_to("alice@example.org")
    assert CANARY not in alice.text()


class _Directory:
    """An injected member directory (the seam the facade offers): fixed members."""

    def __init__(self, members: Sequence[Member], broken: set[int] = frozenset()) -> None:  # type: ignore[assignment]
        self.members = {m.id: m for m in members}
        self.broken = broken

    def all_members(self) -> Sequence[Member]:
        return list(self.members.values())

    def for_send_run(self) -> _Directory:
        return self

    def get_member(self, member_id: int) -> Member | None:
        return self.members.get(member_id)

    def personal_picks(self, member: Member, candidates: Sequence[Item], limit: int) -> Sequence[Item]:
        if member.id in self.broken:
            raise NotFound("profile data of this member is corrupt")
        return newest_in_member_areas(member, candidates, limit)


def test_one_message_per_mailbox_and_render_failures_are_isolated(cur: Curator, world: World, sink: SmtpSink) -> None:
    """S11 (two member rows Foo@X.org and foo@x.org get one message) and S16 (one member's bad data
    fails that member only; the issue is partially sent)."""
    base = world.members["bernd@example.org"]
    twins = [replace(base, id=900, email="Foo@X.org", name="Foo"), replace(base, id=901, email="foo@x.org", name="Foo")]
    cur = rebuilt(cur, member_directory=_Directory([*world.members.values(), *twins],
                                                   broken={world.members["carla@example.org"].id}))
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    report = cur.digests.send(issue.id, sender=smtp(sink))
    assert report.failed == 1 and report.state == "partially_sent"
    assert sink.count_by_recipient()["foo@x.org"] == 1
    (carla,) = cur.digests.deliveries(issue.id, ("failed",))
    assert carla.email == "carla@example.org" and "corrupt" in (carla.last_error or "")


def test_never_a_blank_newsletter(cur: Curator, world: World, sink: SmtpSink, clock: FixedClock) -> None:
    """S17: members with nothing to read get nothing (the period holds no items they may see)."""
    issue = cur.digests.draft("everyone", period="empty", period_start=clock.now() - timedelta(days=60),
                             period_end=clock.now() - timedelta(days=30))
    cur.digests.approve(issue.id, editor=EDITOR)
    report = cur.digests.send(issue.id, sender=smtp(sink))
    assert report.sent == 0 and report.skipped == len(world.members) and sink.received == []


def test_special_newsletter_with_manual_content_to_the_outbox(cur: Curator, world: World, tmp_path) -> None:  # type: ignore[no-untyped-def]
    issue = cur.digests.draft("everyone", kind="invitation", period=None, pins=[world.items["event-1"]],
                             texts={"en": {"subject": "You are invited", "intro": "Join us."},
                                    "de": {"subject": "Einladung", "intro": "Kommen Sie vorbei."}})
    cur.digests.approve(issue.id, editor=EDITOR)
    out = tmp_path / "outbox"
    report = cur.digests.send(issue.id, sender=OutboxSender(out))
    assert report.sent == len(world.members)
    files = sorted(out.glob("*.eml"))
    assert len(files) == len(world.members)
    texts = [f.read_text() for f in files]
    assert all("Cluster evening" in t for t in texts) and not any("Public article" in t for t in texts)
    assert sum("Subject: Einladung" in t for t in texts) == 2


class _PausingSender:
    """Lets the editor pause the issue right after the first message is accepted."""

    def __init__(self, inner: SmtpSender, cur: Curator, issue_id: int) -> None:
        self.inner, self.cur, self.issue_id, self.n = inner, cur, issue_id, 0

    def send(self, envelope_from: str, recipient: str, data: bytes, message_id: str):  # type: ignore[no-untyped-def]
        out = self.inner.send(envelope_from, recipient, data, message_id)
        self.n += 1
        if self.n == 1:
            self.cur.digests.pause(self.issue_id)
        return out

    def close(self) -> None:
        self.inner.close()


def test_pause_and_resume_send_only_to_the_rest(cur: Curator, world: World, sink: SmtpSink) -> None:
    """S10: a pause takes effect between batches; after resuming, only unsent members get it."""
    from curator.delivery.loop import DeliveryPolicy

    cur = rebuilt(cur, delivery_policy=DeliveryPolicy(batch_size=2))
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    report = cur.digests.send(issue.id, sender=_PausingSender(smtp(sink), cur, issue.id))
    assert report.sent == 2 and report.state == "paused" and "paused" in report.message
    with pytest.raises(WorkflowError, match="paused"):
        cur.digests.send(issue.id, sender=smtp(sink))
    assert cur.digests.send_due(sender=smtp(sink)) == []
    cur.digests.resume(issue.id)
    report = cur.digests.send(issue.id, sender=smtp(sink))
    assert report.sent == len(world.members) - 2 and report.state == "sent"
    check_send_invariants(cur, sink, issue.id, set(world.members), world.club_member_emails)
    assert sink.count_by_recipient() == {e: 1 for e in world.members}
