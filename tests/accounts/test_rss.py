"""Private feed tokens: signed (member, version) pairs that only the current version opens."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeSerializer

from curator.accounts import RSS_SALT, RssClaim, read_rss_token, sign_rss_token

SECRET = "0123456789abcdef-secret"


def test_a_signed_token_reads_back() -> None:
    token = sign_rss_token(SECRET, 42, 3)
    assert read_rss_token(SECRET, token) == RssClaim(42, 3)


def test_tokens_keep_their_format() -> None:
    # Tokens already in people's feed readers must keep working: the salt and payload are fixed.
    token = sign_rss_token(SECRET, 7, 1)
    assert URLSafeSerializer(SECRET, salt=RSS_SALT).loads(token) == {"m": 7, "v": 1}


def test_only_the_current_version_matches() -> None:
    claim = RssClaim(42, 3)
    assert claim.matches(3)
    assert not claim.matches(4) and not claim.matches(None)


@pytest.mark.parametrize("mangle", [
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # forged signature
    lambda t: "",
    lambda t: t + "x" * 500,  # overlong
    lambda t: "not-a-token",
])
def test_bad_tokens_are_none(mangle) -> None:  # type: ignore[no-untyped-def]
    assert read_rss_token(SECRET, mangle(sign_rss_token(SECRET, 42, 3))) is None


def test_another_secret_or_salt_does_not_open_it() -> None:
    token = sign_rss_token(SECRET, 42, 3)
    assert read_rss_token(SECRET + "-other", token) is None
    other_use = URLSafeSerializer(SECRET, salt="curator-something-else").dumps({"m": 42, "v": 3})
    assert read_rss_token(SECRET, other_use) is None


@pytest.mark.parametrize("payload", [[42, 3], {"m": "42", "v": 3}, {"m": 42}, {"v": 3}, {"m": 42, "v": 1.5}, "x"])
def test_malformed_payloads_are_none(payload: object) -> None:
    token = URLSafeSerializer(SECRET, salt=RSS_SALT).dumps(payload)
    assert read_rss_token(SECRET, token) is None
