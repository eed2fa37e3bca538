"""Contract of the operations topic of ``Store`` (what ``/healthz`` and ``/metrics`` count), on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from curator.errors import StorageError
from curator.storage import FeedEntries, FrozenRecipient, MemberFeed, MemberFeedState, Storage
from curator.types import FeedbackEvent, Segment
from tests.conftest import T0
from tests.storage.conftest import member, parsed, source, stored_items

TTL = timedelta(minutes=10)


def test_schema_revisions_say_whether_migrations_are_current(store: Storage) -> None:
    current, head = store.schema_revisions()
    assert current == head == store.head_revision()


def test_an_unreachable_database_is_a_storage_error() -> None:
    down = Storage("postgresql://nobody@127.0.0.1:9/none")  # port 9 (discard): nothing listens on loopback
    try:
        with pytest.raises(StorageError, match="database error"):
            down.schema_revisions()
    finally:
        down.close()


def test_an_empty_database_counts_nothing_but_names_every_delivery_state(store: Storage) -> None:
    counts = store.operations_counts()
    assert (counts.source_errors, counts.sources_broken, counts.items_to_tag, counts.feeds_to_rank,
            counts.feed_pool_built_at) == ({}, 0, 0, 0, None)
    assert counts.deliveries == dict.fromkeys(["pending", "sending", "sent", "failed", "uncertain", "skipped"], 0)
    assert store.job_run_counts() == []


def test_fetch_errors_count_collected_enabled_sources_only(store: Storage) -> None:
    store.sync_sources([source("good"), source("bad"), source("off", enabled=False)], T0)
    store.ensure_internal_source(source("posts"), T0)
    for _ in range(3):
        store.record_fetch_failure("bad", "HTTP 500", now=T0, next_attempt=None, broken_after=3)
    counts = store.operations_counts()
    assert counts.source_errors == {"good": 0, "bad": 3}
    assert counts.sources_broken == 1


def test_items_wait_to_be_tagged_until_tagged_and_again_when_changed(store: Storage) -> None:
    first, _ = stored_items(store, 2)
    assert store.operations_counts().items_to_tag == 2
    store.set_item_areas(first, {"work": 0.9}, T0)
    assert store.operations_counts().items_to_tag == 1
    store.upsert_items(source("news"), [parsed("news-0", text="changed text")], T0 + timedelta(hours=1))
    assert store.operations_counts().items_to_tag == 2, "a changed item waits again"


def _feed(member_id: int, pool_id: int, events_through: int = 0) -> MemberFeed:
    state = MemberFeedState(member_id, pool_id, events_through, "digest", frozenset({"public"}), T0)
    return MemberFeed(state=state, entries=FeedEntries(), affinity={}, persona_name="")


def test_feeds_wait_to_be_ranked_when_missing_stale_or_behind(store: Storage) -> None:
    ann = store.upsert_member(member("ann@acme.example"), T0).member_id
    bob = store.upsert_member(member("bob@acme.example"), T0).member_id
    store.upsert_member(member("reg@acme.example", membership="registered"), T0)  # has no feed of their own
    assert store.operations_counts().feeds_to_rank == 2, "before the first pool every member waits"
    pool = store.save_feed_pool(inputs_digest="d", model_id="m", items=0, data=b"", now=T0)
    assert store.operations_counts().feed_pool_built_at == T0
    store.save_member_feeds([_feed(ann, pool), _feed(bob, pool)])
    assert store.operations_counts().feeds_to_rank == 0
    (item,) = stored_items(store, 1)
    store.add_feedback([(FeedbackEvent(member_id=ann, item_id=item, kind="save", at=T0), None)])
    assert store.operations_counts().feeds_to_rank == 1, "Ann's feed predates her feedback"
    store.mark_feeds_stale([bob])
    assert store.operations_counts().feeds_to_rank == 2
    newer = store.save_feed_pool(inputs_digest="e", model_id="m", items=0, data=b"", now=T0 + timedelta(hours=1))
    store.save_member_feeds([_feed(ann, newer, events_through=10**9)])
    assert store.operations_counts().feeds_to_rank == 1, "Bob's feed was ranked against the older pool"
    store.mark_feeds_stale(None)
    assert store.operations_counts().feeds_to_rank == 2, "a stale pool: everyone waits"


def test_deliveries_are_counted_by_state(store: Storage) -> None:
    issue, _ = store.create_issue(kind="digest", segment=Segment(), period="2026-W47", period_start=T0,
                                  period_end=T0 + timedelta(days=7), texts={"en": {"intro": "Hi"}}, options={},
                                  created_by="ed", now=T0)
    issue = store.transition(issue.id, action="approve", now=T0, approved_by="ed", approved_at=T0,
                             approved_revision=issue.revision)
    store.start_sending(issue.id, [FrozenRecipient(m, f"m{m}@acme.example", f"<{m}@x>") for m in (1, 2, 3)],
                        now=T0, expect_revision=issue.revision)
    (first, *_) = store.claim_batch(issue.id, owner="w", now=T0, claim_for=TTL, limit=1)
    assert store.mark_sending(first.id, owner="w", now=T0, until=T0 + TTL)
    assert store.mark_sent(first.id, owner="w", now=T0)
    counts = store.operations_counts().deliveries
    assert (counts["sent"], counts["pending"], counts["failed"]) == (1, 2, 0)


def test_job_run_counts_give_the_record_of_each_job(store: Storage) -> None:
    store.start_job_run("collect", "s1", owner="w1", now=T0, ttl=TTL)
    store.finish_job_run("collect", "s1", owner="w1", now=T0 + timedelta(seconds=30), ok=True)
    store.start_job_run("collect", "s2", owner="w2", now=T0 + timedelta(minutes=30), ttl=TTL)
    store.finish_job_run("collect", "s2", owner="w2", now=T0 + timedelta(minutes=31), ok=False, detail="boom")
    store.start_job_run("tag", "s1", owner="w1", now=T0 + timedelta(minutes=40), ttl=TTL)
    collect, tag = store.job_run_counts()
    assert (collect.job, collect.runs, collect.first_started_at) == ("collect", {"done": 1, "failed": 1}, T0)
    assert collect.last is not None and (collect.last.slot, collect.last.state) == ("s2", "failed")
    assert collect.last_success_at == T0 + timedelta(seconds=30)
    assert (tag.runs, tag.last_success_at) == ({"running": 1}, None)
    assert tag.last is not None and tag.last.finished_at is None


def test_reads_in_a_reading_block_share_one_transaction_and_see_its_writes(store: Storage) -> None:
    """``reading()`` (one per web request): consecutive reads take one connection; a write ends
    the shared transaction first, so reads after it see the write; a failed statement does not
    spoil the reads after it; nested blocks join the outer one; after the block reads are as
    before."""
    user, _ = store.ensure_user("ann@acme.example", now=T0)
    later = T0 + timedelta(days=1)
    checkouts: list[object] = []

    def on_checkout(*args: object) -> None:
        checkouts.append(args)

    event.listen(store.engine, "checkout", on_checkout)
    try:
        with store.reading():
            assert store.get_session("s1", T0) is None
            assert store.user_by_id(user.id) is not None
            with store.reading():
                assert store.user_by_email("ann@acme.example") is not None
            assert len(checkouts) == 1, "three reads, one connection"
            store.save_session("s1", user_id=user.id, role="member", data={"n": 1}, now=T0, expires_at=later)
            seen = store.get_session("s1", T0)
            assert seen is not None and seen.data == {"n": 1}, "a read after the write sees it"
            with pytest.raises(StorageError), store.read() as conn:
                conn.exec_driver_sql("SELECT no_such_column FROM web_sessions")
            assert store.get_session("s1", T0) is not None, "a failed statement spoils nothing after it"
        count = len(checkouts)
        assert store.get_session("s1", T0) is not None and store.user_by_id(user.id) is not None
        assert len(checkouts) == count + 2, "outside the block each read has its own connection again"
    finally:
        event.remove(store.engine, "checkout", on_checkout)
