"""How long sign-in links live and how often a person or a client may try to sign in."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

SIGNIN_LINK_MINUTES: Final = 20
"""A sign-in link works once, for this many minutes."""
SIGNIN_PURPOSE: Final = "login"
"""The purpose stored with a sign-in token (a token for one purpose never works for another)."""
THROTTLE_WINDOW: Final = timedelta(minutes=15)
"""Attempts are counted per key in windows of this length."""
THROTTLE_PER_ACCOUNT: Final = 5
"""Failed password attempts per email per window before sign-in is refused for that email."""
THROTTLE_PER_CLIENT: Final = 30
"""Sign-in attempts (any email) per client address per window."""
LINKS_PER_EMAIL: Final = 3
"""Sign-in links sent per email per window (stops mail bombing someone's inbox)."""
