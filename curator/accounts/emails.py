"""The one check an email address gets before an account or a sign-in link is made for it."""

from __future__ import annotations

from ..email_address import normalise_email


def check_email(email: str) -> str:
    """``email`` in the stored form of :func:`curator.email_address.normalise_email` (trimmed,
    lower-cased, an internationalised domain in Unicode): the same rule as for imported members
    and at send time. Raises InvalidInput (its message says "not an email address" and why)."""
    return normalise_email(email)
