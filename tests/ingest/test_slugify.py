"""Unit tests for curator.ingest.normalise.slugify, the one slug function."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curator.ingest.normalise import slugify


@pytest.mark.parametrize(
    ("text", "max_length", "fallback", "expected"),
    [
        ("import-BBC News", 64, "import", "import-bbc-news"),
        ("  Heise online: IT-News!  ", 50, "source", "heise-online-it-news"),
        ("Übersicht Öl", 50, "source", "bersicht-l"),
        ("!!!", 50, "source", "source"),
        ("", 60, "all", "all"),
        ("club:it-executive", 60, "all", "club-it-executive"),
        ("ab cd", 3, "x", "ab-"),  # cut after the strip: existing ids depend on it
    ],
)
def test_slugify(text: str, max_length: int, fallback: str, expected: str) -> None:
    assert slugify(text, max_length=max_length, fallback=fallback) == expected


@given(st.text(max_size=200), st.integers(min_value=1, max_value=80))
def test_slug_is_ascii_id_within_length(text: str, max_length: int) -> None:
    slug = slugify(text, max_length=max_length, fallback="fallback")
    assert slug == "fallback" or (re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) and len(slug) <= max_length)
