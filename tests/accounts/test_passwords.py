"""Passwords: argon2id hashes, and the same work whether or not an account has one."""

from __future__ import annotations

import pytest

from curator.accounts import passwords
from curator.accounts.passwords import check_new_password, hash_password, verify_password
from curator.errors import InvalidInput

PASSWORD = "correct horse battery"


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password(stored, "")


def test_each_hash_is_salted() -> None:
    assert hash_password(PASSWORD) != hash_password(PASSWORD)


@pytest.mark.parametrize("short", ["", "123456789", "ninechars"])
def test_short_passwords_are_refused_with_the_rule(short: str) -> None:
    with pytest.raises(InvalidInput, match="at least 10 characters"):
        hash_password(short)
    with pytest.raises(InvalidInput):
        check_new_password(short)
    check_new_password("0123456789")


def test_without_a_stored_hash_a_dummy_is_verified_and_the_answer_is_no(monkeypatch: pytest.MonkeyPatch) -> None:
    real = passwords._HASHER
    verified: list[str] = []

    class Spy:
        def hash(self, password: str) -> str:
            return str(real.hash(password))

        def verify(self, stored: str, password: str) -> bool:
            verified.append(stored)
            return bool(real.verify(stored, password))

    monkeypatch.setattr(passwords, "_HASHER", Spy())
    assert not verify_password(None, PASSWORD)
    assert not verify_password("", PASSWORD)
    # The same argon2 work is done as for a real account, against one hash made once.
    assert verified == [passwords._dummy_hash(), passwords._dummy_hash()]
    assert verified[0].startswith("$argon2id$")


def test_even_the_dummy_hashs_password_would_not_sign_in(monkeypatch: pytest.MonkeyPatch) -> None:
    # If someone guessed the dummy's password, an account without a password still stays shut.
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: passwords._HASHER.hash("dummy secret"))
    assert not verify_password(None, "dummy secret")


@pytest.mark.parametrize("stored", ["not a hash", "$argon2id$v=19$broken", "$2b$12$abcdefghijklmnopqrstuv"])
def test_a_corrupt_stored_hash_is_a_no_not_a_crash(stored: str) -> None:
    assert not verify_password(stored, PASSWORD)
