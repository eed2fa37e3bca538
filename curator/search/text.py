"""Query words and highlighting on word boundaries."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

_WORD = re.compile(r"\w+", re.UNICODE)


STOPWORDS: frozenset[str] = frozenset({
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "how", "if",
    "in", "into", "is", "it", "its", "of", "on", "or", "than", "that", "the", "their", "there", "these",
    "this", "to", "was", "were", "what", "when", "where", "which", "who", "why", "will", "with", "without",
    "aber", "als", "am", "auch", "auf", "aus", "bei", "bin", "bis", "das", "dass", "dem", "den",
    "der", "des", "die", "doch", "du", "ein", "eine", "einem", "einen", "einer", "eines", "er", "es",
    "für", "hat", "ich", "im", "ist", "mit", "nach", "nicht", "noch", "nur", "oder", "sich", "sie",
    "sind", "so", "über", "um", "und", "uns", "von", "vom", "vor", "war", "wie", "wir", "wird",
    "zu", "zum", "zur"
})
"""German and English function words. They carry no topic, and in a full-text OR query they match
nearly every article ("Kreuzfahrt in der Karibik" would find every German text with "in")."""


def query_terms(query: str) -> list[str]:
    """The words of ``query`` (letters and digits, any script), lower-cased, first occurrence
    first, without repeats and without :data:`STOPWORDS` (unless the query holds nothing else,
    so "IT" or "The Who" still find something). Quotes, operators and punctuation are dropped."""
    words = list(dict.fromkeys(w.lower() for w in _WORD.findall(query)))
    content = [w for w in words if w not in STOPWORDS]
    return content or words


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    # a term matches a whole word or the start of one ("Manager" finds "Managers"), never the
    # inside of a word, and short terms (<= 3 letters, such as "KI") only whole words
    alts = [re.escape(t) + (r"\b" if len(t) <= 3 else r"\w*")
            for t in sorted(terms, key=len, reverse=True)]
    return re.compile(r"\b(?:" + "|".join(alts) + ")", re.IGNORECASE | re.UNICODE)


def word_match(text: str, terms: Sequence[str]) -> bool:
    """Whether any of ``terms`` occurs in ``text`` on a word boundary (see ``highlight``)."""
    pattern = _pattern(terms)
    return bool(pattern and pattern.search(text))


def highlight(text: str, terms: Sequence[str], *, width: int = 240) -> str:
    """An HTML-escaped excerpt of ``text`` of about ``width`` characters around the first match
    of ``terms``, each match wrapped in ``<mark>``; the start of ``text`` when nothing matches.
    "…" marks cut ends. Terms match at word starts; terms of up to three letters whole words only
    ("KI" marks "KI", never "Kinder")."""
    text = " ".join(text.split())
    pattern = _pattern(terms)
    first = pattern.search(text) if pattern else None
    start = 0 if first is None else max(0, first.start() - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start  # type: ignore[union-attr]
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    excerpt = text[start:end]
    parts: list[str] = []
    pos = 0
    for m in pattern.finditer(excerpt) if pattern else ():
        parts.append(html.escape(excerpt[pos:m.start()]))
        parts.append(f"<mark>{html.escape(m.group(0))}</mark>")
        pos = m.end()
    parts.append(html.escape(excerpt[pos:]))
    return ("…" if start else "") + "".join(parts) + ("…" if end < len(text) else "")


def item_snippet(title: str, summary: str, body: str, terms: Sequence[str]) -> str:
    """The highlighted excerpt of an item (see ``highlight``): from its text where a word of the
    query occurs, else from its summary, else the start of its text (or summary, or title)."""
    for part in (body, summary):
        if part and word_match(part, terms):
            return highlight(part, terms)
    return highlight(body or summary or title, terms)
