"""Digest issues, segments and deliveries (migration 0004)."""

from __future__ import annotations

from .schema import metadata  # noqa: F401
