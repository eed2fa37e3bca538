"""The one check an email address gets before an account or a sign-in link is made for it."""

from __future__ import annotations

import re

from ..errors import InvalidInput

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def check_email(email: str) -> str:
    """``email`` trimmed and lower-cased. Raises InvalidInput if it is not shaped like
    ``local@domain.tld`` or is longer than 320 characters."""
    email = (email or "").strip().lower()
    if len(email) > 320 or not _EMAIL.fullmatch(email):
        raise InvalidInput(f"{email[:80]!r} is not an email address")
    return email
