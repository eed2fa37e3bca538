"""A small cluster: members, clubs, tagged items (some restricted) on the real storage."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path

import pytest

from curator.core import Curator

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"

MEMBERS_CSV = """email,name,organisation,language,clubs,areas,interests,persona,tracking_consent
cio@alpha.example,Clara CIO,Alpha GmbH,en,it-executive,technology,"cloud security, data centres",cio,true
hr@alpha.example,Hanna HR,Alpha GmbH,de,agile-hr;womens-club,work,"Weiterbildung, Fachkräfte",hr-lead,false
founder@beta.example,Fritz Founder,Beta AG,de,,company,"venture capital, start-ups",founder,true
cold@gamma.example,Cora Cold,Gamma KG,en,,,,public-digital-lead,false
guest@example.org,Gustav Guest,,en,,technology,cloud,,true
"""

TOPICS = {
    "technology": ["cloud security breach at data centre", "new AI chip for cloud servers",
                   "software update fixes security hole", "robotics automation in factories"],
    "company": ["start-up raises venture capital", "merger of two software firms",
                "company strategy for digital markets", "investors back fintech start-up"],
    "work": ["Weiterbildung für Fachkräfte im Betrieb", "remote work and new work policies",
             "skills shortage hits employers", "training programme for managers"],
    "society": ["schools get digital learning tools", "health care apps for patients",
                "media literacy against disinformation", "smart city projects for citizens"],
    "government": ["data protection regulation tightened", "e-government portal launched",
                   "public funding for broadband", "new law on artificial intelligence"],
}


def item_lines(now_iso: str) -> list[str]:
    lines = []
    n = 0
    for area, titles in TOPICS.items():
        for t in titles:
            n += 1
            lines.append(json.dumps({"id": f"{area}-{n}", "title": t.title(), "text": (t + ". ") * 8,
                                     "lang": "en", "published": now_iso}))
    return lines


def import_tagged(cur: Curator, titles: Mapping[str, Sequence[str]], *, lang: str, mark: str,
                  age: timedelta) -> None:
    """Import one item per title (its text the title repeated), published ``age`` ago, with keys
    ``<area><mark><n>``, and tag each with its area."""
    when = (cur.clock.now() - age).isoformat()
    cur.items.import_jsonl([json.dumps({"id": f"{area}{mark}{n}", "title": t.title() if lang == "en" else t,
                                        "text": (t + ". ") * 8, "lang": lang, "published": when})
                            for area, ts in titles.items() for n, t in enumerate(ts)])
    now = cur.clock.now()
    for item in cur.items.list():
        if mark in item.key:
            cur.storage.set_item_areas(item.id, {item.key.split(":")[1].split(mark)[0]: 0.9}, now)


@pytest.fixture
def cluster(curator: Curator) -> Curator:
    """Members imported with club grants, 20 tagged items; the two last of each area restricted:
    one to the IT Executive Club, one to the Women's Club (for technology and work only)."""
    cur = curator
    cur.members.ensure_clubs()
    res = cur.members.import_file(MEMBERS_CSV, fmt="csv", grant_clubs_by="editor@cluster.example")
    assert res.errors == (), res.errors
    now = cur.clock.now()
    cur.items.import_jsonl(item_lines((now - timedelta(days=1)).isoformat()))
    store = cur.storage
    for item in cur.items.list():
        area = item.key.split(":")[1].rsplit("-", 1)[0]
        store.set_item_areas(item.id, {area: 0.9}, now)
    tech = sorted((i for i in cur.items.list() if i.areas == ("technology",)), key=lambda i: i.id)
    work = sorted((i for i in cur.items.list() if i.areas == ("work",)), key=lambda i: i.id)
    store.set_item_visibility(tech[-1].id, "club:it-executive")
    store.set_item_visibility(work[-1].id, "club:womens-club")
    store.set_item_visibility(tech[-2].id, "members")
    return cur
