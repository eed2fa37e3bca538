"""Members, organisations, clubs, personas, feedback and profiles (migration 0003)."""

from __future__ import annotations

from .schema import metadata  # noqa: F401
