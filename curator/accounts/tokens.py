"""Random secrets handed out once (sign-in links, API tokens) and the hashes stored for them."""

from __future__ import annotations

import hashlib
import secrets

from ..errors import ConfigError

MAX_TOKEN_LENGTH = 200
"""Longer values are refused before hashing or a database look-up: no real token is this long."""

API_TOKEN_PREFIX = "cur_"
"""Marks curator API tokens, so secret scanners and people can recognise a leaked one."""

MIN_SECRET_KEY_LENGTH = 16


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) stored in place of a secret: a database leak reveals no usable token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_signin_token() -> str:
    """A fresh sign-in link token: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def new_session_id() -> str:
    """A fresh web session id (the cookie value of a signed-in session): 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def new_api_token() -> str:
    """A fresh API bearer token: ``cur_`` and 32 random bytes, URL-safe."""
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def plausible_token(token: str | None, max_length: int = MAX_TOKEN_LENGTH) -> bool:
    """Whether ``token`` is worth looking up: not empty and not longer than ``max_length``."""
    return bool(token) and len(token or "") <= max_length


def check_secret_key(key: str | None) -> str:
    """``key`` if it can sign cookies and private-feed tokens. Raises ConfigError naming the
    setting and how to make one if it is missing or shorter than 16 characters."""
    if not key or len(key) < MIN_SECRET_KEY_LENGTH:
        raise ConfigError(f"setting 'secret_key' must be at least {MIN_SECRET_KEY_LENGTH} random characters; "
                          "e.g. CURATOR_SECRET_KEY=$(openssl rand -hex 32)")
    return key
