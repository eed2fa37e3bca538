"""Contract of the accounts topics of ``Store`` (accounts and tokens, sessions, the throttle), on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import InvalidInput, NotFound
from curator.storage import Storage
from tests.conftest import T0
from tests.storage.conftest import member, on_connections

WINDOW = timedelta(minutes=15)
LATER = T0 + timedelta(hours=1)


# ---------------------------------------------------------------------- accounts

def test_an_account_is_made_once_and_keeps_its_role(store: Storage) -> None:
    mid = store.upsert_member(member("ann@acme.example"), T0).member_id
    user, created = store.ensure_user(" Ann@Acme.example", now=T0, role="editor", password_hash="h")
    assert created and (user.email, user.role, user.member_id, user.has_password) == (
        "ann@acme.example", "editor", None, True)
    again, created_again = store.ensure_user("ann@acme.example", now=LATER, role="admin", member_id=mid)
    assert not created_again and (again.id, again.role, again.member_id) == (user.id, "editor", mid)
    assert store.user_by_email("ANN@acme.example") == store.user_by_id(user.id) == again
    assert store.user_by_email("nobody@acme.example") is None and store.user_by_id(user.id + 100) is None
    with pytest.raises(InvalidInput, match="role must be one of"):
        store.ensure_user("bob@acme.example", now=T0, role="root")


def test_concurrent_first_sign_ins_make_one_account(store: Storage, store_url: str) -> None:
    results = on_connections(store_url, 4, lambda s, i: s.ensure_user("ann@acme.example", now=T0))
    assert len({user.id for user, _ in results}) == 1
    assert sum(created for _, created in results) == 1


def test_roles_passwords_and_digest_frequency(store: Storage) -> None:
    user, _ = store.ensure_user("ann@acme.example", now=T0)
    assert store.set_role(user.id, "admin", LATER).role == "admin"
    with pytest.raises(InvalidInput):
        store.set_role(user.id, "root", LATER)
    with pytest.raises(NotFound):
        store.set_role(user.id + 100, "admin", LATER)
    assert store.password_hash(user.id) is None
    store.save_session("s1", user_id=user.id, role="admin", data={}, now=T0, expires_at=LATER)
    store.set_password_hash(user.id, "argon2-hash", T0)
    assert store.password_hash(user.id) == "argon2-hash"
    assert store.get_session("s1", T0) is None  # a new password signs the account out everywhere
    store.set_digest_frequency(user.id, "monthly", T0)
    assert store.user_by_id(user.id).digest_frequency == "monthly"  # type: ignore[union-attr]
    with pytest.raises(InvalidInput, match="digest frequency"):
        store.set_digest_frequency(user.id, "hourly", T0)


def test_users_are_listed_by_id(store: Storage) -> None:
    ids = [store.ensure_user(f"{n}@acme.example", now=T0)[0].id for n in ("c", "a", "b")]
    assert [u.id for u in store.list_users()] == ids


# ---------------------------------------------------------------------- sign-in links

def test_a_sign_in_link_works_once_for_its_purpose_until_it_expires(store: Storage) -> None:
    store.add_signin_token("hash1", "Ann@Acme.example", "login", T0, T0 + timedelta(minutes=20))
    assert store.peek_signin_token("hash1", "login", T0) == "ann@acme.example"
    assert store.peek_signin_token("hash1", "login", T0) == "ann@acme.example"  # peeking changes nothing
    assert store.use_signin_token("hash1", "other", T0) is None
    assert store.use_signin_token("hash1", "login", T0) == "ann@acme.example"
    assert store.use_signin_token("hash1", "login", T0) is None
    assert store.peek_signin_token("hash1", "login", T0) is None
    store.add_signin_token("hash2", "ann@acme.example", "login", T0, T0 + timedelta(minutes=20))
    assert store.use_signin_token("hash2", "login", T0 + timedelta(minutes=20)) is None  # expired
    assert store.use_signin_token("unknown", "login", T0) is None


def test_of_concurrent_uses_of_a_link_one_succeeds(store: Storage, store_url: str) -> None:
    store.add_signin_token("hash1", "ann@acme.example", "login", T0, LATER)
    results = on_connections(store_url, 4, lambda s, i: s.use_signin_token("hash1", "login", T0))
    assert sorted(results, key=str) == [None, None, None, "ann@acme.example"]


# ---------------------------------------------------------------------- API and feed tokens

def test_api_tokens_are_revoked_only_by_their_owner(store: Storage) -> None:
    ann, _ = store.ensure_user("ann@acme.example", now=T0)
    bob, _ = store.ensure_user("bob@acme.example", now=T0)
    token = store.add_api_token(ann.id, "th1", "laptop", T0)
    store.add_api_token(ann.id, "th2", "phone", T0)
    assert store.api_token_user("th1") == (token, ann)
    assert store.api_token_user("nope") is None
    assert not store.revoke_api_token(bob.id, token.id, LATER)
    assert store.revoke_api_token(ann.id, token.id, LATER)
    assert not store.revoke_api_token(ann.id, token.id, LATER)  # already revoked
    assert store.api_token_user("th1") is None
    assert [(t.name, t.revoked_at) for t in store.api_tokens(ann.id)] == [("laptop", LATER), ("phone", None)]
    assert store.api_tokens(bob.id) == []


def test_feed_token_versions(store: Storage) -> None:
    mid = store.upsert_member(member("ann@acme.example"), T0).member_id
    assert store.rss_version(mid) is None
    assert store.new_rss_version(mid, T0) == 1
    assert store.new_rss_version(mid, T0) == 2 and store.rss_version(mid) == 2
    store.revoke_rss(mid, T0)
    assert store.rss_version(mid) is None
    assert store.new_rss_version(mid, T0) == 3


def test_concurrent_renewals_give_distinct_versions(store: Storage, store_url: str) -> None:
    mid = store.upsert_member(member("ann@acme.example"), T0).member_id
    versions = on_connections(store_url, 4, lambda s, i: s.new_rss_version(mid, T0))
    assert sorted(versions) == [1, 2, 3, 4] and store.rss_version(mid) == 4


# ---------------------------------------------------------------------- sessions

def test_sessions_live_until_they_expire_and_rotate_atomically(store: Storage) -> None:
    user, _ = store.ensure_user("ann@acme.example", now=T0)
    store.save_session("old", user_id=None, role=None, data={"lang": "de"}, now=T0, expires_at=LATER)
    store.save_session("new", user_id=user.id, role="member", data={"lang": "de"}, now=T0, expires_at=LATER,
                       replaces="old")
    assert store.get_session("old", T0) is None
    found = store.get_session("new", T0)
    assert found is not None and (found.user_id, found.role, found.data) == (user.id, "member", {"lang": "de"})
    store.save_session("new", user_id=user.id, role="member", data={"lang": "en"}, now=T0, expires_at=LATER)
    assert store.get_session("new", T0).data == {"lang": "en"}  # type: ignore[union-attr]
    assert store.get_session("new", LATER) is None  # expired
    store.delete_session("new")
    store.delete_session("new")
    assert store.get_session("new", T0) is None


def test_purging_deletes_expired_sessions_links_and_old_throttle_windows(store: Storage) -> None:
    store.save_session("gone", user_id=None, role=None, data={}, now=T0, expires_at=T0 + timedelta(minutes=1))
    store.save_session("kept", user_id=None, role=None, data={}, now=T0, expires_at=LATER + timedelta(days=2))
    store.add_signin_token("t", "ann@acme.example", "login", T0, T0 + timedelta(minutes=20))
    store.hit("old", T0, WINDOW)
    assert store.purge_expired(T0 + timedelta(days=1, minutes=1)) == 2
    assert store.get_session("kept", T0) is not None
    assert store.hit("old", T0 + timedelta(days=1, minutes=1), WINDOW) == 1


# ---------------------------------------------------------------------- throttle

def test_hits_count_within_a_fixed_window(store: Storage) -> None:
    assert [store.hit("k", T0 + timedelta(minutes=m), WINDOW) for m in (0, 5, 14)] == [1, 2, 3]
    assert store.hit("k", T0 + WINDOW, WINDOW) == 1  # a new window
    assert store.hit("other", T0, WINDOW) == 1
    store.clear("k")
    assert store.hit("k", T0 + WINDOW, WINDOW) == 1


def test_reservations_stop_at_the_limit_and_can_be_given_back(store: Storage) -> None:
    taken = [store.reserve_attempt("pw:ann", limit=3, now=T0, window=WINDOW) for _ in range(5)]
    assert taken == [True, True, True, False, False]
    store.release_attempt("pw:bob", T0, WINDOW)  # nothing to give back: nothing happens
    assert store.reserve_attempt("pw:bob", limit=1, now=T0, window=WINDOW)
    store.release_attempt("pw:bob", T0, WINDOW)
    assert store.reserve_attempt("pw:bob", limit=1, now=T0, window=WINDOW)
    assert store.reserve_attempt("pw:ann", limit=3, now=T0 + WINDOW, window=WINDOW)  # a new window
    store.clear("pw:ann")
    assert all(store.reserve_attempt("pw:ann", limit=3, now=T0 + WINDOW, window=WINDOW) for _ in range(3))


def test_of_24_concurrent_reservations_exactly_the_limit_succeed(store: Storage, store_url: str) -> None:
    """Issue 10: 24 parallel wrong passwords for one account got 12 checks against a limit of 5.
    Each thread has its own engine, so on PostgreSQL these are 24 real connections."""
    taken = on_connections(store_url, 24, lambda s, i: s.reserve_attempt("pw:ann@acme.example", limit=5, now=T0,
                                                                         window=WINDOW))
    assert taken.count(True) == 5
