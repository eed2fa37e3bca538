"""Password sign-in is throttled per account and per client, and the throttle holds under
parallel requests (issue 10: 24 parallel wrong passwords for one account got 12 checks against a
limit of 5). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import curator.features.accounts as accounts_feature
from curator.accounts import THROTTLE_PER_ACCOUNT, THROTTLE_PER_CLIENT
from curator.clock import FixedClock
from curator.core import Curator
from tests.storage.conftest import in_parallel

ANN = "ann@acme.example"
BOB = "bob@acme.example"
PASSWORD = "a long enough password"
CLIENT = "198.51.100.7"


class CountingVerify:
    """Stands in for ``verify_password`` (argon2 takes long, and is tested on its own): right for
    any stored hash and PASSWORD; counts how often a password is checked."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, stored: str | None, password: str) -> bool:
        with self._lock:
            self.calls += 1
        return stored is not None and password == PASSWORD


@pytest.fixture
def checks(curator: Curator, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingVerify]:
    curator.accounts.create(ANN, password=PASSWORD)
    curator.accounts.create(BOB, password=PASSWORD)
    counter = CountingVerify()
    monkeypatch.setattr(accounts_feature, "verify_password", counter)
    yield counter


def test_parallel_wrong_passwords_get_no_more_checks_than_the_limit(curator: Curator, checks: CountingVerify,
                                                                    clock: FixedClock) -> None:
    results = in_parallel(24, lambda i: curator.accounts.signin_with_password(ANN, f"wrong-{i}", client=CLIENT))
    assert results == [None] * 24
    assert checks.calls == THROTTLE_PER_ACCOUNT
    assert curator.accounts.signin_with_password(ANN, PASSWORD, client=CLIENT) is None  # throttled
    assert checks.calls == THROTTLE_PER_ACCOUNT
    clock.advance(minutes=16)
    user = curator.accounts.signin_with_password(ANN, PASSWORD, client=CLIENT)
    assert user is not None and user.email == ANN


def test_only_failed_checks_count_against_the_client(curator: Curator, checks: CountingVerify) -> None:
    for n in range(THROTTLE_PER_ACCOUNT + 20):  # refused attempts on a throttled account cost the client nothing
        curator.accounts.signin_with_password(ANN, f"wrong-{n}", client=CLIENT)
    for _ in range(THROTTLE_PER_CLIENT):  # people behind one proxy address still sign in
        assert curator.accounts.signin_with_password(BOB, PASSWORD, client=CLIENT) is not None
    for n in range(THROTTLE_PER_CLIENT - THROTTLE_PER_ACCOUNT):
        assert curator.accounts.signin_with_password(f"nobody{n}@acme.example", "wrong", client=CLIENT) is None
    calls = checks.calls
    assert curator.accounts.signin_with_password(BOB, PASSWORD, client=CLIENT) is None
    assert checks.calls == calls  # the client used up its failures: refused without a check
    assert curator.accounts.signin_with_password(BOB, PASSWORD, client="203.0.113.1") is not None
