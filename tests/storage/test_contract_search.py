"""Contract of full-text search (``Store.search_items_text``), on SQLite and PostgreSQL."""

from __future__ import annotations

from curator.storage import Storage
from tests.conftest import T0
from tests.storage.conftest import parsed, source


def _store_articles(store: Storage) -> dict[str, int]:
    store.ensure_internal_source(source("a"), T0)
    store.ensure_internal_source(source("club", visibility="members"), T0)
    ids = {}
    for key, title, text, lang in [
        ("ki", "KI in der Verwaltung", "Behörden setzen KI für Anträge ein.", "de"),
        ("kinder", "Kinderbetreuung", "Mehr Kinder in der Kita, sagt die Stadt.", "de"),
        ("skills", "Skills shortage hits IT firms", "Companies report a skills shortage <b>now</b>.", "en"),
        ("steel", "Steel prices", "Steel prices rose again.", "en"),
    ]:
        (ids[key],) = store.upsert_items(source("a"), [parsed(key, title=title, text=text, lang=lang)], T0).new_ids
    (ids["club"],) = store.upsert_items(source("club", visibility="members"),
                                        [parsed("club", title="KI im Club", text="KI für Mitglieder", lang="de")],
                                        T0).new_ids
    return ids


def test_words_match_on_word_boundaries_only_within_what_the_reader_may_see(store: Storage) -> None:
    ids = _store_articles(store)
    hits = store.search_items_text("KI", visible_to={"public"})
    assert [h.item.id for h in hits] == [ids["ki"]]
    assert "<mark>KI</mark>" in hits[0].snippet
    assert {h.item.id for h in store.search_items_text("KI", visible_to={"public", "members"})} == {
        ids["ki"], ids["club"]}
    assert {h.item.id for h in store.search_items_text("KI", visible_to=None)} == {ids["ki"], ids["club"]}
    assert store.search_items_text("KI", visible_to=set()) == []


def test_better_matches_first_filters_and_escaped_snippets(store: Storage) -> None:
    ids = _store_articles(store)
    hits = store.search_items_text("skills shortage steel", visible_to=None)
    assert [h.item.id for h in hits] == [ids["skills"], ids["steel"]]
    assert hits[0].score > hits[1].score
    assert "&lt;b&gt;" in hits[0].snippet and "<b>" not in hits[0].snippet
    assert store.search_items_text("steel", visible_to=None, lang="de") == []
    store.set_item_areas(ids["steel"], {"company": 0.9}, T0)
    assert [h.item.id for h in store.search_items_text("steel prices", visible_to=None, area="company")] == [
        ids["steel"]]
    assert store.search_items_text('"" OR *', visible_to=None) == []  # no words: nothing, no syntax error


def test_edited_and_deleted_items_are_found_as_they_are_now(store: Storage) -> None:
    ids = _store_articles(store)
    store.upsert_items(source("a"), [parsed("steel", title="Aluminium", text="Aluminium prices fell.", version="2")],
                       T0)
    assert store.search_items_text("steel", visible_to=None) == []
    assert [h.item.id for h in store.search_items_text("aluminium", visible_to=None)] == [ids["steel"]]
