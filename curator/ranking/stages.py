"""The ranking stages as matrix operations over a batch of members.

1. **candidates** (:func:`candidate_columns`): items whose visibility is in the member's access set
   (``curator.profiles.access.visible_to``), one item per duplicate group, minus items the member
   hid or already saw. Members are grouped by access set, and only the visible columns are ever
   scored: a restricted item is never even a number in another member's score matrix.
2. **scores** (:func:`group_context`, :func:`left_matrix`): per member and item, six named
   components: ``profile`` (cosine of the member profile and the item), ``persona`` (cosine with
   the persona prior), ``area`` (member area affinity x item area scores), ``freshness``,
   ``quality`` (the source's record of positive feedback), ``popularity`` (popularity among
   similar members: the sum over members who liked the item of their profile's cosine with this
   member's profile, in the pool's top-64 principal directions, plus ``area_neighbours`` x the
   cosine of their area interests, :func:`area_interest_vectors`). Each is divided by its typical
   per-member spread (:func:`component_scales`) so that the weights are comparable. A seventh,
   ``language`` (the member's reading-language preference, :func:`language_preference`, for the
   item's language), has its own units. All are computed by ONE matrix product
   ``[member side] @ [item side].T`` per chunk of members.
   Vectors are centred on the mean candidate vector first: sentence encoders put all texts in a
   narrow cone, and centring spreads cosines so that they discriminate.
3. **re-ranking** (:func:`rerank`): maximal marginal relevance on a short list (diversity in a
   32-dimensional PCA space of the item vectors), editor pins first, then a floor that puts at
   least one item of every area the member follows into the selection when the short list has one.
4. **selection**: the first ``k``.

Everything is computed for chunks of members at once; there is no per-member Python loop except
the one over the few distinct access sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from curator.types import AREA_IDS, LANGUAGES, Item

COMPONENTS: tuple[str, ...] = ("profile", "persona", "area", "freshness", "quality", "popularity", "language")
PIN_BONUS = 1000.0
"""Added to a pinned item's score so that pins come first; far above any z-score sum."""

F32 = np.float32
POPULARITY_PRIOR = 50.0
"""Popularity is shrunk by its evidence: its weight is multiplied by ``n / (n + 50)``, ``n`` the
pool's total positive like weight (a 5-star rating or "more" weighs 1), so it counts half with 50
likes in the pool and 2% with one. Its scale (the typical spread) says nothing of how much
evidence lies behind it: one like among few items is several spreads."""
POPULARITY_DIM = 64
"""Popularity among similar members compares profiles in the pool's top-64 principal directions:
coarse on purpose (it is a neighbourhood signal) and six times cheaper than the full space."""


@dataclass(frozen=True)
class RankingWeights:
    """Weights of the score components and the re-ranking knobs (tuned on the offline evaluation,
    docs/ranking.md)."""

    profile: float = 1.0
    persona: float = 0.15
    area: float = 0.8
    freshness: float = 0.2
    quality: float = 0.1
    popularity: float = 1.6
    """Re-tuned once popularity was shrunk by its evidence and compared area interests too
    (docs/ranking.md, "Neighbours by area interests"): 0.8 -> 1.6, persona 0.3 -> 0.15."""
    area_neighbours: float = 0.5
    """Within popularity among similar members: how much members with similar area interests
    count (:func:`area_interest_vectors`) next to members with similar profiles (1); 0: profiles
    only."""
    # how the profile vector is mixed from its parts
    declared: float = 0.5
    persona_prior: float = 0.5
    positive: float = 2.0
    negative: float = 0.8
    # re-ranking
    diversity: float = 0.2
    """MMR penalty per unit of cosine to the closest already-selected item (0 turns MMR off)."""
    shortlist: int = 60
    area_floor_min_score: float = 0.5
    """An item counts for an area's floor when its area score is at least this."""
    # several interests per member (re-ranking): the areas with an affinity of at least
    # ``interest_min`` (declared areas, and areas the member's feedback revealed) take turns for
    # the slots in proportion to their affinity (Sainte-Lague quotients, as in PM-2); the item of
    # the interest whose turn it is gets ``interest_bonus`` (in score units) on top of its MMR score
    interest_bonus: float = 100.0
    """0 turns the interest quotas off; 100 (far above the spread of scores, below pins) makes them
    quotas rather than a nudge."""
    interest_min: float = 0.8
    interest_free: float = 0.15
    """The weight of the member's other areas taken together: on their turns the slot goes by
    score alone (a member with one strong interest still sees the best of the rest)."""
    interest_shortlist: int = 10
    """Extra short-list items per area (its best by total score), so that an interest the
    overall short list misses can still get its share."""
    interest_window: int = 10
    """The first this many slots (a page) are chosen with the quotas, then ordered by score."""
    # reading language (:func:`language_preference`): the member's skew towards a language, as
    # a log ratio of their feedback's language shares to the pool's, shrunk towards neutral
    language: float = 4.0
    """Score units per unit of language preference (0 turns the language preference off)."""
    language_prior: float = 8.0
    """Pseudo-weight of the pool's own language mix: with little feedback the preference stays
    near neutral."""
    language_account: float = 0.4
    """Pseudo-weight added to the positive side of the member's account language: a weak prior
    that tips the balance only together with evidence (alone it stays within the margin, so the
    account language never penalises the other language by itself)."""
    language_negative: float = 0.5
    """How much a skew of the negative feedback (hides, low ratings) counts against a language."""
    language_margin: float = 0.2
    """A preference below this is no preference (a member who reads both languages is not
    penalised for the noise of a few events); above it, only the excess counts."""

    def vector(self) -> NDArray[np.float32]:
        return np.array([getattr(self, c) for c in COMPONENTS], dtype=F32)


@dataclass(frozen=True)
class CandidatePool:
    """Items that may be recommended, as arrays. Build it with :func:`make_pool`.

    ``vectors`` are centred and L2-normalised; ``reduced`` are their 32-d PCA for diversity;
    ``mean`` is the centre subtracted (profiles are centred with it too). ``group`` is the
    duplicate group (the canonical item id); rows are ordered so that within a group the canonical
    item comes first."""

    item_ids: NDArray[np.int64]
    vectors: NDArray[np.float32]
    reduced: NDArray[np.float32]
    mean: NDArray[np.float32]
    areas: NDArray[np.float32]
    freshness: NDArray[np.float32]
    quality: NDArray[np.float32]
    audience: NDArray[np.float32]
    basis: NDArray[np.float32]
    visibility: tuple[str, ...]
    group: NDArray[np.int64]
    pinned: NDArray[np.bool_]
    index_of: dict[int, int] = field(repr=False, default_factory=dict)
    languages: NDArray[np.float32] | None = None
    """(n, L): 1 in the column of the item's language in ``LANGUAGES`` (all 0: other or unknown);
    None: no item's language is known."""
    evidence: float | None = None
    """The total positive weight of the likes behind ``audience`` (a 5-star rating weighs 1);
    None: unknown (popularity is not shrunk, see :data:`POPULARITY_PRIOR`)."""
    area_audience: NDArray[np.float32] | None = None
    """(n, A): for each item, the sum of the area-interest vectors (:func:`area_interest_vectors`)
    of the members who liked it, weighted by how much; None: popularity compares profiles only."""
    affinity_mean: NDArray[np.float32] | None = None
    """(A,): the member base's mean area affinity when ``area_audience`` was made: every member's
    area-interest vector is centred on it, also when one member is re-ranked alone later."""

    def __len__(self) -> int:
        return int(self.item_ids.shape[0])

    def language_matrix(self) -> NDArray[np.float32]:
        """:attr:`languages`, zeros when unknown."""
        if self.languages is None:
            return np.zeros((len(self), len(LANGUAGES)), dtype=F32)
        return self.languages


def language_onehot(langs: Sequence[str | None]) -> NDArray[np.float32]:
    """Items' languages as (n, L) indicator rows in ``LANGUAGES`` order (0 for other languages)."""
    out = np.zeros((len(langs), len(LANGUAGES)), dtype=F32)
    for i, lang in enumerate(langs):
        if lang in LANGUAGES:
            out[i, LANGUAGES.index(lang)] = 1.0
    return out


def _normalise_rows(x: NDArray[np.floating]) -> NDArray[np.float32]:
    x = np.asarray(x, dtype=F32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    n[n == 0] = 1.0
    out: NDArray[np.float32] = (x / n).astype(F32, copy=False)
    return out


def centre(vectors: NDArray[np.floating], mean: NDArray[np.float32]) -> NDArray[np.float32]:
    """Rows minus ``mean``, re-normalised; all-zero rows stay zero (no information stays none)."""
    v = np.asarray(vectors, dtype=F32)
    zero = ~np.any(v != 0, axis=-1)
    out = _normalise_rows(v - mean)
    out[zero] = 0.0
    return out


def make_pool(item_ids: Sequence[int] | NDArray[np.int64], vectors: NDArray[np.floating],
              areas: NDArray[np.floating], freshness: NDArray[np.floating],
              quality: NDArray[np.floating] | None = None, *, visibility: Sequence[str],
              duplicate_of: Sequence[int | None] | None = None, pinned: Sequence[bool] | None = None,
              audience: NDArray[np.floating] | None = None, reduced_dim: int = 32,
              languages: Sequence[str | None] | None = None) -> CandidatePool:
    """A pool from raw item vectors (L2-normalised encoder output) and per-item data, in any order.

    ``audience`` (raw, uncentred profile-space sums of members who liked each item) may be given
    later through :func:`with_audience`. ``duplicate_of[i]`` is the id of the item that item ``i``
    duplicates (None for originals). ``languages[i]`` is item ``i``'s language (None: unknown;
    no list: no language preference applies)."""
    ids = np.asarray(item_ids, dtype=np.int64)
    n = ids.shape[0]
    dup = [None] * n if duplicate_of is None else list(duplicate_of)
    group = np.array([d if d is not None else int(i) for i, d in zip(ids.tolist(), dup, strict=True)], dtype=np.int64)
    # canonical first within a group: sort by (group, is_duplicate), stable
    is_dup = np.array([d is not None for d in dup], dtype=np.int8)
    order = np.lexsort((is_dup, group)) if n else np.zeros(0, dtype=np.int64)
    vec = np.asarray(vectors, dtype=F32)
    raw = vec.reshape(n, vec.shape[-1] if vec.ndim == 2 else -1)[order]
    mean = raw.mean(axis=0).astype(F32) if n else np.zeros(raw.shape[1], dtype=F32)
    cv = centre(raw, mean)
    basis = _pca_basis(cv, POPULARITY_DIM)
    red = _normalise_rows(cv @ np.ascontiguousarray(basis[:, :reduced_dim]))
    aud = np.zeros_like(cv) if audience is None else np.asarray(audience, dtype=F32)[order]
    vis = tuple(visibility[i] for i in order.tolist())
    return CandidatePool(
        item_ids=ids[order], vectors=cv, reduced=red, mean=mean,
        areas=np.asarray(areas, dtype=F32).reshape(n, len(AREA_IDS))[order],
        freshness=np.asarray(freshness, dtype=F32)[order],
        quality=(np.full(n, 0.5, dtype=F32) if quality is None else np.asarray(quality, dtype=F32)[order]),
        audience=aud, basis=basis, visibility=vis, group=group[order],
        pinned=(np.zeros(n, dtype=bool) if pinned is None else np.asarray(pinned, dtype=bool)[order]),
        index_of={int(i): k for k, i in enumerate(ids[order].tolist())},
        languages=None if languages is None else language_onehot([languages[i] for i in order.tolist()]),
    )


def with_audience(pool: CandidatePool, audience_by_item: NDArray[np.floating],
                  evidence: float | None = None,
                  area_audience: tuple[NDArray[np.floating], NDArray[np.floating]] | None = None) -> CandidatePool:
    """The pool with its ``audience`` matrix set (rows in the pool's order); ``evidence`` is the
    total positive weight of the likes behind it (:func:`audience_evidence`; None: unknown);
    ``area_audience`` the same likes over area interests and the mean they are centred on
    (:func:`area_audience_matrix`; None: none)."""
    from dataclasses import replace

    aa, mean = (None, None) if area_audience is None else area_audience
    return replace(pool, audience=np.asarray(audience_by_item, dtype=F32),
                   evidence=None if evidence is None else float(evidence),
                   area_audience=None if aa is None else np.asarray(aa, dtype=F32),
                   affinity_mean=None if mean is None else np.asarray(mean, dtype=F32))


def audience_evidence(pool: CandidatePool, likes: Sequence[tuple[int, int, float]]) -> float:
    """The total positive weight of the ``likes`` (member row, item id, weight) that
    :func:`audience_matrix` counts: those of items in the pool."""
    return float(sum(w for _, i, w in likes if w > 0 and int(i) in pool.index_of))


def popularity_shrinkage(evidence: float | None) -> float:
    """``n / (n + POPULARITY_PRIOR)`` for ``n`` = the pool's total positive like weight; 1 when
    unknown. It multiplies the popularity weight (through the component's scale), so that in a
    young or small deployment one colleague's like cannot lead a feed."""
    if evidence is None:
        return 1.0
    n = max(0.0, float(evidence))
    return n / (n + POPULARITY_PRIOR)


def audience_matrix(pool: CandidatePool, member_profiles: NDArray[np.float32],
                    likes: Sequence[tuple[int, int, float]]) -> NDArray[np.float32]:
    """``audience[i] = sum_j w_ji * profile_j`` over (member row j, item id, positive weight w) in
    ``likes``; ``member_profiles`` are centred profile vectors. Items outside the pool are skipped
    (their total weight is :func:`audience_evidence`)."""
    aud = np.zeros((len(pool), member_profiles.shape[1]), dtype=np.float64)
    if likes:
        rows = np.array([j for j, _, _ in likes], dtype=np.int64)
        cols = np.array([pool.index_of.get(int(i), -1) for _, i, _ in likes], dtype=np.int64)
        w = np.array([x for _, _, x in likes], dtype=np.float64)
        ok = (cols >= 0) & (w > 0)
        np.add.at(aud, cols[ok], member_profiles[rows[ok]] * w[ok, None])
    return aud.astype(F32)


def area_interest_vectors(affinity: NDArray[np.floating], mean: NDArray[np.floating]) -> NDArray[np.float32]:
    """Members' area affinities centred on the member base's ``mean`` and normalised: what sets
    a member's interests apart, comparable by cosine (a member exactly at the mean: zeros)."""
    return centre(np.asarray(affinity, dtype=F32), np.asarray(mean, dtype=F32))


def area_audience_matrix(pool: CandidatePool, affinity: NDArray[np.floating],
                         likes: Sequence[tuple[int, int, float]]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """``(area_audience, mean)``: for each item the sum of its likers' area-interest vectors
    (:func:`area_interest_vectors`, centred on ``mean``, the mean of ``affinity`` over the member
    base), over (member row, item id, positive weight) in ``likes`` as :func:`audience_matrix`."""
    a = np.asarray(affinity, dtype=F32)
    mean = a.mean(axis=0).astype(F32) if a.shape[0] else np.zeros(a.shape[1], dtype=F32)
    return audience_matrix(pool, area_interest_vectors(a, mean), likes), mean


def popularity_left(pool: CandidatePool, profiles: NDArray[np.float32], affinity: NDArray[np.float32],
                    w: RankingWeights) -> NDArray[np.float32]:
    """The member side of popularity among similar members: the profile in the pool's popularity
    basis and, when the pool has an area audience and ``w.area_neighbours`` > 0, the members'
    area-interest vectors times that weight (dot products with :func:`popularity_right` are
    similarity-weighted sums of likes)."""
    pb = (profiles @ pool.basis).astype(F32)
    if pool.area_audience is None or pool.affinity_mean is None or w.area_neighbours <= 0:
        return pb
    ai = area_interest_vectors(affinity, pool.affinity_mean)
    return np.concatenate([pb, F32(w.area_neighbours) * ai], axis=1).astype(F32)


def popularity_right(pool: CandidatePool, rows: NDArray[np.int64], w: RankingWeights) -> NDArray[np.float32]:
    """The item side matching :func:`popularity_left` for pool ``rows``."""
    aud = (pool.audience[rows] @ pool.basis).astype(F32)
    if pool.area_audience is None or pool.affinity_mean is None or w.area_neighbours <= 0:
        return aud
    return np.concatenate([aud, pool.area_audience[rows]], axis=1).astype(F32)


def _pca_basis(x: NDArray[np.float32], dim: int) -> NDArray[np.float32]:
    """The top ``dim`` principal axes of the rows of ``x`` as a (d, dim) matrix."""
    d = x.shape[1]
    if x.shape[0] < 2:
        return np.eye(d, min(dim, d), dtype=F32)
    xc = x - x.mean(axis=0)
    cov = (xc.T @ xc).astype(np.float64)
    _, vecs = np.linalg.eigh(cov)  # ascending eigenvalues
    # contiguous: a strided operand makes numpy skip BLAS in every later product with it
    return np.ascontiguousarray(vecs[:, ::-1][:, : min(dim, d)], dtype=F32)


@dataclass(frozen=True)
class MemberBatch:
    """Members to rank, as arrays (row j is one member). Vectors are raw encoder-space vectors:
    ``declared`` (zero if nothing declared), ``positive``/``negative`` (decayed sums, any length),
    ``persona_index`` into ``persona_vectors`` (-1: no persona). ``excluded`` holds, per member,
    the ids of items not to show again (hidden, already seen). ``followed[j, a]``: member j
    declared area a (drives the area floor)."""

    declared: NDArray[np.float32]
    positive: NDArray[np.float32]
    negative: NDArray[np.float32]
    positive_weight: NDArray[np.float64]
    negative_weight: NDArray[np.float64]
    persona_index: NDArray[np.int64]
    persona_vectors: NDArray[np.float32]
    area_affinity: NDArray[np.float32]
    followed: NDArray[np.bool_]
    visible: tuple[frozenset[str], ...]
    excluded: tuple[NDArray[np.int64], ...]
    language_feedback: NDArray[np.float64] | None = None
    """(m, L, 2): decayed positive / negative feedback weight on items of each language of
    ``LANGUAGES`` (None: none for anyone)."""
    language: NDArray[np.int64] | None = None
    """Each member's account language as an index into ``LANGUAGES`` (-1: another; None: unknown
    for everyone)."""

    def __len__(self) -> int:
        return int(self.declared.shape[0])


def language_preference(batch: MemberBatch, pool: CandidatePool, w: RankingWeights) -> NDArray[np.float32]:
    """Each member's reading-language preference (m, L): 0 for a language they read, negative
    for one they clearly skip; only the evidence of their own feedback makes it negative.

    The member's share of positive feedback weight on language l is compared with the pool's
    share ``s_l`` of items in l (what a member who reads everything would meet):
    ``log((P_l + k s_l + a_l) / (P + k + a) / s_l)``, with ``k`` = ``w.language_prior``
    pseudo-weight of the pool's mix (a few signals stay near neutral) and ``a_l`` =
    ``w.language_account`` on the member's account language (a weak prior). The same log ratio
    of their negative feedback (hides, "less like this", low ratings), times
    ``w.language_negative``, is subtracted. A language read at least ``exp(-margin)`` times as
    often as the pool offers it (``w.language_margin``) is not penalised at all; below that,
    only the excess counts. So a member who reads both languages keeps 0 for both."""
    m, n_lang = len(batch), len(LANGUAGES)
    out = np.zeros((m, n_lang), dtype=F32)
    counts = pool.language_matrix().sum(axis=0).astype(np.float64)
    if m == 0 or counts.sum() == 0 or w.language == 0:
        return out
    share = np.clip(counts / counts.sum(), 0.05, 1.0)
    share /= share.sum()
    k = w.language_prior
    fb = batch.language_feedback if batch.language_feedback is not None else np.zeros((m, n_lang, 2))
    prior = np.zeros((m, n_lang))
    if batch.language is not None:
        own = batch.language >= 0
        prior[np.flatnonzero(own), batch.language[own]] = w.language_account

    def log_ratio(sums: NDArray[np.float64], extra: NDArray[np.float64]) -> NDArray[np.float64]:
        mine = (sums + k * share + extra) / (sums.sum(axis=1, keepdims=True) + k + extra.sum(axis=1, keepdims=True))
        out_: NDArray[np.float64] = np.log(mine / share)
        return out_

    pref = log_ratio(fb[:, :, 0], prior) - w.language_negative * log_ratio(fb[:, :, 1], np.zeros_like(prior))
    out[:] = np.minimum(pref + w.language_margin, 0.0)
    return out


def profile_vectors(batch: MemberBatch, mean: NDArray[np.float32], w: RankingWeights) -> NDArray[np.float32]:
    """Centred profile vector per member: declared interests, persona prior, and feedback (positive
    minus negative), each centred, mixed by weight and feedback confidence, re-normalised."""
    pos_conf = (batch.positive_weight / (batch.positive_weight + 2.0)).astype(F32)[:, None]
    neg_conf = (batch.negative_weight / (batch.negative_weight + 2.0)).astype(F32)[:, None]
    has_persona = batch.persona_index >= 0
    persona = np.zeros_like(batch.declared)
    if batch.persona_vectors.shape[0]:
        persona[has_persona] = batch.persona_vectors[batch.persona_index[has_persona]]
    has_declared = np.any(batch.declared != 0, axis=1)
    # the persona prior matters most when a member said nothing themselves
    prior = np.where(has_declared, w.persona_prior, 1.0).astype(F32)[:, None]
    # the feedback sums are normalised before centring: a sum of many unit vectors is long, and
    # subtracting the (unit-scale) mean from it would leave the common direction in place
    mix = (w.declared * centre(batch.declared, mean) + prior * centre(persona, mean)
           + w.positive * pos_conf * centre(_normalise_rows(batch.positive), mean)
           - w.negative * neg_conf * centre(_normalise_rows(batch.negative), mean))
    return _normalise_rows(mix)


def candidate_columns(pool: CandidatePool, visible: frozenset[str]) -> NDArray[np.int64]:
    """Stage 1 for one access set: pool rows visible with ``visible``, one per duplicate group
    (the canonical item if visible, else the first visible duplicate)."""
    allowed = np.fromiter((v in visible for v in pool.visibility), dtype=bool, count=len(pool))
    cols = np.flatnonzero(allowed)
    if cols.size == 0:
        return cols.astype(np.int64)
    _, first = np.unique(pool.group[cols], return_index=True)
    return np.sort(cols[first]).astype(np.int64)


def _zscore(v: NDArray[np.float32]) -> NDArray[np.float32]:
    if v.size == 0:
        return v.astype(F32)
    sd = float(v.std())
    out: NDArray[np.float32] = ((v - v.mean()) / (sd if sd > 1e-6 else 1.0)).astype(F32)
    return out


@dataclass(frozen=True)
class Ranking:
    """The result for a batch: ``items[j]`` are item ids (best first, -1 padding), ``scores`` the
    final scores, ``components[j, r, c]`` the weighted contribution of ``COMPONENTS[c]``, and
    ``pinned``/``floor`` flag items placed by an editor pin or by the area floor."""

    items: NDArray[np.int64]
    scores: NDArray[np.float32]
    components: NDArray[np.float32]
    pinned: NDArray[np.bool_]
    floor: NDArray[np.bool_]


@dataclass(frozen=True)
class GroupContext:
    """Everything stage 2 needs for one access set: the candidate columns, the right-hand matrix
    ``[item vectors | audience in the popularity basis | item areas | static score]``, the scale
    of each component, and per-column data reused when reporting components."""

    cols: NDArray[np.int64]
    right: NDArray[np.float32]
    scale: dict[str, float]
    mean_vector: NDArray[np.float32]
    mean_audience: NDArray[np.float32]
    mean_areas: NDArray[np.float32]
    mean_languages: NDArray[np.float32]
    languages: NDArray[np.float32]
    audience: NDArray[np.float32]
    freshness_z: NDArray[np.float32]
    quality_z: NDArray[np.float32]
    group_column: NDArray[np.int64]
    """For every pool row, the column representing its duplicate group here (-1: none)."""


def component_scales(pool: CandidatePool, profiles: NDArray[np.float32], personas: NDArray[np.float32],
                     affinity: NDArray[np.float32], sample: int = 256, items: int = 1000,
                     w: RankingWeights | None = None) -> dict[str, float]:
    """The typical per-member standard deviation of each raw component over the candidates,
    estimated on an evenly spaced sample of members and items. Dividing by it makes the weights
    comparable, and lets one matrix product score everything (standardising every member's row
    separately would need one pass per component)."""
    pick = np.linspace(0, profiles.shape[0] - 1, min(sample, profiles.shape[0])).astype(np.int64)
    cols = np.linspace(0, len(pool) - 1, min(items, len(pool))).astype(np.int64)
    x = pool.vectors[cols]
    w = w or RankingWeights()
    aud = popularity_right(pool, cols, w)

    def typical_sd(left: NDArray[np.float32], right: NDArray[np.float32]) -> float:
        nz = np.any(left != 0, axis=1)
        if not nz.any() or not np.any(right != 0):
            return 1.0
        v = float(np.median((left[nz] @ right.T).std(axis=1)))
        return v if v > 1e-6 else 1.0

    return {
        "profile": typical_sd(profiles[pick], x),
        "persona": typical_sd(personas[pick], x) if personas.size else 1.0,
        "area": typical_sd(affinity[pick], pool.areas[cols]),
        # shrunk by its evidence: divided by n/(n+k), the scale grows as likes get few
        "popularity": typical_sd(popularity_left(pool, profiles[pick], affinity[pick], w), aud) / max(popularity_shrinkage(pool.evidence), 1e-6),
    }


def group_context(pool: CandidatePool, cols: NDArray[np.int64], scale: dict[str, float],
                  w: RankingWeights) -> GroupContext:
    """Stage 2's item side for one access set."""
    x = pool.vectors[cols]
    aud = popularity_right(pool, cols, w)
    areas = pool.areas[cols]
    langs = pool.language_matrix()[cols]
    pins = np.where(pool.pinned[cols], F32(PIN_BONUS), F32(0.0))
    fz, qz = _zscore(pool.freshness[cols]), _zscore(pool.quality[cols])
    static = (w.freshness * fz + w.quality * qz).astype(F32)
    right = np.concatenate([x, aud, areas, langs, (static + pins)[:, None]], axis=1).astype(F32)
    col_of = np.full(len(pool), -1, dtype=np.int64)
    col_of[cols] = np.arange(cols.size)
    return GroupContext(cols, np.ascontiguousarray(right), scale, x.mean(axis=0), aud.mean(axis=0),
                        areas.mean(axis=0), langs.mean(axis=0), langs, aud, fz, qz, _group_columns(pool, col_of))


def left_matrix(ctx: GroupContext, pool: CandidatePool, profiles: NDArray[np.float32],
                personas: NDArray[np.float32], affinity: NDArray[np.float32],
                w: RankingWeights, language: NDArray[np.float32] | None = None) -> NDArray[np.float32]:
    """Stage 2's member side: ``left @ ctx.right.T`` is the total score of every candidate.
    ``language`` is the members' :func:`language_preference` (None: none)."""
    sc = ctx.scale
    q = F32(w.profile / sc["profile"]) * profiles
    if personas.size:
        q = q + F32(w.persona / sc["persona"]) * personas
    pop = F32(w.popularity / sc["popularity"]) * popularity_left(pool, profiles, affinity, w)
    ar = F32(w.area / sc["area"]) * affinity
    lang = (np.zeros((profiles.shape[0], len(LANGUAGES)), dtype=F32) if language is None
            else F32(w.language) * language)
    one = np.ones((profiles.shape[0], 1), dtype=F32)
    return np.concatenate([q, pop, ar, lang, one], axis=1).astype(F32)


def components_of(ctx: GroupContext, pool: CandidatePool, picked_cols: NDArray[np.int64],
                  profiles: NDArray[np.float32], personas: NDArray[np.float32],
                  affinity: NDArray[np.float32], w: RankingWeights,
                  language: NDArray[np.float32] | None = None) -> NDArray[np.float32]:
    """The weighted contribution of each component for the selected cells (m, k, C), relative to
    the member's average candidate (so "above average" is positive)."""
    sc = ctx.scale
    safe = np.maximum(picked_cols, 0)
    sel = ctx.cols[safe]  # pool rows of the selected cells
    x = pool.vectors[sel]  # (m, k, d)
    out = np.zeros(picked_cols.shape + (len(COMPONENTS),), dtype=F32)
    out[..., 0] = w.profile / sc["profile"] * (np.einsum("md,mkd->mk", profiles, x) - (profiles @ ctx.mean_vector)[:, None])
    if personas.size:
        out[..., 1] = w.persona / sc["persona"] * (np.einsum("md,mkd->mk", personas, x)
                                                   - (personas @ ctx.mean_vector)[:, None])
    areas = pool.areas[sel]
    out[..., 2] = w.area / sc["area"] * (np.einsum("ma,mka->mk", affinity, areas) - (affinity @ ctx.mean_areas)[:, None])
    fz = ctx.freshness_z[safe]
    qz = ctx.quality_z[safe]
    out[..., 3] = w.freshness * fz
    out[..., 4] = w.quality * qz
    pb = popularity_left(pool, profiles, affinity, w)
    aud = ctx.audience[safe]
    out[..., 5] = w.popularity / sc["popularity"] * (np.einsum("mr,mkr->mk", pb, aud) - (pb @ ctx.mean_audience)[:, None])
    if language is not None:
        langs = ctx.languages[safe]
        out[..., 6] = w.language * (np.einsum("ml,mkl->mk", language, langs) - (language @ ctx.mean_languages)[:, None])
    out[picked_cols < 0] = 0.0
    return out


def primary_areas(areas: NDArray[np.float32]) -> NDArray[np.int64]:
    """Each item's primary area (index into ``AREA_IDS``; the area scored 1.0 by
    :func:`item_area_vector`), -1 for an item without areas."""
    if areas.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    return np.where(areas.max(axis=1) >= 1.0, np.argmax(areas, axis=1), -1).astype(np.int64)


def interest_weights(affinity: NDArray[np.float32], w: RankingWeights) -> NDArray[np.float32] | None:
    """A member's interests and their weights (m, A): the areas whose affinity is at least
    ``w.interest_min`` (declared areas start at 1, areas the member's feedback revealed grow with
    it), weighted by affinity; 0 elsewhere. None when quotas are off."""
    if w.interest_bonus <= 0:
        return None
    a = np.asarray(affinity, dtype=F32)
    return np.where(a >= w.interest_min, a, F32(0)).astype(F32)


def _with_interest_extras(total: NDArray[np.float32], short: NDArray[np.int64], rel: NDArray[np.float32],
                          primary: NDArray[np.int64], weights: NDArray[np.float32], per_area: int
                          ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """The short list (sorted, best first) extended, for each member and interest (``weights``
    > 0) with fewer than ``per_area`` items in it, by that area's ``per_area`` best columns by
    total score. Cells that extend nothing, and extras already in the short list (a score not
    below the short list's last), are -inf, so that no item appears twice among the valid ones.
    Only the rows that need an area's extras are searched: usually a few members per chunk."""
    m = total.shape[0]
    last = rel[:, -1:]
    in_short = primary[short]
    parts, scores = [short], [rel]
    for a in range(weights.shape[1]):
        cols_a = np.flatnonzero(primary == a)
        if cols_a.size == 0:
            continue
        have = ((in_short == a) & np.isfinite(rel)).sum(axis=1)
        need = np.flatnonzero((weights[:, a] > 0) & (have < per_area))
        if need.size == 0:
            continue
        q = min(per_area, cols_a.size)
        block = total[np.ix_(need, cols_a)]
        top = (np.argpartition(-block, q - 1, axis=1)[:, :q] if cols_a.size > q
               else np.tile(np.arange(q), (need.size, 1)))
        val = np.take_along_axis(block, top, axis=1)
        extra_cols = np.zeros((m, q), dtype=np.int64)
        extra_rel = np.full((m, q), -np.inf, dtype=F32)
        extra_cols[need] = cols_a[top]
        extra_rel[need] = np.where(np.isfinite(val) & (val < last[need]), val, -np.inf)
        parts.append(extra_cols)
        scores.append(extra_rel)
    return np.concatenate(parts, axis=1), np.concatenate(scores, axis=1)


def rerank(pool: CandidatePool, cols: NDArray[np.int64], total: NDArray[np.float32],
           followed: NDArray[np.bool_], k: int, w: RankingWeights,
           interest_affinity: NDArray[np.float32] | None = None
           ) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Stages 3-4: from total scores (m, n; -inf = not a candidate) pick ``k`` column positions
    per member (−1 padding) with MMR diversity, interest quotas and the followed-area floor.
    ``interest_affinity`` (m, A): the members' area affinities, whose strong areas are their
    interests (:func:`interest_weights`; None: no quotas). Interests take turns for the slots by
    their Sainte-Lague quotient ``weight / (2 * seats + 1)``; at each slot the items of the
    interest whose turn it is get ``w.interest_bonus``, so an interest with weight 1 next to one
    with weight 2 gets about a third of the list, while a clearly better item of another area
    still wins its place. Everything is computed on the short list, never on the whole
    candidate matrix. Returns the positions and a flag per slot saying the area floor placed it."""
    m, n = total.shape
    k_eff = min(k, n)
    if n == 0 or m == 0:
        return np.full((m, k), -1, dtype=np.int64), np.zeros((m, k), dtype=bool)
    L = min(max(w.shortlist, k_eff), n)
    short = np.argpartition(-total, L - 1, axis=1)[:, :L] if n > L else np.tile(np.arange(n), (m, 1))
    rel = np.take_along_axis(total, short, axis=1)
    order = np.argsort(-rel, axis=1, kind="stable")
    short = np.take_along_axis(short, order, axis=1)
    rel = np.take_along_axis(rel, order, axis=1)
    weights = interest_weights(interest_affinity, w) if interest_affinity is not None else None
    primary = primary_areas(pool.areas[cols])
    if weights is not None and n > L and w.interest_shortlist > 0:
        short, rel = _with_interest_extras(total, short, rel, primary, weights, w.interest_shortlist)
        L = short.shape[1]
    valid = np.isfinite(rel)
    red = pool.reduced[cols[short]]  # (m, L, r)
    rows = np.arange(m)
    chosen = np.full((m, k_eff), -1, dtype=np.int64)  # positions in the short list
    taken = ~valid.copy()
    maxsim = np.zeros((m, L), dtype=F32)
    if weights is not None:
        short_primary = primary[short]  # (m, L); -1: no primary area
        n_areas = weights.shape[1]
        # items left per area in the short list (pins aside: they lead whatever the quotas say)
        open_cells = valid & (rel < PIN_BONUS / 2) & (short_primary >= 0)
        cell_rows = np.nonzero(open_cells)[0]
        left = np.bincount(cell_rows * n_areas + short_primary[open_cells],
                           minlength=m * n_areas).reshape(m, n_areas)
        seats = np.zeros((m, n_areas), dtype=F32)
        free_seats = np.zeros(m, dtype=F32)
        bonus = F32(w.interest_bonus)
    for step in range(k_eff):  # loops over slots, not members
        mmr = np.where(taken, -np.inf, rel - F32(w.diversity) * maxsim)
        if weights is not None:
            # whose turn: the interest with the highest Sainte-Lague quotient that still has an item
            quotient = np.where((left > 0) & (weights > 0), weights / (2 * seats + 1), -1.0)
            turn = np.argmax(quotient, axis=1)
            # the member's other areas, together, take turns too: a free turn goes by score alone
            has_turn = (quotient[rows, turn] > 0) & (quotient[rows, turn] > w.interest_free / (2 * free_seats + 1))
            mmr = mmr + np.where(has_turn[:, None] & (short_primary == turn[:, None]), bonus, F32(0))
        pick = np.argmax(mmr, axis=1)
        ok = np.isfinite(mmr[rows, pick])
        chosen[ok, step] = pick[ok]
        taken[rows[ok], pick[ok]] = True
        # similarities to the picked item only: k rows instead of the whole (L, L) matrix per member
        sim = np.matmul(red, red[rows, pick][:, :, None])[:, :, 0]
        maxsim = np.where(ok[:, None], np.maximum(maxsim, sim), maxsim)
        if weights is not None:
            # a seat goes to whose turn it was; what is left is counted by the item's area
            seats[rows[ok & has_turn], turn[ok & has_turn]] += 1
            free_seats += ok & ~has_turn
            area = short_primary[rows, pick]
            counted = ok & (area >= 0) & open_cells[rows, pick]
            left[rows[counted], area[counted]] -= 1
    if weights is not None and w.interest_window > 0:
        # the quotas decide which items make the first page; within it the better score comes first
        head = chosen[:, :min(w.interest_window, k_eff)]
        head_rel = np.where(head >= 0, np.take_along_axis(rel, np.maximum(head, 0), axis=1), -np.inf)
        chosen[:, :head.shape[1]] = np.take_along_axis(head, np.argsort(-head_rel, axis=1, kind="stable"), axis=1)
    floor_flag = np.zeros((m, k_eff), dtype=bool)
    if followed.any() and w.area_floor_min_score > 0:
        _area_floor(pool, cols, short, rel, chosen, floor_flag, followed, w.area_floor_min_score)
    picked_cols = np.where(chosen >= 0, np.take_along_axis(short, np.maximum(chosen, 0), axis=1), -1)
    if k_eff < k:
        pad = np.full((m, k - k_eff), -1, dtype=np.int64)
        picked_cols = np.concatenate([picked_cols, pad], axis=1)
        floor_flag = np.concatenate([floor_flag, np.zeros((m, k - k_eff), dtype=bool)], axis=1)
    return picked_cols.astype(np.int64), floor_flag


def _area_floor(pool: CandidatePool, cols: NDArray[np.int64], short: NDArray[np.int64],
                rel: NDArray[np.float32], chosen: NDArray[np.int64], floor_flag: NDArray[np.bool_],
                followed: NDArray[np.bool_], threshold: float) -> None:
    """In place: for each followed area without an item in the selection, swap the best short-list
    item of that area into the last slot that is neither pinned nor already a floor item."""
    m, k = chosen.shape
    rows = np.arange(m)
    short_areas = pool.areas[cols[short]] >= threshold  # (m, L, A)
    in_sel = np.zeros(short.shape, dtype=bool)
    okc = chosen >= 0
    in_sel[np.repeat(rows, k)[okc.ravel()], chosen[okc]] = True
    for a in range(short_areas.shape[2]):
        sel_has = np.any(short_areas[:, :, a] & in_sel, axis=1)
        cand = short_areas[:, :, a] & ~in_sel & np.isfinite(rel) & (rel < PIN_BONUS / 2)
        need = followed[:, a] & ~sel_has & cand.any(axis=1)
        if not need.any():
            continue
        best = np.argmax(np.where(cand, rel, -np.inf), axis=1)
        # the last replaceable slot: filled, not pinned, not a floor item already
        sel_rel = np.where(okc, np.take_along_axis(rel, np.maximum(chosen, 0), axis=1), np.inf)
        replaceable = okc & ~floor_flag & (sel_rel < PIN_BONUS / 2)
        # empty slots are the best place of all
        empty = ~okc
        slot_score = np.where(empty, 2, np.where(replaceable, 1, 0)) * (k + 1) + np.arange(k)[None, :]
        slot = np.argmax(slot_score, axis=1)
        can = need & (empty | replaceable)[rows, slot]
        r = rows[can]
        old = chosen[r, slot[can]]
        in_sel[r[old >= 0], old[old >= 0]] = False
        chosen[r, slot[can]] = best[can]
        in_sel[r, best[can]] = True
        floor_flag[r, slot[can]] = True
        okc = chosen >= 0


def rank(pool: CandidatePool, batch: MemberBatch, w: RankingWeights = RankingWeights(), k: int = 20,
         chunk: int = 1024, scale: Mapping[str, float] | None = None,
         changes: Sequence[Mapping[int, float]] | None = None) -> Ranking:
    """Rank the pool for every member of ``batch``; see the module docstring for the stages.
    ``scale`` gives the component scales (:func:`component_scales`) of an earlier run over the
    whole member base, so that one member re-ranked alone is scored like the rest; None
    estimates them from ``batch``. ``changes[j]`` (editor rules, :mod:`curator.ranking.rules`)
    maps item ids to what is added to member j's score of that item (-inf: blocked); members
    with the same rules may share one mapping."""
    m = len(batch)
    out_items = np.full((m, k), -1, dtype=np.int64)
    out_scores = np.zeros((m, k), dtype=F32)
    out_comp = np.zeros((m, k, len(COMPONENTS)), dtype=F32)
    out_pinned = np.zeros((m, k), dtype=bool)
    out_floor = np.zeros((m, k), dtype=bool)
    if m == 0 or len(pool) == 0:
        return Ranking(out_items, out_scores, out_comp, out_pinned, out_floor)
    profiles = profile_vectors(batch, pool.mean, w)
    personas = persona_vectors(batch, pool.mean)
    language = language_preference(batch, pool, w)
    groups: dict[frozenset[str], list[int]] = {}
    for j, vis in enumerate(batch.visible):
        groups.setdefault(vis, []).append(j)
    scale = dict(scale) if scale is not None else component_scales(pool, profiles, personas, batch.area_affinity,
                                                                   w=w)
    lookup = _PoolLookup(pool)
    for vis, members in groups.items():  # a handful of distinct access sets
        cols = candidate_columns(pool, vis)  # stage 1: only visible items are ever scored
        if cols.size == 0:
            continue
        idx = np.asarray(members, dtype=np.int64)
        ctx = group_context(pool, cols, scale, w)
        for start in range(0, idx.size, chunk):
            rows = idx[start:start + chunk]
            left = left_matrix(ctx, pool, profiles[rows], personas[rows], batch.area_affinity[rows], w,
                               language[rows])
            total = left @ ctx.right.T  # stage 2: all components in one product
            ex_r, ex_c = _exclusion_cells(batch, rows, lookup, ctx.group_column)
            total[ex_r, ex_c] = -np.inf
            if changes is not None:
                ch_r, ch_c, ch_v = _change_cells(changes, rows, lookup, cols)
                total[ch_r, ch_c] += ch_v
            picked, floor = rerank(pool, cols, total, batch.followed[rows], k, w,
                                   batch.area_affinity[rows])  # stages 3-4
            ok = picked >= 0
            safe = np.maximum(picked, 0)
            sel_rows = np.arange(rows.size)[:, None]
            out_items[rows] = np.where(ok, pool.item_ids[cols[safe]], -1)
            out_scores[rows] = np.where(ok, total[sel_rows, safe], 0.0)
            out_comp[rows] = components_of(ctx, pool, picked, profiles[rows], personas[rows],
                                           batch.area_affinity[rows], w, language[rows])
            out_pinned[rows] = ok & pool.pinned[cols[safe]]
            out_floor[rows] = floor & ok
    return Ranking(out_items, out_scores, out_comp, out_pinned, out_floor)


def persona_vectors(batch: MemberBatch, mean: NDArray[np.float32]) -> NDArray[np.float32]:
    """Centred persona vector per member (zero rows for members without a persona)."""
    out = np.zeros_like(batch.declared, dtype=F32)
    if batch.persona_vectors.shape[0] == 0:
        return out
    pc = centre(batch.persona_vectors, mean)
    has = batch.persona_index >= 0
    out[has] = pc[batch.persona_index[has]]
    return out


class _PoolLookup:
    """Item id -> pool row, vectorised (sorted ids + searchsorted), built once per ranking run."""

    def __init__(self, pool: CandidatePool) -> None:
        self.order = np.argsort(pool.item_ids, kind="stable")
        self.sorted_ids = pool.item_ids[self.order]

    def rows(self, ids: NDArray[np.int64]) -> NDArray[np.int64]:
        if self.sorted_ids.size == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        pos = np.searchsorted(self.sorted_ids, ids).clip(max=self.sorted_ids.size - 1)
        return np.where(self.sorted_ids[pos] == ids, self.order[pos], -1).astype(np.int64)


def _exclusion_cells(batch: MemberBatch, rows: NDArray[np.int64], lookup: _PoolLookup,
                     group_column: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(row, column) cells to blank for the chunk: every excluded item id, mapped to the column of
    its duplicate group's representative (seeing one copy of a story means seeing the story)."""
    lists = [batch.excluded[j] for j in rows.tolist()]
    sizes = np.array([len(x) for x in lists], dtype=np.int64)
    if sizes.sum() == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    ids = np.concatenate(lists).astype(np.int64)
    r = np.repeat(np.arange(rows.size), sizes)
    pool_rows = lookup.rows(ids)
    c = np.where(pool_rows >= 0, group_column[np.maximum(pool_rows, 0)], -1)
    ok = c >= 0
    return r[ok], c[ok]


def _change_cells(changes: Sequence[Mapping[int, float]], rows: NDArray[np.int64], lookup: _PoolLookup,
                  cols: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float32]]:
    """(row, column, value) cells of the editor rules' score changes for the chunk. A change
    lands on the item's own column only: a copy that does not represent its duplicate group
    here is not shown anyway, and blocking one source's copy must not hide another's."""
    done: dict[int, tuple[NDArray[np.int64], NDArray[np.float32]]] = {}
    r_parts, c_parts, v_parts = [], [], []
    for n, j in enumerate(rows.tolist()):
        change = changes[j]
        if not change:
            continue
        if id(change) not in done:  # members with the same rules share a mapping
            ids = np.fromiter(change.keys(), dtype=np.int64, count=len(change))
            values = np.fromiter(change.values(), dtype=F32, count=len(change))
            pool_rows = lookup.rows(ids)
            pos = np.searchsorted(cols, pool_rows).clip(max=max(cols.size - 1, 0))
            own = (pool_rows >= 0) & (cols[pos] == pool_rows)
            done[id(change)] = (pos[own].astype(np.int64), values[own])
        c, v = done[id(change)]
        r_parts.append(np.full(c.size, n, dtype=np.int64))
        c_parts.append(c)
        v_parts.append(v)
    if not c_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=F32)
    return np.concatenate(r_parts), np.concatenate(c_parts), np.concatenate(v_parts)


def _group_columns(pool: CandidatePool, col_of: NDArray[np.int64]) -> NDArray[np.int64]:
    """For every pool row, the candidate column that represents its duplicate group (-1: none)."""
    cols = np.flatnonzero(col_of >= 0)
    if cols.size == 0:
        return np.full(len(pool), -1, dtype=np.int64)
    g = pool.group[cols]
    order = np.argsort(g, kind="stable")
    gs = g[order]
    pos = np.searchsorted(gs, pool.group).clip(max=gs.size - 1)
    return np.where(gs[pos] == pool.group, col_of[cols[order][pos]], -1).astype(np.int64)


def item_area_vector(item: Item) -> NDArray[np.float32]:
    """An item's areas as a vector in ``AREA_IDS`` order: 1.0 for its first (primary) area, 0.75
    for further ones, 0 otherwise. The tagger's raw scores are not used as they are: their scale
    belongs to the tagger and may change with its model."""
    v = np.zeros(len(AREA_IDS), dtype=np.float32)
    for k, a in enumerate(item.areas):
        if a in AREA_IDS:
            v[AREA_IDS.index(a)] = 1.0 if k == 0 else 0.75
    return v


def subset_batch(batch: MemberBatch, rows: Sequence[int]) -> MemberBatch:
    """The members at ``rows`` of ``batch`` as a batch of their own."""
    idx = np.asarray(rows, dtype=np.int64)
    return MemberBatch(
        declared=batch.declared[idx], positive=batch.positive[idx], negative=batch.negative[idx],
        positive_weight=batch.positive_weight[idx], negative_weight=batch.negative_weight[idx],
        persona_index=batch.persona_index[idx], persona_vectors=batch.persona_vectors,
        area_affinity=batch.area_affinity[idx], followed=batch.followed[idx],
        visible=tuple(batch.visible[r] for r in rows), excluded=tuple(batch.excluded[r] for r in rows),
        language_feedback=None if batch.language_feedback is None else batch.language_feedback[idx],
        language=None if batch.language is None else batch.language[idx])
