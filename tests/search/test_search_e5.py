"""Search with the real encoder (multilingual-e5-small) through the facade: an English query
finds the German article on its subject and the reverse, and a query about nothing stored finds
nothing (the gate of docs/search.md). Articles written for this test, not from the eval pool."""

from __future__ import annotations

import json

import pytest

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator

pytestmark = [pytest.mark.model, pytest.mark.slow]

ARTICLES = [
    ("de-fachkraefte", "de", "Unternehmen finden kaum noch Fachkräfte",
     "Laut einer Umfrage bleiben viele Stellen für Ingenieure und IT-Spezialisten monatelang unbesetzt."),
    ("de-derby", "de", "HSV gewinnt das Derby gegen St. Pauli",
     "Vor ausverkauftem Haus setzte sich der HSV mit 2:1 durch. Die Fans feierten bis in die Nacht."),
    ("de-grundsteuer", "de", "Gemeinden erhöhen die Grundsteuer",
     "Viele Kommunen heben die Hebesätze an, um ihre Haushalte auszugleichen."),
    ("de-bahn", "de", "Bahn streicht Verbindungen im Fernverkehr",
     "Wegen Bauarbeiten fallen im Sommer zahlreiche ICE-Verbindungen zwischen Hamburg und Berlin aus."),
    ("en-soup", "en", "Five easy pumpkin soup recipes for autumn",
     "Roast the pumpkin, add ginger and coconut milk, and blend until smooth."),
    ("en-chips", "en", "Chip maker opens a new factory in Ohio",
     "The plant will produce processors for cars and data centres from next year."),
    ("en-ransom", "en", "Ransomware attack shuts down a hospital's computers",
     "Criminals encrypted the patient records and demanded a payment in bitcoin to unlock them."),
    ("en-tennis", "en", "Teenager wins her first grand slam title",
     "The 18-year-old beat the world number one in three sets on a windy afternoon."),
]


def test_cross_language_search_and_nothing_for_nonsense(settings: Settings, clock: FixedClock) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the encoder, not the database, is under test here")
    cur = make_curator(settings.replace(encoder="e5"), clock=clock)
    try:
        cur.items.import_jsonl([json.dumps({"id": k, "lang": lang, "title": t, "text": x})
                                for k, lang, t, x in ARTICLES])
        cur.tagging.tag()

        def keys(query: str) -> list[str]:
            return [h.item.key.removeprefix("import:") for h in cur.items.search(query, everything=True, limit=3)]

        assert keys("skills shortage")[0] == "de-fachkraefte"
        assert "en-ransom" in keys("Cyberangriff mit Erpressung")[:2]
        assert keys("xqzt vlorbnik") == []
    finally:
        cur.close()
