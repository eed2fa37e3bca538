"""Texts of an issue that nobody typed: the default subject lines, item summaries, date labels and
the period name of a weekly digest."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo

from ..rendering.labels import labels
from ..types import Item

ISSUE_LANGUAGES = ("de", "en")
"""The languages every issue has texts in; a member's digest uses theirs, else English."""

SUMMARY_LIMIT = 280


def week_period(now: datetime, tz: tzinfo) -> str:
    """The ISO week ``now`` falls in, in ``tz``: ``2024-W07``. A weekly digest is drafted once per
    (segment, period)."""
    year, week, _ = now.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def default_texts(period: str | None, segment_names: Mapping[str, str] | None = None) -> dict[str, dict[str, str]]:
    """Subject, preheader and an empty intro in each issue language; the subject names the
    week of a ``YYYY-Www`` period (``KW 07`` in German) and, first, the segment when
    ``segment_names`` ({language: name}) are given: a member in several segments can tell their
    digests of one week apart by the subject (docs/design-notes.md, "One subject per member and
    week")."""
    out = {}
    for lang in ISSUE_LANGUAGES:
        lab = labels(lang)
        week = f" · {period.replace('-W', (' KW ' if lang == 'de' else ' week '))}" if period else ""
        name = (segment_names or {}).get(lang) or (segment_names or {}).get("en")
        out[lang] = {"subject": f"{name + ' · ' if name else ''}{lab['default_subject']}{week}",
                     "preheader": lab["default_preheader"], "intro": ""}
    return out


def summary(item: Item, limit: int = SUMMARY_LIMIT) -> str:
    """The item's summary (or text) as one line of plain text: tags removed, entities decoded,
    whitespace collapsed, cut at a word boundary before ``limit`` characters with " …"."""
    text = item.summary or item.text or ""
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + " …"


def date_label(when: datetime, lang: str) -> str:
    """``when`` as readers of ``lang`` write a date: ``07.02.2024`` / ``7 Feb 2024``."""
    if lang == "de":
        return when.strftime("%d.%m.%Y")
    return when.strftime("%d %b %Y").lstrip("0")


__all__ = ["ISSUE_LANGUAGES", "SUMMARY_LIMIT", "date_label", "default_texts", "summary", "week_period"]
