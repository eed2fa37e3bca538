"""Offline evaluation of the personalised ranking: real articles, simulated members.

The simulation is described in docs/ranking.md; in short:

- **Articles**: the 440 labelled articles of ``tagging-dev.jsonl`` (German and English, real news).
  Their labelled areas are the simulation's TRUE areas; the pool's ``orig_label`` (the source data
  set's own category, e.g. "Web", "Wirtschaft", "Sports") is a finer TRUE topic. The other pool
  articles are not used: their area labels are withheld on purpose, and without them the
  simulation would have no truth for them. Each article gets a publication time in an 8-week
  window.
- **Members** (hidden truth): a persona from models/personas.yaml, area tastes = the persona's
  preferred areas plus a personal Dirichlet deviation, liked and disliked fine topics, a language
  (some read only their own), and an idiosyncratic taste per article. A member likes an article
  when its utility is above their own threshold (about the top 20% of articles), with noise.
- **What the ranker sees** (never the truth): the member's persona; declared areas that are
  noisy and incomplete (each true main area declared with p=0.6, a wrong area added with p=0.25);
  a free-text interest copied from their persona's examples (or nothing); and the feedback
  history of weeks 1-5 (exposure to 35% of articles, clicks, ratings, saves, hides, "less like
  this"; views and clicks dropped for the 30% without tracking consent). Article areas come from
  the product's tagger (curator.tagging) as configured (``second_encoder``: the e5 + USE
  ensemble when the ``use`` extra is installed), not from the labels.
- **Held out**: the member's responses to the articles of weeks 6-8 (as if shown all of them);
  graded relevance 2 (strong like), 1 (like), 0. Members are split into two halves; when a half
  is ranked, "popularity" (global, and among similar members) comes from the OTHER half's
  feedback in weeks 6-8, so no member's own future leaks into their ranking.
- **Cold start**: extra members with only a persona (no declared areas, text or history).
- **Ceiling** (not a method): ORACLE rows rank each member by their hidden utility, without and
  with the per-article noise; ``report["oracle"]`` also holds oracles that know only some parts.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from curator.profiles.feedback import counts_for, event_weight
from curator.profiles.personas import load_personas, persona_text
from curator.profiles.profile import ProfileState, WeightedEvent, area_affinity, fold_events
from curator.ranking.stages import (
    MemberBatch,
    RankingWeights,
    area_audience_matrix,
    audience_evidence,
    audience_matrix,
    make_pool,
    primary_areas,
    profile_vectors,
    rank,
    with_audience,
)
from curator.types import AREA_IDS, LANGUAGES, Persona

T_START = datetime(2026, 9, 1, tzinfo=UTC)
WEEKS = 8
CUTOFF_WEEK = 5
EXPOSURE = 0.35
K_NDCG = 10
K_RECALL = 20
CHUNK = 32
BASELINES = ("most recent", "most popular", "area match only", "random")
ORACLE = "ORACLE expected utility"
ORACLE_NOISY = "ORACLE with noise"
ORACLES = (ORACLE, ORACLE_NOISY)
"""Not product methods and not baselines: each member ranked by their hidden utility (the
ceiling). :data:`ORACLE` uses the expected utility (areas, fine topics, language, without the
per-article noise): the best any ranker can do from what a member's tastes predict.
:data:`ORACLE_NOISY` adds the noise (perfect knowledge; below 1.0 only because whether a
member likes an article is itself a random draw)."""
REPO = Path(__file__).resolve().parents[2]


def default_data_dir() -> Path:
    """``$CURATOR_SHARED_DIR/eval`` or ``../shared/eval`` beside the repository."""
    shared = Path(os.environ.get("CURATOR_SHARED_DIR", REPO.parent / "shared"))
    return shared / "eval"


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    text: str
    lang: str
    source: str
    topic: str
    true_areas: tuple[str, ...]
    published: datetime


@dataclass
class SimMember:
    """One simulated member. Fields after ``persona`` are the hidden truth."""

    persona: str
    language: str
    declared_areas: tuple[str, ...]
    interests: str
    consent: bool
    utility: NDArray[np.float64]
    threshold: float
    main_areas: tuple[str, ...] = ()
    """The areas the member truly cares about most (taste >= 0.5): their interests for
    intent-aware nDCG."""
    expected_utility: NDArray[np.float64] | None = None
    """``utility`` without the idiosyncratic per-article noise: what the member's hidden tastes
    (areas, fine topics, language) predict. Used only by the oracle rows (the ceiling)."""
    utility_parts: dict[str, NDArray[np.float64]] = field(default_factory=dict)
    """The parts of ``expected_utility`` ("areas", "topics", "language"), for the oracle's
    decomposition."""
    theta: NDArray[np.float64] | None = None
    """The hidden area tastes (``AREA_IDS`` order)."""


def load_articles(data_dir: Path, rng: np.random.Generator) -> list[Article]:
    """The labelled articles with their pool metadata and a random publication time."""
    dev_path, pool_path = data_dir / "tagging-dev.jsonl", data_dir / "pool.jsonl"
    for p in (dev_path, pool_path):
        if not p.exists():
            from curator.errors import NotFound

            raise NotFound(f"{p} is missing: the ranking evaluation needs ../shared/eval/ (or --data FOLDER)")
    pool = {}
    with pool_path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                pool[obj["id"]] = obj
    out = []
    with dev_path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    offsets = rng.uniform(0, WEEKS * 7 * 86400, len(rows))
    for row, off in zip(rows, offsets, strict=True):
        meta = pool.get(row["id"], {})
        out.append(Article(row["id"], row["title"], row["text"], row["lang"], meta.get("source", "unknown"),
                           str(meta.get("orig_label", "unknown")).lower(), tuple(row.get("areas") or ()),
                           T_START + timedelta(seconds=float(off))))
    return out


def true_area_matrix(articles: Sequence[Article]) -> NDArray[np.float64]:
    m = np.zeros((len(articles), len(AREA_IDS)))
    for i, a in enumerate(articles):
        for k, area in enumerate(a.true_areas):
            if area in AREA_IDS:
                m[i, AREA_IDS.index(area)] = 1.0 if k == 0 else 0.6
    return m


def simulate_members(n: int, articles: Sequence[Article], personas: dict[str, Persona], rng: np.random.Generator,
                     *, cold: bool = False, two_areas: bool = False) -> list[SimMember]:
    """Members with hidden tastes; ``cold`` members declare nothing (persona only).
    ``two_areas``: "revealed interest" members whose tastes are two areas A and B alike (0.15 for
    the others), with a persona that leads with A (any persona preferring A when none leads with
    it), B outside the persona's areas; they declared only A, and their free text (if any, as for
    everyone) comes from that persona. Their history is made by :func:`revealed_history`."""
    areas = true_area_matrix(articles)
    topics = sorted({a.topic for a in articles})
    topic_idx = np.array([topics.index(a.topic) for a in articles])
    langs = np.array([a.lang for a in articles])
    ids = list(personas)
    out = []
    for _ in range(n):
        persona = personas[ids[int(rng.integers(len(ids)))]]
        if two_areas:  # a persona that leads with A, and an area B that neither A nor the persona suggests
            first = int(rng.integers(len(AREA_IDS)))
            fits = ([p for p in ids if tuple(personas[p].preferred_areas)[:1] == (AREA_IDS[first],)]
                    or [p for p in ids if AREA_IDS[first] in personas[p].preferred_areas] or ids)
            persona = personas[fits[int(rng.integers(len(fits)))]]
            others = [k for k in range(len(AREA_IDS)) if k != first and AREA_IDS[k] not in persona.preferred_areas]
            pair = np.array([first, others[int(rng.integers(len(others)))]])
        prior = np.zeros(len(AREA_IDS))
        for k, a in enumerate(persona.preferred_areas):
            prior[AREA_IDS.index(a)] = 1.0 if k == 0 else 0.6
        if two_areas:
            theta = np.full(len(AREA_IDS), 0.15)
            theta[pair] = 1.0
        else:
            theta = 0.6 * prior / prior.max() + 0.8 * rng.dirichlet(np.full(len(AREA_IDS), 0.4))
            theta /= theta.max()
        # fine topics: liked ones drawn among topics of articles in the member's areas
        topic_weight = np.array([(areas[topic_idx == t] @ theta).mean() for t in range(len(topics))]) + 0.05
        liked = rng.choice(len(topics), size=3, replace=False, p=topic_weight / topic_weight.sum())
        disliked = rng.choice(len(topics), size=2, replace=False)
        tau = np.zeros(len(topics))
        tau[disliked] -= 0.7
        tau[liked] += 0.8
        language = "de" if rng.random() < 0.5 else "en"
        monolingual = rng.random() < 0.3
        parts = {"areas": 1.5 * areas @ theta, "topics": tau[topic_idx],
                 "language": np.where(langs != language, -0.6, 0.0) if monolingual else np.zeros(len(articles))}
        expected = parts["areas"] + parts["topics"] + parts["language"]
        u = expected + 0.35 * rng.normal(size=len(articles))
        threshold = float(np.quantile(u, 0.8))
        main = [AREA_IDS[k] for k in np.flatnonzero(theta >= 0.5)]
        if cold:
            declared: tuple[str, ...] = ()
            interests = ""
        else:
            if two_areas:
                main = [AREA_IDS[int(k)] for k in pair]  # A (declared) first, B (revealed) second
                declared = (main[0],)
            else:
                declared_list = [a for a in main if rng.random() < 0.6]
                if rng.random() < 0.25:
                    declared_list.append(AREA_IDS[int(rng.integers(len(AREA_IDS)))])
                declared = tuple(dict.fromkeys(declared_list))
            examples = list(persona.example_interests.get(language, ()))
            interests = ", ".join(rng.choice(examples, size=min(2, len(examples)), replace=False).tolist()) \
                if examples and rng.random() < 0.6 else ""
        out.append(SimMember(persona.id, language, declared, interests, bool(rng.random() < 0.7), u, threshold,
                             tuple(main), expected, parts, theta))
    return out


REVEALED_RATINGS = 4


def revealed_history(m: SimMember, articles: Sequence[Article], hist: Sequence[int], cutoff: datetime,
                     rng: np.random.Generator) -> list[tuple[int, str, float | None, datetime]]:
    """A revealed-interest member's whole history: :data:`REVEALED_RATINGS` history articles whose
    TRUE primary area is their undeclared area B, each rated 5."""
    b = m.main_areas[1]
    of_b = [i for i in hist if articles[i].true_areas[:1] == (b,)]
    picked = rng.choice(len(of_b), size=min(REVEALED_RATINGS, len(of_b)), replace=False)
    return [(of_b[int(k)], "rating", 5.0, min(articles[of_b[int(k)]].published + timedelta(hours=2), cutoff))
            for k in picked]


DIGEST_SIZE = 6
DIGEST_OPEN = 0.45
DIGEST_CLICK = 0.6


def digest_clicks(members: Sequence[SimMember], articles: Sequence[Article], hist: Sequence[int],
                  areas: NDArray[np.float32], personas: dict[str, Persona], cutoff: datetime,
                  rng: np.random.Generator) -> list[list[tuple[int, str, float | None, datetime]]]:
    """Simulated clicks in weekly email digests during the history weeks, per member: each week's
    digest holds the :data:`DIGEST_SIZE` articles of that week that best match the member's
    declared areas (their persona's when they declared none; the product's tagger areas, ties at
    random), as a segmented newsletter would; a member opens it with p=:data:`DIGEST_OPEN` and
    clicks an article they like (the same like model as in the feed) with p=:data:`DIGEST_CLICK`.
    Clicks are dropped for members without tracking consent, as the product does."""
    out: list[list[tuple[int, str, float | None, datetime]]] = []
    for m in members:
        evs: list[tuple[int, str, float | None, datetime]] = []
        declared = m.declared_areas or personas[m.persona].preferred_areas
        aff = np.array([a in declared for a in AREA_IDS], dtype=np.float32)
        for week in range(CUTOFF_WEEK):
            start, end = T_START + timedelta(weeks=week), T_START + timedelta(weeks=week + 1)
            of_week = [i for i in hist if start <= articles[i].published < end]
            if not of_week:
                continue
            key = np.array([float(areas[i] @ aff) for i in of_week]) + 0.01 * rng.random(len(of_week))
            digest = [of_week[int(k)] for k in np.argsort(-key)[:DIGEST_SIZE]]
            if rng.random() >= DIGEST_OPEN:
                continue
            sent = min(end, cutoff)
            for i in digest:
                p_like = 1.0 / (1.0 + math.exp(-(m.utility[i] - m.threshold) / 0.25))
                if rng.random() < p_like * DIGEST_CLICK and counts_for("click", m.consent):
                    evs.append((i, "click", None, sent))
        out.append(evs)
    return out


def respond(m: SimMember, i: int, rng: np.random.Generator) -> tuple[list[tuple[str, float | None]], int]:
    """What member ``m`` does when article ``i`` is in their feed: events, and the graded
    relevance (0-2). Passing an article by is not an event (the product records no impressions);
    ``view`` means the member opened it, ``click`` that they followed it to the source."""
    z = (m.utility[i] - m.threshold) / 0.25
    p_like = 1.0 / (1.0 + math.exp(-z))
    if rng.random() < p_like:
        strong = z > 1.0
        events: list[tuple[str, float | None]] = [("view", None), ("click", None)]
        r = rng.random()
        if r < 0.45:
            events.append(("rating", 5.0 if strong else 4.0))
        elif r < 0.6:
            events.append(("save", None))
        elif r < 0.7:
            events.append(("more", None))
        return events, 2 if strong else 1
    if rng.random() < 0.1:  # opened out of curiosity, and it was not for them
        r = rng.random()
        if z < -1.0 and r < 0.3:
            return [("view", None), ("rating", 1.0 + float(rng.integers(2)))], 0
        return [("view", None)], 0
    if z < -2.0 and rng.random() < 0.1:
        return [("hide", None) if rng.random() < 0.5 else ("less", None)], 0
    return [], 0


@dataclass(frozen=True)
class Encoded:
    vectors: NDArray[np.float32]
    areas: NDArray[np.float32]
    area_source: str
    persona_vectors: NDArray[np.float32]
    model_id: str


def encode_everything(articles: Sequence[Article], personas: dict[str, Persona], encoder_spec: str,
                      interests: Sequence[str], progress: bool, cache_dir: Path | None = None,
                      second_encoder: str = "auto") -> tuple[Encoded, dict[str, NDArray[np.float32]]]:
    """Article vectors (as the product embeds items), predicted areas from the product's tagger,
    persona vectors and the vectors of the simulated members' interest texts.

    The tagger is the product's as configured: ``second_encoder`` is the setting of that name
    (``auto``: the e5 + USE ensemble when the ``use`` extra is installed, else e5 alone; ``none``;
    or an encoder spec), chosen by :func:`curator.tagging.second_encoder_choice` as the product
    does. An ensemble's second encoder centres its documents by the language means of all
    articles (no labels used), as the product's come from the stored items. Article vectors are
    always the primary encoder's (the product's profiles and ranking use those)."""
    from curator.embeddings import EncodeKind, FileEmbeddingCache, encode_cached, make_encoder, text_hash
    from curator.ranking.stages import item_area_vector
    from curator.tagging import second_encoder_choice

    enc = make_encoder(encoder_spec)
    cache = FileEmbeddingCache(cache_dir) if cache_dir else None

    def encode(texts: list[str], kind: str) -> NDArray[np.float32]:
        k: EncodeKind = "query" if kind == "query" else "passage"
        parts = []
        for start in range(0, len(texts), CHUNK):  # saved chunk by chunk: an interrupted run resumes
            chunk = texts[start:start + CHUNK]
            parts.append(encode_cached(enc, chunk, [text_hash(t, k) for t in chunk], cache, kind=k))
            if progress:
                print(f"\rencoding {kind}s: {min(start + CHUNK, len(texts))}/{len(texts)}", end="", file=sys.stderr)
        if progress:
            print(file=sys.stderr)
        return np.concatenate(parts) if parts else np.zeros((0, enc.dim), dtype=np.float32)

    # the product's document vectors (Curator.embed_items uses the same tagger embedding)
    from curator.tagging import Tagger, TagInput, load_areas

    second_spec, note = second_encoder_choice(second_encoder, enc)
    tagger = Tagger(load_areas(), enc, cache=cache, second=make_encoder(second_spec) if second_spec else None)
    docs = [TagInput(a.id, a.title, a.text, a.lang) for a in articles]
    for start in range(0, len(docs), CHUNK):  # warm the cache in saved chunks: an interrupted run resumes
        tagger.embed(docs[start:start + CHUNK])
        if progress:
            print(f"\rembedding and tagging: {min(start + CHUNK, len(docs))}/{len(docs)}", end="", file=sys.stderr)
    if progress:
        print(file=sys.stderr)
    langs = [a.lang for a in articles]
    tagging_vectors = tagger.embed(docs)
    tagger = tagger.with_second_centres(tagging_vectors, langs)
    tags = tagger.tag_vectors(tagging_vectors, langs)
    vectors = tagger.document_vectors(docs)
    areas = np.stack([item_area_vector(_as_item(a, tuple(t.areas))) for a, t in zip(articles, tags, strict=True)])
    area_source = f"curator.tagging, zero-shot ({note})"
    plist = list(personas.values())
    pvecs = encode([persona_text(p) for p in plist], "query")
    texts = sorted({t for t in interests if t})
    ivecs = dict(zip(texts, encode(texts, "query"), strict=True)) if texts else {}
    return Encoded(vectors, areas.astype(np.float32), area_source, pvecs, enc.model_id), ivecs


def _as_item(a: Article, areas: tuple[str, ...] = ()) -> Any:
    from curator.types import Item

    return Item(id=0, source_id=a.source, key=a.id, kind="article", title=a.title, url=None, canonical_url=None,
                summary="", content_html="", text=a.text, author=None, published=a.published, first_seen=a.published,
                updated_at=a.published, lang=a.lang, content_hash="", visibility="public", areas=areas)


def default_cache_dir() -> Path:
    import tempfile

    return Path(tempfile.gettempdir()) / "curator-eval-cache"


# ----------------------------------------------------------------------------- metrics


def ndcg_at(ranked: Sequence[int], rel: NDArray[np.int64], k: int) -> float:
    gains = (2.0 ** rel - 1.0)
    ideal = np.sort(gains)[::-1][:k]
    idcg = float((ideal / np.log2(np.arange(2, ideal.size + 2))).sum())
    if idcg == 0:
        return float("nan")
    got = np.array([gains[i] for i in ranked[:k]])
    return float((got / np.log2(np.arange(2, got.size + 2))).sum() / idcg)


def intent_aware_ndcg(ranked: Sequence[int], rel: NDArray[np.int64], primary: NDArray[np.int64],
                      interests: Sequence[int], k: int) -> float:
    """The mean over ``interests`` (area indices) of nDCG@k with only the articles whose TRUE
    primary area (``primary[i]``) is that interest relevant; interests without a relevant article
    are left out (NaN when none is left)."""
    values = [ndcg_at(ranked, np.where(primary == a, rel, 0), k) for a in interests]
    values = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if values else float("nan")


def recall_at(ranked: Sequence[int], rel: NDArray[np.int64], k: int) -> float:
    relevant = int((rel > 0).sum())
    if relevant == 0:
        return float("nan")
    return float(sum(rel[i] > 0 for i in ranked[:k]) / relevant)


def intra_list_diversity(ranked: Sequence[int], vectors: NDArray[np.float32]) -> float:
    """Mean pairwise cosine distance of the list's article vectors."""
    v = vectors[list(ranked)]
    if len(v) < 2:
        return 0.0
    s = v @ v.T
    n = len(v)
    return float(1.0 - (s.sum() - np.trace(s)) / (n * (n - 1)))


# ----------------------------------------------------------------------------- the run


def run_evaluation(data_dir: Path, *, encoder: str = "e5", n_members: int = 300, n_cold: int = 100, seed: int = 7,
                   n_revealed: int = 100, weights: RankingWeights | None = None, progress: bool = False,
                   cache_dir: Path | None = None, second_encoder: str = "auto") -> dict[str, Any]:
    """Simulate, rank, measure. Returns a report dict (see :func:`format_report`).
    ``second_encoder`` is the tagger's setting of that name (:func:`encode_everything`)."""
    started = time.monotonic()
    rng = np.random.default_rng(seed)
    w = weights or RankingWeights()
    personas = load_personas(REPO / "models" / "personas.yaml")
    articles = load_articles(data_dir, rng)
    cutoff = T_START + timedelta(weeks=CUTOFF_WEEK)
    end = T_START + timedelta(weeks=WEEKS)
    warm = simulate_members(n_members, articles, personas, rng)
    cold = simulate_members(n_cold, articles, personas, rng, cold=True)
    # revealed-interest members and email clicks draw from their own stream, so that everything
    # else is simulated exactly as before they were added
    side = np.random.default_rng([seed, 1])
    revealed = simulate_members(n_revealed, articles, personas, side, two_areas=True)
    enc, ivecs = encode_everything(articles, personas, encoder, [declared_text_for(m) for m in [*warm, *revealed]],
                                   progress, cache_dir, second_encoder)
    dim = enc.vectors.shape[1]
    hist = [i for i, a in enumerate(articles) if a.published < cutoff]
    test = np.array([i for i, a in enumerate(articles) if a.published >= cutoff], dtype=np.int64)

    # history (weeks 1-5) for warm members; future responses (weeks 6-8) for everyone
    events: list[list[tuple[int, str, float | None, datetime]]] = []
    for m in warm:
        evs: list[tuple[int, str, float | None, datetime]] = []
        for i in hist:
            if rng.random() < EXPOSURE:
                acts, _ = respond(m, i, rng)
                at = min(articles[i].published + timedelta(hours=float(rng.exponential(20))), cutoff)
                evs.extend((i, kind, value, at) for kind, value in acts if counts_for(kind, m.consent))
        events.append(evs)
    revealed_events = [revealed_history(m, articles, hist, cutoff, side) for m in revealed]
    future_rel = np.zeros((len(warm) + len(cold) + len(revealed), len(articles)), dtype=np.int64)
    future_events: list[list[tuple[int, str, float | None]]] = []
    for j, m in enumerate([*warm, *cold]):
        shown: list[tuple[int, str, float | None]] = []
        for i in test.tolist():
            acts, rel = respond(m, i, rng)
            future_rel[j, i] = rel
            if rng.random() < EXPOSURE:  # what others can see of this member's week-6-8 reactions
                shown.extend((i, kind, value) for kind, value in acts if counts_for(kind, m.consent))
        future_events.append(shown)

    persona_ids = list(personas)
    halves = np.arange(len(warm)) % 2
    pool_ids = np.arange(len(articles), dtype=np.int64)
    freshness = np.array([0.5 ** ((end - a.published).total_seconds() / 86400 / 7.0) for a in articles])

    def member_batch(members: Sequence[SimMember], evs: Sequence[Sequence[tuple[int, str, float | None, datetime]]]
                     ) -> MemberBatch:
        n = len(members)
        declared = np.zeros((n, dim), dtype=np.float32)
        pos = np.zeros((n, dim), dtype=np.float32)
        neg = np.zeros((n, dim), dtype=np.float32)
        pw, nw = np.zeros(n), np.zeros(n)
        aff = np.zeros((n, len(AREA_IDS)), dtype=np.float32)
        followed = np.zeros((n, len(AREA_IDS)), dtype=bool)
        pidx = np.zeros(n, dtype=np.int64)
        lang_fb = np.zeros((n, len(LANGUAGES), 2))
        excluded = []
        for j, m in enumerate(members):
            text = declared_text_for(m)
            if text:
                declared[j] = ivecs_for(text)
            state = ProfileState.empty(dim, T_START)
            wev = [WeightedEvent(n_ + 1, at, event_weight(kind, value), enc.vectors[i], enc.areas[i], articles[i].lang)
                   for n_, (i, kind, value, at) in enumerate(evs[j])]
            state = fold_events(state, wev, end)
            pos[j], neg[j], pw[j], nw[j] = state.positive, state.negative, state.positive_weight, state.negative_weight
            lang_fb[j] = state.language_feedback
            aff[j] = area_affinity(m.declared_areas, personas[m.persona].preferred_areas, state.area_feedback,
                                   state.positive_weight + state.negative_weight)
            followed[j] = [a in m.declared_areas for a in AREA_IDS]
            pidx[j] = persona_ids.index(m.persona)
            excluded.append(np.array(sorted({i for i, *_ in evs[j]}), dtype=np.int64))
        return MemberBatch(declared, pos, neg, pw, nw, pidx, enc.persona_vectors.astype(np.float32), aff, followed,
                           tuple(frozenset({"public", "members"}) for _ in members), tuple(excluded),
                           language_feedback=lang_fb,
                           language=np.array([LANGUAGES.index(m.language) if m.language in LANGUAGES else -1
                                              for m in members], dtype=np.int64))

    def ivecs_for(text: str) -> NDArray[np.float32]:
        return ivecs[text]

    def pool_with_popularity(likers: NDArray[np.int64]) -> tuple[Any, NDArray[np.float64]]:
        """The test pool with audience and popularity from the members in ``likers`` only."""
        counts = np.zeros(len(articles))
        likes = []
        for j in likers.tolist():
            for i, kind, value in future_events[j]:
                wgt = event_weight(kind, value)
                if wgt > 0:
                    counts[i] += wgt
                    likes.append((int(j), int(i), float(wgt)))
        mask = np.zeros(len(articles), dtype=bool)
        mask[test] = True
        pool = make_pool(pool_ids[mask], enc.vectors[mask], enc.areas[mask], freshness[mask],
                         visibility=["public"] * int(mask.sum()),
                         languages=[articles[i].lang for i in np.flatnonzero(mask).tolist()])
        if likes:
            prof = profile_vectors(warm_batch, pool.mean, w)
            pool = with_audience(pool, audience_matrix(pool, prof, likes), audience_evidence(pool, likes),
                                 area_audience_matrix(pool, warm_batch.area_affinity, likes))
        return pool, counts

    for r, m in enumerate(revealed):
        for i in test.tolist():
            future_rel[len(warm) + len(cold) + r, i] = respond(m, i, side)[1]
    mail = digest_clicks(warm, articles, hist, enc.areas, personas, cutoff, side)

    warm_batch = member_batch(warm, events)
    cold_batch = member_batch(cold, [[] for _ in cold])
    revealed_batch = member_batch(revealed, revealed_events)
    rankings: dict[str, dict[int, list[int]]] = {name: {} for name in
                                                 ("curator", "most recent", "most popular", "area match only",
                                                  "random", "area match (learned)")}
    timings = {}
    test_list = test.tolist()
    recency = sorted(test_list, key=lambda i: articles[i].published, reverse=True)

    members_list = [*warm, *cold, *revealed]
    primary = np.array([AREA_IDS.index(a.true_areas[0]) if a.true_areas and a.true_areas[0] in AREA_IDS else -1
                        for a in articles], dtype=np.int64)

    def baselines(j: int, members_batch: MemberBatch, row: int, counts: NDArray[np.float64]) -> None:
        rankings["most recent"][j] = recency[:K_RECALL]
        rankings["most popular"][j] = sorted(test_list, key=lambda i: (-counts[i], -articles[i].published.timestamp()))[:K_RECALL]
        # area match only: the member's declared areas (their persona's when they declared none),
        # as a segmented newsletter would do it; ties newest first
        m = members_list[j]
        declared = m.declared_areas or personas[m.persona].preferred_areas
        aff = np.array([a in declared for a in AREA_IDS], dtype=np.float32)
        rankings["area match only"][j] = sorted(test_list, key=lambda i: (-float(enc.areas[i] @ aff),
                                                                          -articles[i].published.timestamp()))[:K_RECALL]
        # for transparency, not a baseline: area match with the affinities curator learns
        learned = members_batch.area_affinity[row]
        rankings["area match (learned)"][j] = sorted(test_list, key=lambda i: (-float(enc.areas[i] @ learned),
                                                                               -articles[i].published.timestamp()))[:K_RECALL]
        rankings["random"][j] = rng.permutation(test).tolist()[:K_RECALL]

    from curator.ranking.stages import subset_batch

    def rank_warm(batch: MemberBatch, with_baselines: bool) -> dict[int, list[int]]:
        """Curator's lists for the members with history, each half with the other's popularity."""
        out: dict[int, list[int]] = {}
        for half in (0, 1):
            rows = np.flatnonzero(halves == half)
            pool, counts = pool_with_popularity(np.flatnonzero(halves != half))
            t0 = time.perf_counter()
            result = rank(pool, subset_batch(batch, rows.tolist()), w, k=K_RECALL)
            timings[f"rank half {half}"] = time.perf_counter() - t0
            for r, j in enumerate(rows.tolist()):
                out[j] = [int(i) for i in result.items[r] if i >= 0]
                if with_baselines:
                    baselines(j, batch, j, counts)
        return out

    rankings["curator"].update(rank_warm(warm_batch, True))
    pool, counts = pool_with_popularity(np.arange(len(warm)))
    for offset, batch in ((len(warm), cold_batch), (len(warm) + len(cold), revealed_batch)):
        result = rank(pool, batch, w, k=K_RECALL)
        for r in range(len(batch)):
            rankings["curator"][offset + r] = [int(i) for i in result.items[r] if i >= 0]
            baselines(offset + r, batch, r, counts)
    for name, truth in ((ORACLE, "expected_utility"), (ORACLE_NOISY, "utility")):
        rankings[name] = {}
        for j, m in enumerate(members_list):
            u = getattr(m, truth)
            rankings[name][j] = sorted(test_list, key=lambda i: -float(u[i]))[:K_RECALL]
    mail_batch = member_batch(warm, [[*e, *c] for e, c in zip(events, mail, strict=True)])
    with_mail = rank_warm(mail_batch, False)

    def measure(lists: dict[int, list[int]], members: Sequence[int]) -> dict[str, float]:
        nd, ia, rc, il = [], [], [], []
        covered: set[int] = set()
        for j in members:
            ranked = lists[j]
            v = ndcg_at(ranked, future_rel[j], K_NDCG)
            if not math.isnan(v):
                nd.append(v)
            v = intent_aware_ndcg(ranked, future_rel[j], primary,
                                  [AREA_IDS.index(a) for a in members_list[j].main_areas], K_NDCG)
            if not math.isnan(v):
                ia.append(v)
            v = recall_at(ranked, future_rel[j], K_RECALL)
            if not math.isnan(v):
                rc.append(v)
            il.append(intra_list_diversity(ranked[:K_NDCG], enc.vectors))
            covered.update(ranked[:K_NDCG])
        return {"ndcg@10": float(np.mean(nd)), "ia-ndcg@10": float(np.mean(ia)) if ia else float("nan"),
                "recall@20": float(np.mean(rc)), "coverage": len(covered) / len(test_list),
                "diversity": float(np.mean(il))}

    tagged_primary = primary_areas(enc.areas)

    def revealed_share(lists: dict[int, list[int]], areas: NDArray[np.int64]) -> float:
        """Mean share of a revealed member's top 10 whose primary area (``areas[i]``) is their area B."""
        shares = []
        for r, m in enumerate(revealed):
            top = lists[len(warm) + len(cold) + r][:K_NDCG]
            b = AREA_IDS.index(m.main_areas[1])
            shares.append(sum(areas[i] == b for i in top) / K_NDCG)
        return float(np.mean(shares)) if shares else float("nan")

    warm_rows = list(range(len(warm)))
    cold_rows = list(range(len(warm), len(warm) + len(cold)))
    revealed_rows = list(range(len(warm) + len(cold), len(members_list)))
    report: dict[str, Any] = {
        "setup": {"articles": len(articles), "test_articles": len(test_list), "history_articles": len(hist),
                  "warm_members": len(warm), "cold_members": len(cold), "revealed_members": len(revealed),
                  "seed": seed, "encoder": enc.model_id,
                  "areas_from": area_source_of(enc), "history_events": int(sum(len(e) for e in events)),
                  "relevant_per_member": float((future_rel[:len(warm)][:, test] > 0).sum(axis=1).mean())},
        "warm": {name: measure(lists, warm_rows) for name, lists in rankings.items()},
        "cold": {name: measure(lists, cold_rows) for name, lists in rankings.items()},
        "revealed": {name: {**measure(lists, revealed_rows), "share_b@10": revealed_share(lists, primary),
                            "share_b_tagged@10": revealed_share(lists, tagged_primary)}
                     for name, lists in rankings.items()},
        "seconds": time.monotonic() - started,
        "weights": {k: v for k, v in w.__dict__.items()},
    }
    without, with_clicks = report["warm"]["curator"], measure(with_mail, warm_rows)
    report["email_clicks"] = {
        "clicks": int(sum(len(c) for c in mail)), "members_with_clicks": int(sum(bool(c) for c in mail)),
        "ndcg@10_without": without["ndcg@10"], "ndcg@10_with": with_clicks["ndcg@10"],
        "ndcg@10_gain": with_clicks["ndcg@10"] - without["ndcg@10"],
        "ia-ndcg@10_without": without["ia-ndcg@10"], "ia-ndcg@10_with": with_clicks["ia-ndcg@10"]}
    for key in ("ndcg@10", "ia-ndcg@10"):
        best = max(v[key] for k, v in report["warm"].items() if k in BASELINES)
        suffix = "" if key == "ndcg@10" else "_ia"
        report[f"ratio_to_best_baseline{suffix}"] = report["warm"]["curator"][key] / best if best else float("inf")
    best = max(v["ndcg@10"] for k, v in report["warm"].items() if k in BASELINES)
    report["oracle"] = {
        "note": "ceiling, not a product method: members ranked by their hidden utility",
        **{name: {"ndcg@10": report["warm"][name]["ndcg@10"],
                  "ratio_to_best_baseline": report["warm"][name]["ndcg@10"] / best if best else float("inf")}
           for name in ORACLES}}

    def oracle_part(keys: tuple[str, ...]) -> float:
        values = []
        for j in warm_rows:
            m = members_list[j]
            u = np.zeros(len(articles))
            for key in keys:
                if key == "tagged areas":
                    assert m.theta is not None
                    u += 1.5 * enc.areas.astype(np.float64) @ m.theta
                else:
                    u += m.utility_parts[key]
            v = ndcg_at(sorted(test_list, key=lambda i: -float(u[i]))[:K_NDCG], future_rel[j], K_NDCG)
            if not math.isnan(v):
                values.append(v)
        return float(np.mean(values))

    # which hidden parts the ceiling comes from: an oracle that knows only some of them
    report["oracle"]["parts_ndcg@10"] = {"+".join(keys): oracle_part(keys) for keys in
                                         (("areas",), ("tagged areas",), ("areas", "language"),
                                                       ("areas", "topics"), ("topics",))}
    report["cold_ratio_to_random"] = (report["cold"]["curator"]["ndcg@10"] / report["cold"]["random"]["ndcg@10"])
    report["seconds"] = time.monotonic() - started
    return report


def declared_text_for(m: SimMember) -> str:
    """What the member declared, as the product turns it into text (interests + area names)."""
    from curator.profiles.profile import declared_text

    return declared_text(m.interests, m.declared_areas, _area_names())


@functools.cache
def _area_names() -> dict[str, dict[str, str]]:
    """The areas' display names, read once (parsing the area model per member made a run slow)."""
    from curator.tagging import load_areas

    return {a.id: dict(a.names) for a in load_areas().areas}


def area_source_of(enc: Encoded) -> str:
    return enc.area_source


def format_report(report: dict[str, Any]) -> str:
    s = report["setup"]
    lines = [
        f"Ranking evaluation: {s['articles']} real articles ({s['history_articles']} in the history weeks, "
        f"{s['test_articles']} candidates in the held-out weeks), {s['warm_members']} simulated members with "
        f"history + {s['cold_members']} persona-only members; encoder {s['encoder']}; areas from {s['areas_from']}; "
        f"seed {s['seed']}.",
        f"History events: {s['history_events']}; relevant held-out articles per member: {s['relevant_per_member']:.1f}",
        "",
    ]
    for group, title in (("warm", "Members with history"), ("cold", "Cold start (persona only)"),
                         ("revealed", f"Revealed interest ({s['revealed_members']} members: tastes A and B, declared "
                                      f"only A, rated {REVEALED_RATINGS} articles of B with 5)")):
        lines.append(title)
        extra = f" {'B in top 10':>12}" if group == "revealed" else ""
        lines.append(f"  {'method':<24} {'nDCG@10':>8} {'IA-nDCG@10':>11} {'recall@20':>10} {'coverage':>9} "
                     f"{'diversity':>10}{extra}")
        for name, m in report[group].items():
            label = name if name == "curator" or name in BASELINES or name in ORACLES else f"({name})"
            extra = f" {m['share_b@10']:>12.0%}" if group == "revealed" else ""
            lines.append(f"  {label:<24} {m['ndcg@10']:>8.3f} {m['ia-ndcg@10']:>11.3f} {m['recall@20']:>10.3f} "
                         f"{m['coverage']:>9.2f} {m['diversity']:>10.3f}{extra}")
        lines.append("")
    lines.append(f"curator / best baseline (nDCG@10, members with history): {report['ratio_to_best_baseline']:.2f}x "
                 "(target >= 1.8x on an untuned seed)")
    for name in ORACLES:
        lines.append(f"ceiling, not a method: {name} / best baseline (nDCG@10, members with history): "
                     f"{report['oracle'][name]['ratio_to_best_baseline']:.2f}x")
    parts = ", ".join(f"{k} {v:.3f}" for k, v in report["oracle"]["parts_ndcg@10"].items())
    lines.append(f"ceiling by hidden part (nDCG@10 of an oracle knowing only: {parts}; 'areas' are the true "
                 "labels, 'tagged areas' the same tastes applied to the tagger's areas)")
    lines.append(f"curator / best baseline (intent-aware nDCG@10): {report['ratio_to_best_baseline_ia']:.2f}x")
    lines.append(f"cold start curator / random (nDCG@10): {report['cold_ratio_to_random']:.2f}x")
    lines.append(f"revealed interest: share of the top 10 from area B: {report['revealed']['curator']['share_b@10']:.0%} "
                 "(target >= 35%)")
    e = report["email_clicks"]
    lines.append(f"email clicks as an implicit signal: {e['clicks']} digest clicks of {e['members_with_clicks']} "
                 f"members added to the history: nDCG@10 {e['ndcg@10_without']:.3f} -> {e['ndcg@10_with']:.3f} "
                 f"({e['ndcg@10_gain']:+.3f}); intent-aware {e['ia-ndcg@10_without']:.3f} -> {e['ia-ndcg@10_with']:.3f}")
    lines.append("(area match (learned)) is not a baseline: area match with the affinities curator learns from "
                 "feedback, shown to separate what areas alone achieve.")
    lines.append("ORACLE rows are the ceiling, not methods or baselines: each member ranked by their hidden "
                 "utility, without (expected utility) and with the per-article noise.")
    lines.append(f"({report['seconds']:.1f} s)")
    return "\n".join(lines)
