"""Integration with the real encoder (e5): a German article reaches an English-speaking member
interested in its subject, and the other way round (PRODUCT.md)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator

ITEMS = [
    ("de-ai-law", "de", "EU beschließt Gesetz zur Regulierung künstlicher Intelligenz",
     "Das Europäische Parlament hat strenge Regeln für KI-Systeme verabschiedet. Behörden sollen Verstöße ahnden."),
    ("de-football", "de", "HSV gewinnt Derby gegen St. Pauli",
     "Vor ausverkauftem Haus setzte sich der HSV mit 2:1 durch. Die Fans feierten bis in die Nacht."),
    ("en-recipe", "en", "Five easy pumpkin soup recipes for autumn",
     "Roast the pumpkin, add ginger and coconut milk, and blend until smooth."),
    ("en-hiring", "en", "Employers struggle to hire skilled workers",
     "A survey finds that most firms cannot fill vacancies for engineers and nurses."),
    ("de-fachkraefte", "de", "Unternehmen finden kaum Fachkräfte",
     "Laut einer Umfrage bleiben viele Stellen für Ingenieure und Pflegekräfte unbesetzt."),
]


@pytest.mark.slow
def test_cross_language_recommendation_with_e5(settings: Settings, clock: FixedClock) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the encoder, not the database, is under test here")
    cur = make_curator(settings.replace(encoder="e5"), clock=clock)
    try:
        cur.members.import_file("email,name,organisation,language,clubs,areas,interests,persona,tracking_consent\n"
                           "en@x.example,En,X,en,,government,artificial intelligence law and regulation,,false\n"
                           "de@x.example,De,X,de,,work,Fachkräftemangel und Personalgewinnung,,false\n", fmt="csv")
        published = (clock.now() - timedelta(hours=3)).isoformat()
        cur.items.import_jsonl([json.dumps({"id": k, "lang": lang, "title": t, "text": x, "published": published})
                          for k, lang, t, x in ITEMS])
        recs = cur.feeds.recommend(cur.members.get("en@x.example"), limit=5)
        assert recs[0].item.key == "import:de-ai-law", [r.item.title for r in recs]
        de = cur.feeds.recommend(cur.members.get("de@x.example"), limit=5)
        assert {de[0].item.key, de[1].item.key} == {"import:en-hiring", "import:de-fachkraefte"}
    finally:
        cur.close()
