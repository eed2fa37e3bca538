"""Password hashing with argon2id, and verification that takes the same time whether or not
the account (or its password) exists."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import Argon2Error, InvalidHashError

from ..errors import InvalidInput

MIN_PASSWORD_LENGTH = 10

_HASHER = PasswordHasher()


def check_new_password(password: str) -> None:
    """Raises InvalidInput if ``password`` is too short to be set."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise InvalidInput(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string) to store for ``password``. Raises InvalidInput if the
    password is too short (:func:`check_new_password`)."""
    check_new_password(password)
    return str(_HASHER.hash(password))


@cache
def _dummy_hash() -> str:
    # Made on first use, not at import: hashing costs tens of milliseconds and `import curator`
    # must stay fast. A random password nobody knows, so it never verifies.
    return str(_HASHER.hash(secrets.token_hex(16)))


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the ``stored`` hash. With no stored hash (unknown account, or
    an account without a password) a dummy hash is verified instead and the answer is False, so
    the time taken does not tell whether the account exists. A corrupt stored hash is False."""
    try:
        verified = bool(_HASHER.verify(stored or _dummy_hash(), password or ""))
    except (Argon2Error, InvalidHashError):
        return False
    return verified and stored is not None
