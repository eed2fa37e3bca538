"""Clustering, labels and topics on synthetic vectors (no model, no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from curator.search import centre_by_language
from curator.trends import cluster_vectors, distinctive_words, engagement_by_segment, find_topics
from curator.trends.labels import stem, words
from curator.types import EngagementEvent, Item

NOW = datetime(2026, 11, 20, tzinfo=UTC)
DIM = 256


def _vectors(topics: list[int], langs: list[str], *, seed: int = 1, language_pull: float = 2.0) -> np.ndarray:
    """One vector per item: its topic's direction plus noise plus a strong shared direction per
    language (as e5 vectors have)."""
    rng = np.random.default_rng(seed)
    directions = rng.normal(size=(max(topics) + 1, DIM))
    lang_dir = {lang: rng.normal(size=DIM) for lang in set(langs)}
    x = np.stack([directions[t] + rng.normal(scale=0.35, size=DIM) + language_pull * lang_dir[lang]
                  for t, lang in zip(topics, langs, strict=True)])
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _item(n: int, title: str, text: str, lang: str, *, days_ago: float, areas: tuple[str, ...] = ()) -> Item:
    at = NOW - timedelta(days=days_ago)
    return Item(id=n, source_id="s", key=str(n), kind="article", title=title, url=f"https://x.example/{n}",
                canonical_url=None, summary="", content_html="", text=text, author=None, published=at, first_seen=at,
                updated_at=at, lang=lang, content_hash=str(n), visibility="public", areas=areas)


def test_centring_puts_german_and_english_items_of_one_topic_together() -> None:
    topics = [0] * 6 + [1] * 6 + [2] * 6
    langs = ["de", "en"] * 9
    raw = _vectors(topics, langs)
    uncentred = cluster_vectors(raw, min_size=3)
    centred = cluster_vectors(centre_by_language(raw, langs), min_size=3)
    # uncentred the language direction wins: no cluster mixes German and English
    for c in set(uncentred) - {-1}:
        assert len({langs[i] for i in np.flatnonzero(uncentred == c)}) == 1
    # centred: exactly the three planted topics, each with both languages
    assert sorted(sorted(np.flatnonzero(centred == c).tolist()) for c in set(centred)) == [
        list(range(0, 6)), list(range(6, 12)), list(range(12, 18))]


def test_small_groups_are_no_topic_and_topics_are_numbered_largest_first() -> None:
    topics = [0] * 3 + [1] * 8 + [2] * 5
    labels = cluster_vectors(_vectors(topics, ["en"] * 16, language_pull=0.0), min_size=4)
    assert (labels[:3] == -1).all()
    assert (labels[3:11] == 0).all() and (labels[11:] == 1).all()
    assert (cluster_vectors(np.zeros((2, DIM)), min_size=4) == -1).all()


def test_distinctive_words_prefer_what_sets_a_topic_apart() -> None:
    docs = {0: [("Quantencomputer rechnen schneller", "Der Quantencomputer nutzt Qubits und Supraleiter."),
                ("Neue Qubits für Quantencomputern", "Forscher bauen stabile Qubits; der Markt wächst.")],
            1: [("Fachkräftemangel im Handwerk", "Der Markt für Fachkräfte bleibt leer, sagt die Kammer."),
                ("Fachkräfte gesucht", "Betriebe suchen Fachkräfte; der Markt ist leer.")]}
    found = distinctive_words(docs, rest=[("Wetter", "Der Markt in Hamburg hat Regen.")])
    assert found[0][:2] == ["Quantencomputer", "Qubits"] or found[0][:2] == ["Qubits", "Quantencomputer"]
    assert "Fachkräfte" in found[1][:2]
    assert "Markt" not in found[0][:3] and "Markt" not in found[1][:2]  # everywhere, so not distinctive
    assert distinctive_words({0: []}) == {0: []}


def test_words_drop_stop_words_and_numbers_but_keep_acronyms() -> None:
    assert words("Die KI und der Markt: 2026 wird das Jahr der EU-Regeln, says the US") == [
        "KI", "Markt", "EU-Regeln", "US"]
    assert stem("Quantencomputern") == stem("Quantencomputer") and stem("qubits") == stem("Qubit")


def test_find_topics_counts_periods_labels_both_languages_and_flags_the_rise() -> None:
    rng = np.random.default_rng(3)
    items: list[Item] = []
    topics: list[int] = []
    texts = {0: {"en": ("Quantum computing gets more qubits", "Quantum chips and qubits from IBM labs."),
                 "de": ("Quantencomputer mit mehr Qubits", "Quantenchips und Qubits aus den Laboren von IBM.")},
             1: {"en": ("Port logistics automation", "Container terminals automate cranes and logistics."),
                 "de": ("Hafenlogistik wird automatisiert", "Containerterminals automatisieren Kräne und Logistik.")}}
    n = 0
    # topic 0 rises: 4 items before, 24 now; topic 1 is flat: 12 and 12; plus 40 unrelated items
    for topic, before, now in ((0, 4, 24), (1, 12, 12)):
        for k in range(before + now):
            lang = "de" if k % 2 else "en"
            title, text = texts[topic][lang]
            items.append(_item(n, title, text, lang, days_ago=45 if k < before else 10,
                               areas=("technology",) if topic == 0 else ("company",)))
            topics.append(topic)
            n += 1
    for k in range(40):
        lang = "de" if k % 2 else "en"
        items.append(_item(n, f"Meldung {k}", f"Anderes Thema {rng.integers(1000)}", lang, days_ago=1 + 1.4 * k))
        topics.append(2 + k)  # each its own direction: no topic
        n += 1
    langs = [i.lang or "" for i in items]
    vectors = centre_by_language(_vectors(topics, langs, seed=5), langs)
    events = [EngagementEvent(item_id=items[20].id, at=NOW - timedelta(days=3),
                              action="read", clubs=("it-exec",), persona="cio", organisation_kind="business",
                              language="de"),
              EngagementEvent(item_id=items[20].id, at=NOW - timedelta(days=50), action="click", clubs=(),
                              persona="cio", organisation_kind=None, language="de")]
    found = find_topics(items, vectors, current_from=NOW - timedelta(days=30), until=NOW, events=events)
    assert len(found) == 2, [(t.label_en, t.items, t.previous, t.examples) for t in found]
    rising, flat = found
    assert rising.rising and (rising.items, rising.previous) == (24, 4) and rising.change > 1.5
    assert not flat.rising and not flat.falling and (flat.items, flat.previous) == (12, 12)
    assert {"Quantum", "qubits"} & set(rising.label_en.split(" · "))
    assert {"Quantencomputer", "Qubits"} & set(rising.label_de.split(" · "))
    assert "Logistik" in flat.label_de or "Hafenlogistik" in flat.label_de
    assert rising.areas == {"technology": 28} and rising.langs == {"de": 14, "en": 14}
    assert rising.main_areas() == ("technology",)
    assert len(rising.examples) == 3 and all(items[i].published >= NOW - timedelta(days=30) for i in rising.examples)
    # only the event inside the current period counts
    assert rising.engagement["club"] == {"it-exec": {"read": 1}}
    assert rising.engagement["persona"] == {"cio": {"read": 1}}
    assert rising.engagement["organisation"] == {"business": {"read": 1}}


def test_engagement_counts_every_segment_a_member_is_in() -> None:
    e = EngagementEvent(item_id=1, at=NOW, action="click", clubs=("it-exec", "women"), persona=None,
                        organisation_kind="research", language="en")
    out = engagement_by_segment([e, e])
    assert out == {"club": {"it-exec": {"click": 2}, "women": {"click": 2}}, "persona": {},
                   "organisation": {"research": {"click": 2}}, "language": {"en": {"click": 2}}}
