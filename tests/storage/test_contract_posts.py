"""Contract of the member-posts topic of ``Store``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import InvalidInput, NotFound, WorkflowError
from curator.storage import Storage
from curator.types import MemberPost
from tests.conftest import T0
from tests.storage.conftest import on_connections, parsed, source

POSTS = source("member-posts", kind="member_post")


def _submit(store: Storage, title: str = "Our open day", *, email: str | None = "Ann@Acme.example",
            minutes: int = 0, visibility: str = "members") -> MemberPost:
    return store.add_post(title=title, text="Come and see.", link=None, author_name="Ann", author_email=email,
                          organisation="Acme", lang="en", visibility=visibility,
                          now=T0 + timedelta(minutes=minutes))


def test_a_submitted_post_is_pending(store: Storage) -> None:
    post = _submit(store)
    assert (post.status, post.decided_at, post.item_id, post.submitted_at) == ("pending", None, None, T0)
    assert store.get_post(post.id) == post
    with pytest.raises(NotFound, match="no member post"):
        store.get_post(post.id + 100)


def test_list_is_newest_first_by_status_and_limited(store: Storage) -> None:
    first, second, third = (_submit(store, f"post {n}", minutes=n) for n in range(3))
    store.decide_post(second.id, approve=False, editor="ed", reason="off topic", now=T0)
    assert [p.id for p in store.list_posts()] == [third.id, second.id, first.id]
    assert [p.id for p in store.list_posts("pending")] == [third.id, first.id]
    assert [p.id for p in store.list_posts(limit=1)] == [third.id]


def test_approving_publishes_the_item_with_the_posts_visibility(store: Storage) -> None:
    store.ensure_internal_source(POSTS, T0)
    post = _submit(store, visibility="members")
    decided = store.decide_post(post.id, approve=True, editor="ed@x.example", reason=None, now=T0,
                                item_source=POSTS, item=parsed(f"post-{post.id}"))
    assert (decided.status, decided.decided_by, decided.decided_at) == ("approved", "ed@x.example", T0)
    assert decided.item_id is not None
    item = store.get_item(decided.item_id)
    assert (item.kind, item.visibility, item.source_id) == ("member_post", "members", POSTS.id)


def test_rejecting_publishes_nothing(store: Storage) -> None:
    post = _submit(store)
    decided = store.decide_post(post.id, approve=False, editor="ed", reason="spam", now=T0)
    assert (decided.status, decided.reason, decided.item_id) == ("rejected", "spam", None)
    assert store.list_items() == []


def test_a_post_is_decided_once(store: Storage) -> None:
    post = _submit(store)
    store.decide_post(post.id, approve=False, editor="first", reason=None, now=T0)
    with pytest.raises(WorkflowError, match="already rejected by first"):
        store.decide_post(post.id, approve=False, editor="second", reason=None, now=T0)
    with pytest.raises(NotFound):
        store.decide_post(post.id + 100, approve=False, editor="ed", reason=None, now=T0)


def test_approving_needs_the_item(store: Storage) -> None:
    post = _submit(store)
    with pytest.raises(InvalidInput):
        store.decide_post(post.id, approve=True, editor="ed", reason=None, now=T0)
    assert store.get_post(post.id).status == "pending"  # nothing half done


def test_of_two_concurrent_decisions_one_wins(store: Storage, store_url: str) -> None:
    store.ensure_internal_source(POSTS, T0)
    post = _submit(store)

    def decide(s: Storage, i: int) -> str:
        try:
            s.decide_post(post.id, approve=True, editor=f"ed{i}", reason=None, now=T0, item_source=POSTS,
                          item=parsed(f"post-{post.id}"))
            return "won"
        except WorkflowError:
            return "lost"

    assert sorted(on_connections(store_url, 2, decide)) == ["lost", "won"]
    assert len(store.list_items()) == 1


def test_posts_by_author_ignore_case(store: Storage) -> None:
    mine = [_submit(store, email="Ann@Acme.example").id, _submit(store, email="ann@acme.example").id]
    _submit(store, email="bob@acme.example")
    _submit(store, email=None)
    assert store.posts_by_author(" ANN@acme.example ") == mine
    assert store.posts_by_author("nobody@acme.example") == []
