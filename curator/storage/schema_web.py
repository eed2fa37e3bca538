"""Web accounts, sessions, sign-in links and API tokens (migration 0005)."""

from __future__ import annotations

from .schema import metadata  # noqa: F401
