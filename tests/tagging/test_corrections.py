"""Editor corrections change what the tagger says, and the head survives storage."""

from __future__ import annotations

import numpy as np
import pytest

from curator.embeddings import FakeEncoder
from curator.errors import TaggingError
from curator.tagging import AreaModel, Correction, CorrectionHead, Corrections, Tagger, TagInput

# Words the area examples never use: zero-shot the tagger cannot know where these belong.
NEW_TOPIC = ["blockchain token wallet ledger", "token ledger mining wallet", "wallet blockchain crypto token",
             "crypto mining ledger blockchain", "ledger wallet token crypto", "mining crypto blockchain wallet"]


def _corrections(tagger: Tagger, texts: list[str], areas: tuple[str, ...], prefix: str) -> list[Correction]:
    vecs = tagger.embed([TagInput(id=f"{prefix}{i}", title=t, text="") for i, t in enumerate(texts)])
    return [Correction(item_id=f"{prefix}{i}", vector=v, areas=areas) for i, v in enumerate(vecs)]


def test_corrections_shift_results(toy_areas: AreaModel) -> None:
    enc = FakeEncoder(dim=256)
    plain = Tagger(toy_areas, enc)
    probe = [TagInput(id="p", title="crypto token wallet blockchain", text="")]
    before = plain.tag(probe)[0]
    corr = Corrections(_corrections(plain, NEW_TOPIC, ("company",), "c"))
    # Some ordinary examples of other areas so the head sees more than one class.
    corr_items = list(corr) + _corrections(plain, ["school pupils teachers", "court law minister",
                                                   "football goal striker"], (), "o")
    corr_items[-3] = Correction(corr_items[-3].item_id, corr_items[-3].vector, ("society",))
    corr_items[-2] = Correction(corr_items[-2].item_id, corr_items[-2].vector, ("government",))
    tuned = Tagger(toy_areas, enc, corrections=Corrections(corr_items))
    after = tuned.tag(probe)[0]
    assert after.primary == "company"
    assert after.scores["company"] > before.scores["company"]
    assert tuned.version != plain.version
    # Ordinary items keep their zero-shot area.
    assert tuned.tag([TagInput(id="g", title="parliament election senate treaty", text="")])[0].primary == "government"


def test_later_verdict_replaces_earlier_one() -> None:
    v = np.ones(4, dtype=np.float32) / 2
    corr = Corrections([Correction("a", v, ("work",)), Correction("b", v, ())])
    corr.add(Correction("a", v, ("society", "work")))
    assert len(corr) == 2
    assert sorted(corr.labels()) == ["off_topic", "society"]


def test_head_round_trips_through_bytes(toy_areas: AreaModel) -> None:
    enc = FakeEncoder(dim=256)
    base = Tagger(toy_areas, enc)
    corr = Corrections(_corrections(base, NEW_TOPIC[:3], ("company",), "c")
                       + _corrections(base, NEW_TOPIC[3:], ("technology",), "t"))
    trained = Tagger(toy_areas, enc, corrections=corr)
    head = trained.head()
    assert head is not None
    restored = CorrectionHead.from_bytes(head.to_bytes())
    loaded = Tagger(toy_areas, enc, head=restored)
    vecs = base.embed([TagInput(id="x", title="ledger token", text="crypto")])
    assert np.allclose(trained.probabilities(vecs), loaded.probabilities(vecs))
    with pytest.raises(TaggingError, match="could not be read"):
        CorrectionHead.from_bytes(b"not an archive")


def test_single_class_and_bad_corrections(toy_areas: AreaModel) -> None:
    enc = FakeEncoder(dim=256)
    base = Tagger(toy_areas, enc)
    only_work = Corrections(_corrections(base, NEW_TOPIC, ("work",), "w"))
    tagger = Tagger(toy_areas, enc, corrections=only_work)
    assert tagger.tag([TagInput(id="p", title="crypto token wallet", text="")])[0].primary == "work"
    wrong_dim = Corrections([Correction("z", np.ones(8, dtype=np.float32), ("work",))])
    with pytest.raises(TaggingError, match="re-embed"):
        Tagger(toy_areas, enc, corrections=wrong_dim).tag([TagInput(id="p", title="x", text="")])
    unknown = Corrections([Correction("z", np.ones(256, dtype=np.float32) / 16, ("finance",))])
    with pytest.raises(TaggingError, match="unknown area 'finance'"):
        Tagger(toy_areas, enc, corrections=unknown).tag([TagInput(id="p", title="x", text="")])
