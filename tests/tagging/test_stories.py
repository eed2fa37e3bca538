"""Copies of one story get one decision (fake encoder, toy area model; no database)."""

from __future__ import annotations

import pytest

from curator.embeddings import FakeEncoder
from curator.tagging import Tagger, duplicate_groups, harmonise_story_tags, story_tags, tag_input
from tests.tagging.items import item


def test_duplicate_groups_follow_the_duplicate_marks() -> None:
    head = item(1)
    copies = [item(2, duplicate_of=1), item(3), item(4, duplicate_of=1), item(5, duplicate_of=99)]
    other_head, other_copy = item(6), item(7, duplicate_of=6)
    groups = duplicate_groups([other_copy, *copies, head, other_head])
    # the copy of 99 has no shown copy among the items: left out
    assert [[i.id for i in g] for g in groups] == [[6, 7], [1, 2, 4]]
    assert duplicate_groups([]) == []


def test_a_story_is_decided_on_the_mean_of_its_copies(toy_tagger: Tagger) -> None:
    story = [item(1, title="Merger lifts shares", text="revenue profit"),
             item(2, title="Union strike over wages", text="overtime merger shares profit")]
    lone = [item(3, title="Parliament passes law", text="minister court")]
    results = story_tags(toy_tagger, [story, lone])
    probabilities = toy_tagger.probabilities(toy_tagger.embed([tag_input(i) for i in story]))
    assert results[0] == toy_tagger.decide(probabilities.mean(axis=0, keepdims=True))[0]
    assert results[1] == toy_tagger.tag([tag_input(lone[0])])[0]
    assert story_tags(toy_tagger, []) == []
    with pytest.raises(ValueError):
        story_tags(toy_tagger, [[]])


def test_an_ensembles_story_decision_also_reads_its_first_encoders_mean(toy_tagger: Tagger) -> None:
    ensemble = Tagger(toy_tagger.areas, toy_tagger.encoder, cache=toy_tagger.cache, second=FakeEncoder(dim=96))
    story = [item(1, title="Merger lifts shares", text="revenue profit software"),
             item(2, title="Union strike over wages", text="overtime merger shares chip cloud")]
    [result] = story_tags(ensemble, [story])
    vectors = ensemble.embed([tag_input(i) for i in story])
    own = ensemble.primary_probabilities(vectors)
    assert own is not None
    expected = ensemble.decide(ensemble.probabilities(vectors).mean(axis=0, keepdims=True),
                               own.mean(axis=0, keepdims=True))[0]
    assert result == expected and result.areas


def test_only_copies_with_other_areas_are_changed(toy_tagger: Tagger) -> None:
    head = item(1, title="Merger lifts shares", text="revenue profit dividend investor")
    copy = item(2, title="Merger lifts shares and profit", text="revenue", duplicate_of=1)
    [decision] = story_tags(toy_tagger, [[head, copy]])
    assert decision.areas  # a real decision, so the test below compares something
    agreeing = item(1, title=head.title, text=head.text, areas=decision.areas)
    changed = harmonise_story_tags(toy_tagger, [agreeing, copy, item(3, title="School pupils")])
    assert changed == [(copy, decision)]


def test_tag_input_reads_the_stored_item() -> None:
    stored = item(42, title="Chip", text="cloud server")
    doc = tag_input(stored)
    assert (doc.id, doc.title, doc.text, doc.lang, doc.content_hash) == ("42", "Chip", "cloud server", "en", "h42")
