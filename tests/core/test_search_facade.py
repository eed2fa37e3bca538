"""``Curator.items.search``: fused full-text and semantic search within the visibility rule."""

from __future__ import annotations

import json

from curator.core import Curator


def _import(cur: Curator) -> dict[str, int]:
    lines = [json.dumps(o) for o in [
        {"id": "ki", "title": "KI in der Verwaltung", "text": "Behörden setzen KI ein.", "lang": "de"},
        {"id": "kinder", "title": "Kinderbetreuung", "text": "Mehr Kinder in der Kita.", "lang": "de"},
        {"id": "steel", "title": "Steel prices", "text": "Steel prices rose again.", "lang": "en"},
    ]]
    cur.items.import_jsonl(lines)
    cur.items.import_jsonl([json.dumps({"id": "club", "title": "KI im Club", "text": "KI intern", "lang": "de"})],
                           source_id="club", visibility="members")
    return {i.title.split()[0].lower().replace("kinderbetreuung", "kinder"): i.id for i in cur.items.list()
            if i.title != "KI im Club"} | {"club": next(i.id for i in cur.items.list() if i.title == "KI im Club")}


def test_search_fuses_both_sides_and_keeps_to_what_the_reader_may_see(curator: Curator) -> None:
    ids = _import(curator)
    hits = curator.items.search("KI")
    assert hits[0].item.id == ids["ki"] and "<mark>KI</mark>" in hits[0].snippet
    assert ids["club"] not in {h.item.id for h in hits}
    assert ids["club"] in {h.item.id for h in curator.items.search("KI", everything=True)}
    assert [h.item.id for h in curator.items.search("KI", method="text")] == [ids["ki"]]
    assert {h.item.id for h in curator.items.search("KI", method="substring")} >= {ids["ki"], ids["kinder"]}
    assert all(h.item.lang == "en" for h in curator.items.search("steel", lang="en"))
    assert curator.items.search("  ?! ") == []
    assert hits == sorted(hits, key=lambda h: -h.score)


def test_search_for_a_digest_segment_keeps_to_what_everyone_in_it_may_see(curator: Curator) -> None:
    from curator.types import Segment

    curator.items.import_jsonl([json.dumps({"id": "c", "title": "Cloud costs", "text": "Cloud bills rise.", "lang": "en"})],
                               source_id="itexec", visibility="club:it-executive")
    curator.items.import_jsonl([json.dumps({"id": "w", "title": "Cloud at work", "text": "Cloud tools.", "lang": "en"})],
                               source_id="women", visibility="club:womens-club")
    found = {h.item.title for h in curator.items.search("cloud", segment=Segment("club", "it-executive"))}
    assert found == {"Cloud costs"}
    assert {h.item.title for h in curator.items.search("cloud", segment=Segment())} == set()
    assert {h.item.title for h in curator.items.search("cloud", everything=True)} == {"Cloud costs", "Cloud at work"}
