"""Secret tokens: random, handed out once, stored only as SHA-256; the secret key check."""

from __future__ import annotations

import hashlib

import pytest

from curator.accounts import (
    MAX_TOKEN_LENGTH,
    check_secret_key,
    hash_secret,
    new_api_token,
    new_signin_token,
    plausible_token,
)
from curator.errors import ConfigError


def test_the_stored_hash_is_sha256_hex() -> None:
    assert hash_secret("abc") == hashlib.sha256(b"abc").hexdigest()
    assert hash_secret("ä") == hashlib.sha256("ä".encode()).hexdigest()
    assert len(hash_secret("x")) == 64


def test_signin_tokens_are_32_random_urlsafe_bytes() -> None:
    tokens = {new_signin_token() for _ in range(50)}
    assert len(tokens) == 50
    for t in tokens:
        assert len(t) == 43 and all(c.isalnum() or c in "-_" for c in t)


def test_api_tokens_are_marked_and_random() -> None:
    a, b = new_api_token(), new_api_token()
    assert a != b and a.startswith("cur_") and len(a) == 4 + 43


@pytest.mark.parametrize(("token", "ok"), [("", False), (None, False), ("x", True),
                                           ("a" * MAX_TOKEN_LENGTH, True), ("a" * (MAX_TOKEN_LENGTH + 1), False)])
def test_implausible_tokens_are_not_looked_up(token: str | None, ok: bool) -> None:
    assert plausible_token(token) is ok


def test_plausible_token_takes_a_limit() -> None:
    assert plausible_token("a" * 300, 500) and not plausible_token("a" * 501, 500)


@pytest.mark.parametrize("key", [None, "", "fifteen chars!!"])
def test_a_missing_or_short_secret_key_names_the_setting_and_the_fix(key: str | None) -> None:
    with pytest.raises(ConfigError, match="secret_key.*openssl rand"):
        check_secret_key(key)


def test_a_long_enough_secret_key_is_returned() -> None:
    assert check_secret_key("0123456789abcdef") == "0123456789abcdef"
