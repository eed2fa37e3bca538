"""Language detection for entries (py3langid, restricted to a sensible set of languages).

The model is loaded once, lazily, on first use (it takes a moment) and kept
in this module; it is only read afterwards, so sharing it between threads is safe.
"""

from __future__ import annotations

import re
import threading
from typing import Any

__all__ = ["CANDIDATE_LANGUAGES", "MIN_LETTERS", "detect_language", "primary_tag"]

CANDIDATE_LANGUAGES: tuple[str, ...] = (
    "de",
    "en",
    "fr",
    "it",
    "es",
    "nl",
    "pt",
    "pl",
    "cs",
    "da",
    "sv",
    "no",
    "fi",
    "tr",
    "ru",
    "uk",
    "zh",
    "ja",
)
"""Languages the detector may answer. A closed set keeps short texts from being
assigned to exotic languages (a German headline is not Luxembourgish)."""

MIN_LETTERS = 20
"""Below this many letters a text is "too short": the hint is returned (or None)."""

_NEAR_TIE = 0.15  # probability gap under which a hinted runner-up wins
_LOW_CONFIDENCE = 0.5  # below this, for short texts, prefer the hint

_identifier: Any = None
_lock = threading.Lock()


def _get_identifier() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(CANDIDATE_LANGUAGES))
            _identifier = identifier
        return _identifier


def primary_tag(lang: str | None) -> str | None:
    """``"de-DE"`` / ``"en_us"`` / ``" EN "`` -> ``"de"`` / ``"en"``; None or junk -> None."""
    if not lang:
        return None
    match = re.match(r"\s*([A-Za-z]{2,3})(?:[-_].*)?\s*$", lang)
    return match.group(1).lower() if match else None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """The ISO 639-1 code of the language ``text`` is written in, or None.

    ``hint`` (e.g. the feed's ``<language>`` or the source's configured
    language; ``"de-DE"`` is accepted) is used only for texts too short to judge
    (fewer than :data:`MIN_LETTERS` letters: the hint is returned, or None
    without one) and to break near-ties between the two best candidates.
    The answer is always one of :data:`CANDIDATE_LANGUAGES` or the hint.
    """
    hinted = primary_tag(hint)
    letters = sum(1 for ch in text if ch.isalpha()) if text else 0
    if letters < MIN_LETTERS:
        return hinted
    ranked = _get_identifier().rank(text)
    best, best_p = ranked[0]
    if hinted and hinted != best:
        hinted_p = next((p for lang, p in ranked if lang == hinted), 0.0)
        if best_p - hinted_p < _NEAR_TIE or (letters < 60 and best_p < _LOW_CONFIDENCE):
            return hinted
    return str(best)
