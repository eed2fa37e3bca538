"""The pure search functions: fusion, per-language centring, word-boundary highlighting, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from curator.search import (
    centre_by_language,
    highlight,
    mean_reciprocal_rank,
    query_terms,
    recall_at,
    reciprocal_rank_fusion,
    semantic_ranking,
    word_match,
)


def test_fusion_rewards_agreement_and_is_deterministic() -> None:
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 4, 1]], k=60)
    assert [key for key, _ in fused] == [1, 3, 2, 4]
    assert fused[0][1] == 1 / 61 + 1 / 63
    assert reciprocal_rank_fusion([[5, 5, 6]]) == [(5, 1 / 61), (6, 1 / 63)]
    assert reciprocal_rank_fusion([]) == []


def test_centring_removes_the_language_direction() -> None:
    # two topics, each written in two languages; the language axis (index 2) dominates the raw cosine
    lang_axis = np.array([0.0, 0.0, 1.0])
    docs = np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0], [0, 1, 0]], dtype=np.float32)
    docs = docs + np.array([lang_axis * 2, lang_axis * 2, -lang_axis * 2, -lang_axis * 2])
    langs = ["en", "en", "de", "de"]
    query = np.array([1.0, 0.0, 2.0])  # topic 0, asked in English
    raw = [k for k, _ in semantic_ranking(query, ["en0", "en1", "de0", "de1"], docs, langs, centre=False)]
    centred = [k for k, _ in semantic_ranking(query, ["en0", "en1", "de0", "de1"], docs, langs)]
    assert raw[:2] == ["en0", "en1"]  # the other language's article on the topic comes after an off-topic one
    assert set(centred[:2]) == {"en0", "de0"}
    out = centre_by_language(docs, langs)
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0)
    assert np.allclose(centre_by_language(docs[:1], ["en"]), docs[:1] / np.linalg.norm(docs[:1]))


def test_words_match_at_word_starts_and_short_words_whole() -> None:
    assert query_terms("KI, ki & \"Skills\"-shortage!") == ["ki", "skills", "shortage"]
    assert word_match("Neue KI-Modelle", ["ki"]) and not word_match("Mehr Kinder", ["ki"])
    assert word_match("Managers meet", ["manager"]) and not word_match("Submanager", ["manager"])


def test_highlight_escapes_marks_and_cuts_around_the_first_match() -> None:
    assert highlight("KI <script> und Kinder", ["ki"]) == "<mark>KI</mark> &lt;script&gt; und Kinder"
    long = "word " * 100 + "target here " + "tail " * 100
    out = highlight(long, ["target"], width=60)
    assert out.startswith("…") and out.endswith("…") and "<mark>target</mark>" in out
    assert highlight("nothing", ["x"]) == "nothing"


def test_recall_and_mrr() -> None:
    assert recall_at([1, 2, 3], {3, 9}, k=3) == 0.5
    assert recall_at([1], set()) == 1.0
    assert mean_reciprocal_rank([[1, 2], [5, 6]], [{2}, {7}]) == 0.25


def test_weighted_fusion_and_the_similarity_floor() -> None:
    from curator.search import SearchTuning, fuse_text_and_semantic

    assert [k for k, _ in reciprocal_rank_fusion([[1], [2]], weights=(1.0, 2.0))] == [2, 1]
    gate = SearchTuning(min_similarity=0.2, text_weight=1.0, semantic_weight=1.0, rrf_k=60)
    # the best hit passes the gate: the whole semantic ranking counts, weak hits included
    assert [k for k, _ in fuse_text_and_semantic([1], [(2, 0.4), (3, 0.1)], gate)] == [1, 2, 3]
    assert fuse_text_and_semantic([], [(3, 0.1), (4, 0.05)], gate) == []  # nothing passes: nothing
    assert [k for k, _ in fuse_text_and_semantic([1], [(3, 0.1)], gate)] == [1]
    heavy = SearchTuning(min_similarity=-1.0, text_weight=1.0, semantic_weight=3.0, rrf_k=10)
    assert [k for k, _ in fuse_text_and_semantic([1, 2], [(2, 0.3), (3, 0.2)], heavy)] == [2, 3, 1]
    with pytest.raises(ValueError, match="one weight per ranking"):
        reciprocal_rank_fusion([[1]], weights=(1.0, 1.0))
