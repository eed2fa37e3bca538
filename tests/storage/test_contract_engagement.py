"""Contract of the engagement topic of ``Store`` (shown items, opens, clicks), on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from curator.storage import FrozenRecipient, Storage
from curator.types import DigestIssue, ItemClicks, Segment
from tests.conftest import T0
from tests.storage.conftest import member, stored_items


def _sent_issue(store: Storage, member_ids: list[int], period: str = "2026-W47") -> DigestIssue:
    issue, _ = store.create_issue(kind="digest", segment=Segment(), period=period, period_start=T0,
                                  period_end=T0 + timedelta(days=7), texts={"en": {}}, options={}, created_by="ed",
                                  now=T0, entries=())
    issue = store.transition(issue.id, action="approve", now=T0, approved_by="ed", approved_at=T0,
                             approved_revision=issue.revision)
    store.start_sending(issue.id, [FrozenRecipient(m, f"m{m}@acme.example", f"<{m}.{period}@x>") for m in member_ids],
                        now=T0, expect_revision=issue.revision)
    return issue


def _deliver(store: Storage, issue_id: int, member_id: int) -> None:
    [d] = [d for d in store.claim_batch(issue_id, owner="w", now=T0, claim_for=timedelta(minutes=5), limit=10)
           if d.member_id == member_id] or [None]  # type: ignore[list-item]
    assert store.mark_sending(d.id, owner="w", now=T0, until=T0 + timedelta(minutes=5))
    assert store.mark_sent(d.id, owner="w", now=T0)
    store.release_claims(issue_id, "w", T0)


def test_shown_items_count_once_the_copy_is_sent(store: Storage) -> None:
    a = store.upsert_member(member("a@acme.example", language="de"), T0).member_id
    b = store.upsert_member(member("b@acme.example"), T0).member_id
    i1, i2, i3 = stored_items(store, 3)
    issue = _sent_issue(store, [a, b])
    store.record_shown(issue.id, a, [(i1, "personal"), (i2, "editor_picks")])
    store.record_shown(issue.id, a, [(i1, "personal"), (i3, "personal"), (i1, "posts")])  # a rebuilt copy wins
    store.record_shown(issue.id, b, [(i2, "personal")])
    assert store.shown_items(a) == set()  # not sent yet
    assert store.delivered_at(issue.id, a) is None
    _deliver(store, issue.id, a)
    assert store.delivered_at(issue.id, a) == T0
    assert store.shown_items(a) == {i1, i3}
    assert store.shown_items(a, exclude_issue=issue.id) == set()
    assert store.shown_items(b) == set()


def test_opens_and_clicks_are_unique_per_member_with_hits_and_confidence(store: Storage) -> None:
    a = store.upsert_member(member("a@acme.example", language="de", tracking_consent=True), T0).member_id
    b = store.upsert_member(member("b@acme.example"), T0).member_id
    i1, i2 = stored_items(store, 2)
    issue = _sent_issue(store, [a, b])
    _deliver(store, issue.id, a)
    later = T0 + timedelta(hours=1)
    assert store.record_click(issue.id, a, i1, confidence="high", reason=None, now=later)
    for _ in range(4):
        assert not store.record_click(issue.id, a, i1, confidence="high", reason=None, now=later)
    assert store.record_click(issue.id, a, i1, confidence="low", reason="scanner-agent", now=T0)
    assert store.record_click(issue.id, b, i2, confidence="low", reason="soon-after-delivery", now=T0)
    assert store.record_open(issue.id, b, confidence="low", reason="scanner-agent", now=T0)
    assert not store.record_open(issue.id, b, confidence="low", reason="scanner-agent", now=T0)
    assert store.item_clicks(issue.id) == [ItemClicks(i1, 1, 5)]
    assert store.low_confidence_counts(issue.id) == (1, 2)
    store.suppress(email="b@acme.example", member_id=b, scope="newsletter", reason="unsubscribed", now=later)
    rows = {r.member_id: r for r in store.recipient_engagement(issue.id)}
    assert (rows[a].language, rows[a].state, rows[a].tracked, rows[a].opened, rows[a].clicked,
            rows[a].unsubscribed) == ("de", "sent", True, True, True, False)  # a click implies an open
    assert (rows[b].state, rows[b].tracked, rows[b].opened, rows[b].clicked, rows[b].unsubscribed) == (
        "pending", False, False, False, True)
