"""Contract of the newsletter topics of ``Store`` (issues, the delivery ledger, suppressions), on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import NotFound, WorkflowError
from curator.storage import FrozenRecipient, Storage
from curator.types import DigestEntry, DigestIssue, Segment
from tests.conftest import T0
from tests.storage.conftest import on_connections, stored_items

EVERYONE = Segment()
CLAIM = timedelta(minutes=10)


def _draft(store: Storage, period: str | None = "2026-W47", kind: str = "digest",
           entries: tuple[DigestEntry, ...] = ()) -> tuple[DigestIssue, bool]:
    return store.create_issue(kind=kind, segment=EVERYONE, period=period, period_start=T0,
                              period_end=T0 + timedelta(days=7), texts={"en": {"intro": "Hello"}},
                              options={"max_items": 5}, created_by="ed", now=T0, entries=entries)


def _approved(store: Storage) -> DigestIssue:
    issue, _ = _draft(store)
    return store.transition(issue.id, action="approve", now=T0, approved_by="ed", approved_at=T0,
                            approved_revision=issue.revision)


def _sending(store: Storage, n: int = 3) -> DigestIssue:
    issue = _approved(store)
    recipients = [FrozenRecipient(member_id=m, email=f"m{m}@acme.example", message_id=f"<{m}@x>")
                  for m in range(1, n + 1)]
    return store.start_sending(issue.id, recipients, now=T0, expect_revision=issue.revision)


# ---------------------------------------------------------------------- issues

def test_an_issue_is_drafted_once_per_kind_segment_and_period(store: Storage) -> None:
    (item,) = stored_items(store, 1)
    issue, created = _draft(store, entries=(DigestEntry(item, "pinned", 1, "note"),))
    assert created and (issue.state, issue.revision, issue.kind, issue.segment) == ("draft", 1, "digest", EVERYONE)
    assert issue.entries == (DigestEntry(item, "pinned", 1, "note"),)
    again, created_again = _draft(store)
    assert (again.id, created_again) == (issue.id, False)
    assert _draft(store, period="2026-W48")[1] and _draft(store, kind="special")[1]
    assert _draft(store, period=None)[0].id != _draft(store, period=None)[0].id  # specials have no period


def test_concurrent_drafts_of_one_period_make_one_issue(store: Storage, store_url: str) -> None:
    results = on_connections(store_url, 4, lambda s, i: _draft(s))
    assert len({issue.id for issue, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_get_and_list(store: Storage) -> None:
    first, _ = _draft(store)
    second, _ = _draft(store, period="2026-W48")
    store.transition(second.id, action="submit", now=T0)
    assert store.get_issue(first.id) == first
    with pytest.raises(NotFound, match="digest show"):
        store.get_issue(second.id + 100)
    assert [i.id for i in store.list_issues()] == [second.id, first.id]
    assert [i.id for i in store.list_issues(["draft"])] == [first.id]
    assert [i.id for i in store.list_issues(limit=1)] == [second.id]


def test_an_edit_bumps_the_revision_and_takes_back_an_approval(store: Storage) -> None:
    one, two = stored_items(store, 2)
    issue = _approved(store)
    assert issue.is_approved and issue.state == "approved"
    edited = store.edit_issue(issue.id, now=T0, texts={"en": {"intro": "Hi"}},
                              entries=[DigestEntry(two, "removed"), DigestEntry(one, "pinned", 1)])
    assert (edited.state, edited.revision, edited.is_approved) == ("in_review", 2, False)
    assert edited.texts == {"en": {"intro": "Hi"}} and edited.options == issue.options
    assert [e.item_id for e in edited.entries] == [two, one]  # by position
    with pytest.raises(NotFound):
        store.edit_issue(issue.id + 100, now=T0)


def test_transitions_follow_the_workflow_table(store: Storage) -> None:
    issue, _ = _draft(store)
    assert store.transition(issue.id, action="submit", now=T0).state == "in_review"
    with pytest.raises(WorkflowError, match="in review; this needs it to be draft"):
        store.transition(issue.id, action="submit", now=T0)
    with pytest.raises(WorkflowError, match="edited meanwhile"):
        store.transition(issue.id, action="approve", now=T0, expect_revision=issue.revision + 1)
    assert store.get_issue(issue.id).state == "in_review"  # a refused transition changes nothing
    scheduled_for = T0 + timedelta(days=1)
    approved = store.transition(issue.id, action="approve", now=T0, approved_revision=1, approved_by="ed")
    scheduled = store.transition(issue.id, action="schedule", now=T0, scheduled_for=scheduled_for)
    assert (approved.approved_by, scheduled.state, scheduled.scheduled_for) == ("ed", "scheduled", scheduled_for)
    assert store.transition(issue.id, action="cancel", now=T0).state == "cancelled"
    with pytest.raises(WorkflowError):
        store.edit_issue(issue.id, now=T0)


def test_hold_reason(store: Storage) -> None:
    issue, _ = _draft(store)
    store.set_hold(issue.id, "late", T0)
    assert store.get_issue(issue.id).hold_reason == "late"
    store.set_hold(issue.id, None, T0)
    assert store.get_issue(issue.id).hold_reason is None


def test_sending_starts_with_one_pending_delivery_per_mailbox(store: Storage) -> None:
    issue = _approved(store)
    recipients = [FrozenRecipient(1, "Ann@Acme.example", "<1@x>"), FrozenRecipient(2, "ann@acme.example", "<2@x>"),
                  FrozenRecipient(3, "bob@acme.example", "<3@x>")]
    sending = store.start_sending(issue.id, recipients, now=T0, expect_revision=issue.revision)
    assert sending.state == "sending"
    assert [(d.member_id, d.state, d.attempts) for d in store.deliveries(issue.id)] == [
        (1, "pending", 0), (3, "pending", 0)]
    assert store.delivery_counts(issue.id) == {"pending": 2}
    with pytest.raises(WorkflowError, match="not approved"):
        store.start_sending(issue.id, recipients, now=T0, expect_revision=issue.revision)


def test_sending_needs_the_approved_revision(store: Storage) -> None:
    issue = _approved(store)
    with pytest.raises(WorkflowError, match="edited after approval"):
        store.start_sending(issue.id, [], now=T0, expect_revision=issue.revision + 1)
    draft, _ = _draft(store, period="2026-W48")
    with pytest.raises(WorkflowError, match="not approved"):
        store.start_sending(draft.id, [], now=T0, expect_revision=draft.revision)
    assert store.deliveries(issue.id) == [] and store.get_issue(issue.id).state == "approved"


# ---------------------------------------------------------------------- delivery ledger

def test_claimed_records_go_to_one_sender_until_the_claim_runs_out(store: Storage) -> None:
    issue = _sending(store, 3)
    first = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=2)
    assert [d.member_id for d in first] == [1, 2]  # by id
    assert [d.member_id for d in store.claim_batch(issue.id, owner="b", now=T0, claim_for=CLAIM, limit=5)] == [3]
    assert store.claim_batch(issue.id, owner="c", now=T0, claim_for=CLAIM, limit=5) == []
    later = T0 + CLAIM + timedelta(seconds=1)
    assert len(store.claim_batch(issue.id, owner="c", now=later, claim_for=CLAIM, limit=5)) == 3


def test_concurrent_claims_never_share_a_record(store: Storage, store_url: str) -> None:
    issue = _sending(store, 12)
    batches = on_connections(store_url, 4, lambda s, i: s.claim_batch(issue.id, owner=f"s{i}", now=T0,
                                                                       claim_for=CLAIM, limit=5))
    claimed = [d.id for batch in batches for d in batch]
    assert len(claimed) == len(set(claimed)) == 12


def test_a_delivery_is_marked_only_by_its_owner_and_only_once(store: Storage) -> None:
    issue = _sending(store, 1)
    (d,) = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=1)
    assert not store.mark_sending(d.id, owner="b", now=T0, until=T0 + CLAIM)
    assert store.mark_sending(d.id, owner="a", now=T0, until=T0 + CLAIM)
    assert not store.mark_sending(d.id, owner="a", now=T0, until=T0 + CLAIM)  # no longer pending
    assert not store.mark_sent(d.id, owner="b", now=T0)
    assert store.mark_sent(d.id, owner="a", now=T0)
    for mark in (store.mark_failed, store.mark_uncertain):
        assert not mark(d.id, owner="a", now=T0, error="late")
    assert not store.mark_skipped(d.id, owner="a", now=T0, reason="late")
    (sent,) = store.deliveries(issue.id)
    assert (sent.state, sent.attempts, sent.sent_at, sent.last_error) == ("sent", 1, T0, None)


@pytest.mark.parametrize("outcome", ["failed", "uncertain", "skipped"])
def test_final_outcomes(store: Storage, outcome: str) -> None:
    issue = _sending(store, 1)
    (d,) = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=1)
    mark = {"failed": store.mark_failed, "uncertain": store.mark_uncertain}.get(outcome)
    assert (mark(d.id, owner="a", now=T0, error="why") if mark
            else store.mark_skipped(d.id, owner="a", now=T0, reason="why"))
    assert [(x.state, x.last_error) for x in store.deliveries(issue.id)] == [(outcome, "why")]
    assert store.deliveries(issue.id, ["pending"]) == []


def test_a_deferred_delivery_waits_pending_until_it_is_due(store: Storage) -> None:
    issue = _sending(store, 1)
    (d,) = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=1)
    store.mark_sending(d.id, owner="a", now=T0, until=T0 + CLAIM)
    due = T0 + timedelta(minutes=30)
    assert store.mark_deferred(d.id, owner="a", now=T0, error="451 busy", next_attempt_at=due)
    (back,) = store.deliveries(issue.id)
    assert (back.state, back.attempts, back.last_error) == ("pending", 1, "451 busy")
    assert store.claim_batch(issue.id, owner="b", now=due - timedelta(seconds=1), claim_for=CLAIM, limit=1) == []
    assert len(store.claim_batch(issue.id, owner="b", now=due, claim_for=CLAIM, limit=1)) == 1


def test_released_claims_can_be_taken_at_once(store: Storage) -> None:
    issue = _sending(store, 2)
    store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=2)
    store.release_claims(issue.id, "a", T0)
    assert len(store.claim_batch(issue.id, owner="b", now=T0, claim_for=CLAIM, limit=2)) == 2


def test_a_sender_that_died_mid_message_leaves_an_uncertain_delivery(store: Storage) -> None:
    issue = _sending(store, 2)
    first, second = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=2)
    store.mark_sending(first.id, owner="a", now=T0, until=T0 + CLAIM)
    assert store.sweep_stale(issue.id, T0 + CLAIM - timedelta(seconds=1)) == 0
    assert store.sweep_stale(issue.id, T0 + CLAIM + timedelta(seconds=1)) == 1
    assert store.delivery_counts(issue.id) == {"uncertain": 1, "pending": 1}


def test_an_issue_finishes_when_nothing_is_pending_or_in_flight(store: Storage) -> None:
    issue = _sending(store, 2)
    first, second = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=2)
    store.mark_sent(first.id, owner="a", now=T0)
    assert store.finish_if_done(issue.id, T0) == "sending"
    store.mark_failed(second.id, owner="a", now=T0, error="550 no such user")
    assert store.finish_if_done(issue.id, T0) == "partially_sent"
    assert store.get_issue(issue.id).finished_at == T0


def test_resend_reopens_a_finished_issue_for_one_delivery(store: Storage) -> None:
    issue = _sending(store, 2)
    first, second = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=2)
    store.mark_sent(first.id, owner="a", now=T0)
    store.mark_uncertain(second.id, owner="a", now=T0, error="connection lost")
    store.finish_if_done(issue.id, T0)
    again = store.resend(issue.id, second.member_id, T0)
    assert (again.state, again.message_id) == ("pending", second.message_id)
    assert store.get_issue(issue.id).state == "sending"
    with pytest.raises(WorkflowError, match="only uncertain or failed"):
        store.resend(issue.id, first.member_id, T0)
    with pytest.raises(NotFound):
        store.resend(issue.id, 999, T0)


# ---------------------------------------------------------------------- suppressions

def test_suppressing_twice_changes_nothing_and_ignores_case(store: Storage) -> None:
    assert store.suppress(email="Ann@Acme.example", member_id=7, scope="newsletter", reason="unsubscribed", now=T0)
    assert not store.suppress(email="ann@acme.example ", member_id=7, scope="newsletter", reason="bounced",
                              now=T0 + timedelta(days=1))
    assert store.suppression_time("newsletter", "ANN@acme.example") == T0
    assert store.suppression_time("colleague", "ann@acme.example") is None
    assert store.suppressed("newsletter", email="ann@ACME.example")
    assert store.suppressed("newsletter", member_id=7)
    assert not store.suppressed("newsletter", email="bob@acme.example", member_id=8)
    assert not store.suppressed("newsletter")
    assert not store.suppressed("colleague", email="ann@acme.example")


def test_suppressed_keys_of_a_scope(store: Storage) -> None:
    store.suppress(email="Ann@Acme.example", member_id=7, scope="newsletter", reason="unsubscribed", now=T0)
    store.suppress(email="bob@acme.example", member_id=None, scope="newsletter", reason="bounced", now=T0)
    store.suppress(email="cy@acme.example", member_id=9, scope="other", reason="editor", now=T0)
    assert store.suppressed_keys("newsletter") == ({"ann@acme.example", "bob@acme.example"}, {7})


# ---------------------------------------------------------------------- drafting and the weekly subject rule

def test_the_last_sent_issue_of_a_segment_is_the_one_whose_period_ends_last(store: Storage) -> None:
    assert store.last_sent_issue("everyone") is None
    issue = _sending(store, 1)
    later, _ = store.create_issue(kind="digest", segment=EVERYONE, period="2026-W48", period_start=T0,
                                  period_end=T0 + timedelta(days=14), texts={}, options={}, created_by="ed", now=T0)
    assert store.last_sent_issue("everyone") == store.get_issue(issue.id)  # a draft has not been sent
    assert store.last_sent_issue("club:it-exec") is None and store.last_sent_issue("everyone", "special") is None
    store.transition(later.id, action="approve", now=T0, approved_by="ed", approved_at=T0, approved_revision=1)
    store.start_sending(later.id, [FrozenRecipient(1, "m1@acme.example", "<l1@x>")], now=T0, expect_revision=1)
    assert store.last_sent_issue("everyone").id == later.id  # type: ignore[union-attr]


def test_digests_sent_since_lists_each_members_sent_digests(store: Storage) -> None:
    issue = _sending(store, 2)
    first, second = store.claim_batch(issue.id, owner="a", now=T0, claim_for=CLAIM, limit=2)
    store.mark_sent(first.id, owner="a", now=T0 + timedelta(hours=1))
    store.mark_failed(second.id, owner="a", now=T0, error="550")
    assert store.digests_sent_since([first.member_id, second.member_id], T0) == {first.member_id: {issue.id}}
    assert store.digests_sent_since([first.member_id], T0 + timedelta(hours=2)) == {}
    assert store.digests_sent_since([], T0) == {}
