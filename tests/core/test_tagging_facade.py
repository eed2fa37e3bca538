"""Tagging what is stored: incremental re-tagging, editor corrections, duplicates folded."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator, make_curator
from curator.errors import InvalidInput
from curator.types import ItemQuery, Source
from tests.core.test_collect import rss

STORIES = [
    ("t1", "Cloud platform outage hits logistics software", "A failure in a cloud data centre stopped software."),
    ("t2", "Hamburg football club wins derby", "The match ended 3-1 after a late goal in the stadium."),
    ("t3", "New EU data protection rules for authorities", "The regulation on e-government and privacy law."),
]


def collect(curator: Curator, httpserver: HTTPServer, path: str, sid: str, items: list, **kw: object) -> None:
    httpserver.expect_request(path).respond_with_data(rss(items), content_type="application/rss+xml")
    curator.sources.sync([Source(id=sid, title=sid, url=httpserver.url_for(path), **kw)])  # type: ignore[arg-type]
    list(curator.sources.collect(force=True))


def test_tag_is_incremental_and_versioned(curator: Curator, httpserver: HTTPServer, clock: FixedClock) -> None:
    collect(curator, httpserver, "/a", "a", STORIES)
    run = curator.tagging.tag()
    assert run.tagged == 3
    items = curator.items.list(ItemQuery())
    assert all(set(i.area_scores) == {"technology", "company", "work", "society", "government"} for i in items)
    assert curator.tagging.tag().tagged == 0  # nothing changed, nothing re-tagged
    # a changed item is tagged again; the others are not
    httpserver.clear()
    clock.advance(hours=2)
    collect(curator, httpserver, "/a", "a", [(STORIES[0][0], STORIES[0][1], "Changed text about servers."),
                                             *STORIES[1:]])
    assert curator.tagging.tag().tagged == 1
    assert curator.tagging.tag(retag_all=True).tagged == 3


def test_area_filter_uses_stored_tags(curator: Curator, httpserver: HTTPServer) -> None:
    collect(curator, httpserver, "/a", "a", STORIES)
    curator.tagging.tag()
    item = curator.items.list(ItemQuery())[0]
    curator.tagging.correct(item.id, ["government", "society"], editor="ed@cluster.example")
    found = curator.items.list(ItemQuery(area="government"))
    assert item.id in {i.id for i in found}
    assert all("government" in i.areas for i in found)


def test_corrections_are_kept_and_change_the_tagger_version(curator: Curator, httpserver: HTTPServer) -> None:
    collect(curator, httpserver, "/a", "a", STORIES)
    first = curator.tagging.tag()
    sport = next(i for i in curator.items.list(ItemQuery()) if "football" in i.title)
    corrected = curator.tagging.correct(sport.id, [], editor="ed@cluster.example")
    assert corrected.areas == ()
    second = curator.tagging.tag()
    assert second.version != first.version and second.tagged == 3  # new corrections: re-tag with them
    assert curator.items.get(sport.id).areas == ()  # the editor's verdict is never overwritten
    with pytest.raises(InvalidInput, match="unknown area"):
        curator.tagging.correct(sport.id, ["sports"], editor="ed")


def test_same_story_in_two_sources_is_folded_public_copy_shown(curator: Curator, httpserver: HTTPServer) -> None:
    """RELIABILITY D05: one story syndicated by two feeds is shown once; the public copy wins
    over a members-only original so non-members do not lose the story."""
    story = [("s1", "Port of Hamburg opens 5G testbed", "The port authority opens a 5G testbed for logistics.")]
    collect(curator, httpserver, "/members", "members-feed", story, visibility="members")
    collect(curator, httpserver, "/public", "public-feed", story)
    curator.tagging.tag()
    items = {i.source_id: i for i in curator.items.list(ItemQuery())}
    assert items["public-feed"].duplicate_of is None
    assert items["members-feed"].duplicate_of == items["public-feed"].id
    assert [i.id for i in curator.tagging.duplicates_of(items["public-feed"].id)] == [items["members-feed"].id]


def test_copies_of_one_story_get_the_same_areas(curator: Curator, httpserver: HTTPServer) -> None:
    """A German report and its English version (here linked by the same canonical link) are
    tagged once on the mean of their probabilities, so both carry the same areas."""
    de = [("s1", "Hamburg startet Förderprogramm für KI in Behörden",
           "Die Stadt fördert Verwaltungen, die künstliche Intelligenz und Datenschutz zusammen denken.")]
    en = [("s1", "Hamburg funds AI in public administration",
           "The city funds authorities that adopt artificial intelligence under data protection law.")]
    collect(curator, httpserver, "/de", "de-feed", de)
    collect(curator, httpserver, "/en", "en-feed", en)
    curator.tagging.tag()
    copies = curator.items.list(ItemQuery())
    assert len(copies) == 2 and sum(i.duplicate_of is not None for i in copies) == 1
    assert copies[0].areas == copies[1].areas


def test_corrections_head_centres_vectors_by_language(curator: Curator) -> None:
    from datetime import timedelta

    from curator.types import ParsedItem

    now = curator.clock.now()
    src = Source(id="mixed", title="Mixed", url="https://mixed.example/feed")
    curator.storage.ensure_internal_source(src, now)
    words = {"de": "Software Wolke Daten Rechner Netz", "en": "software cloud data computer network"}
    parsed = [ParsedItem(key=f"{lang}-{n}", title=f"{words[lang]} {n}", url=None, canonical_url=None,
                         summary="", content_html="", text=f"{words[lang]} story number {n}", author=None,
                         published=now - timedelta(hours=n), updated=None, lang=lang, content_hash=f"{lang}-{n}")
              for lang in ("de", "en") for n in range(21)]
    curator.storage.upsert_items(src, parsed, now)
    assert curator.tagging.tagger().language_centres == {}  # no corrections: no head, nothing to centre
    items = curator.items.list(ItemQuery(limit=100))
    curator.tagging.correct(items[0].id, ["technology"], editor="ed@cluster.example")
    curator.tagging.correct(items[1].id, ["company"], editor="ed@cluster.example")
    tagger = curator.tagging.tagger()
    assert set(tagger.language_centres) == {"de", "en"}
    head = tagger.head()
    assert head is not None and set(head.centres) == {"de", "en"}
    assert curator.tagging.tag().tagged == 42


def test_an_ensemble_tags_learns_from_corrections_and_keeps_both_encoders_vectors(
        settings: Settings, clock: FixedClock, httpserver: HTTPServer) -> None:
    """With ``second_encoder`` set (here a second fake encoder) the tag job, the corrections head
    and the story harmonising read both encoders; both encoders' vectors are kept in the
    embedding cache, so a re-run encodes nothing; duplicates and the teaching order keep reading
    the first encoder's document vectors."""
    import sqlalchemy as sa

    with make_curator(settings.replace(second_encoder="fake:48"), clock=clock) as cur:
        story = [("s1", "Port of Hamburg opens 5G testbed", "The port authority opens a 5G testbed for logistics.")]
        collect(cur, httpserver, "/a", "a", STORIES)
        collect(cur, httpserver, "/b", "b", story)
        collect(cur, httpserver, "/c", "c", story)
        first = cur.tagging.tag()
        assert first.tagged == 5 and "fake:bow-64+fake:bow-48" in first.version
        assert first.tagger == "tagger: ensemble of fake:bow-64 and fake:48 (second_encoder: fake:48)"
        assert first.duplicates == 1  # the copies found with the first encoder's vectors (its threshold)
        with cur.storage.read() as conn:
            kept = dict(conn.execute(sa.text("SELECT model_id, COUNT(*) FROM embeddings GROUP BY model_id")).all())
        assert set(kept) >= {"fake:bow-64", "fake:bow-48"} and kept["fake:bow-48"] >= 10  # titles and bodies
        items = cur.items.list(ItemQuery())
        copies = [i for i in items if "5G" in i.title]
        assert copies[0].areas == copies[1].areas  # one story, one decision (on both encoders)
        sport = next(i for i in items if "football" in i.title)
        cur.tagging.correct(sport.id, ["society"], editor="ed@cluster.example")
        taught = cur.tagging.tagger()
        head = taught.head()
        assert head is not None and head.coef.shape[1] == 64 + 48 + 6
        assert taught.second is not None and taught.dim == 112
        second = cur.tagging.tag()
        assert second.version != first.version and second.tagged == 5
        assert cur.items.get(sport.id).areas == ("society",)
        assert cur.tagging.tag().tagged == 0
        with cur.storage.read() as conn:
            again = dict(conn.execute(sa.text("SELECT model_id, COUNT(*) FROM embeddings GROUP BY model_id")).all())
        assert again == kept  # re-tagging with the corrections encoded nothing new
        teach = cur.tagging.to_teach(limit=10)
        assert sport.id not in {i.id for i in teach} and len(teach) == 3  # neither corrected nor a folded copy


def test_the_tagger_says_when_it_runs_alone(curator: Curator, httpserver: HTTPServer) -> None:
    collect(curator, httpserver, "/a", "a", STORIES)
    run = curator.tagging.tag()  # auto, with the fake encoder: the ensemble is measured with e5 only
    assert run.tagger == "tagger: fake:bow-64 alone (second_encoder auto: the ensemble is measured with e5 only)"
    assert "+" not in run.version.split("|")[1]
