"""Teaching order (which items an editor should correct next) and the language centring of the
corrections head."""

from __future__ import annotations

import numpy as np

from curator.embeddings import FakeEncoder
from curator.tagging import (
    AreaModel,
    Correction,
    CorrectionHead,
    Corrections,
    Tagger,
    TagInput,
    language_centres,
    margins,
    probabilities_from_scores,
    teaching_order,
)
from curator.tagging.corrections import centre_by_language


def _unit(rows: list[list[float]]) -> np.ndarray:
    x = np.array(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_margins_and_probabilities_from_stored_scores() -> None:
    probs = probabilities_from_scores([{"technology": 0.5, "company": 0.4}, {"work": 0.1}, {}],
                                      ["technology", "company", "work"])
    # off_topic is the rest of 1: 0.1, 0.9, 1.0
    assert np.allclose(probs[:, -1], [0.1, 0.9, 1.0])
    assert np.allclose(margins(probs), [0.1, 0.8, 1.0])
    assert margins(np.zeros((0, 6))).shape == (0,)


def test_teaching_order_prefers_uncertain_and_skips_near_copies() -> None:
    probs = np.array([
        [0.50, 0.48, 0.02],  # 0: undecided
        [0.50, 0.47, 0.03],  # 1: undecided, but a near copy of 0
        [0.90, 0.05, 0.05],  # 2: clear
        [0.60, 0.35, 0.05],  # 3: rather undecided, a different story
    ])
    vectors = _unit([[1, 0, 0], [0.99, 0.01, 0], [0, 1, 0], [0, 0, 1]])
    assert teaching_order(probs, vectors, 2) == [0, 3]
    assert teaching_order(probs, vectors, 2, diversity=0.0) == [0, 1]
    # An item already corrected makes its near copies redundant too.
    assert teaching_order(probs, vectors, 1, taught=_unit([[1, 0, 0]])) == [3]
    assert teaching_order(probs, vectors, 0) == []
    assert sorted(teaching_order(probs, vectors, 10)) == [0, 1, 2, 3]


def test_language_centres_and_centring() -> None:
    vectors = _unit([[1, 1, 0], [1, -1, 0], [0, 1, 1], [0, -1, 1]])
    langs = ["de", "de", "en", "en"]
    centres = language_centres(vectors, langs, min_items=2)
    assert set(centres) == {"de", "en"}
    centred = centre_by_language(vectors, langs, centres)
    # The language direction is gone: each language's rows now point the same ways.
    assert np.allclose(centred[0], centred[2]) and np.allclose(centred[1], centred[3])
    assert language_centres(vectors, langs, min_items=3) == {}
    assert centre_by_language(vectors, None, centres) is vectors
    # A language without a centre stays as it is.
    assert np.allclose(centre_by_language(vectors, ["fr", "fr", "en", "en"], centres)[0], vectors[0])


def test_centred_head_round_trips_and_is_used(toy_areas: AreaModel) -> None:
    enc = FakeEncoder(dim=256)
    base = Tagger(toy_areas, enc)
    texts = ["blockchain token wallet", "ledger mining crypto", "football goal striker", "school pupils teachers"]
    vecs = base.embed([TagInput(id=str(i), title=t, text="") for i, t in enumerate(texts)])
    corr = Corrections([Correction("0", vecs[0], ("company",), "de"), Correction("1", vecs[1], ("company",), "en"),
                        Correction("2", vecs[2], (), "en"), Correction("3", vecs[3], ("society",), "de")])
    centres = {"de": vecs[[0, 3]].mean(axis=0), "en": vecs[[1, 2]].mean(axis=0)}
    centred = Tagger(toy_areas, enc, corrections=corr, language_centres=centres)
    plain = Tagger(toy_areas, enc, corrections=corr)
    head = centred.head()
    assert head is not None and set(head.centres) == {"de", "en"}
    langs = ["de", "en", "en", "de"]
    restored = Tagger(toy_areas, enc, head=CorrectionHead.from_bytes(head.to_bytes()))
    assert np.allclose(centred.probabilities(vecs, langs), restored.probabilities(vecs, langs))
    assert not np.allclose(centred.probabilities(vecs, langs), plain.probabilities(vecs, langs))
