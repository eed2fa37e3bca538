"""The subject-area tagger: embeddings -> a score per area -> tags.

Method (measured in docs/tagging.md):

1. **Document vector.** The title and "title + text" are encoded separately and mixed,
   ``normalise(w * title + (1 - w) * body)``, because news titles state the topic
   densely while the body adds context but also noise.
2. **Class similarity.** Every class (the five areas and ``off_topic``) is a set of
   example-phrase vectors from ``models/subject_areas.yaml`` (German and English). A
   document's similarity to a class mixes the cosine with the class mean (prototype) and
   the mean of its ``k`` most similar examples (a soft nearest-neighbour, which keeps
   broad areas such as "government" from being averaged into mush).
3. **Scores.** The six similarities go through a softmax with a temperature, so area
   scores are in 0..1 and comparable across areas; ``off_topic`` competes with the
   areas, so sport or crime gets no area instead of a forced one.
4. **Tags.** The best area is tagged when it beats ``off_topic``; further areas are
   tagged when their score reaches their own threshold *and* a fixed share of the best
   score (multi-label, best first). Temperature and per-area thresholds are calibrated
   on the example phrases themselves (leave-one-out), never on labelled articles.
5. **Corrections.** Editor-labelled examples train a scikit-learn logistic-regression
   head on the document vectors plus the zero-shot scores; its probabilities are
   blended with the zero-shot ones, the head's weight growing with the number of
   corrections (see :mod:`curator.tagging.corrections`). Given ``language_centres`` (mean
   document vector per language), the head sees vectors centred by their language.
6. **Ensemble (optional second encoder).** Given ``second`` (e.g. USE), every step above runs
   per encoder and the two are joined: the zero-shot log-probabilities are averaged (the second
   encoder's document vectors first minus the mean of their language, ``second_centres``, not
   re-normalised) and re-normalised: they decide whether an item gets an area and which is its
   main area. Its further (secondary) areas are those the primary encoder alone would tag (its own
   probabilities, blended with the corrections head like the ensemble's, and its own thresholds):
   the mean of log-probabilities keeps a secondary area only when both encoders support it, and the
   secondary areas it finds beyond the primary encoder's are mostly wrong (USE is confident on
   documents; docs/tagging.md); the tagging vector is the two document vectors side by side
   (two unit blocks), which is what the corrections head learns from, each block centred by
   language on its own. The product's other uses of document vectors (duplicates, profiles,
   ranking) keep the primary encoder's vectors (:meth:`Tagger.document_vectors`).

Pure code: no database. Embeddings go through an optional :class:`EmbeddingCache`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from curator.embeddings import EmbeddingCache, EncodeKind, Encoder, encode_cached, text_hash
from curator.tagging.areas import OFF_TOPIC, AreaModel
from curator.types import Item

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from curator.tagging.corrections import CorrectionHead, Corrections

__all__ = ["TagInput", "TagResult", "Tagger", "TaggerSettings", "tag_input"]

BODY_CHARS = 2000
"""Characters of body text encoded per item; both models truncate near this anyway."""


@dataclass(frozen=True)
class TagInput:
    """One thing to tag. ``lang`` is informative only (the encoder sees the text);
    ``content_hash`` is kept for callers that track items by it; the embedding cache is
    keyed by a hash of the exact encoded text, so any text change re-encodes."""

    id: str
    title: str
    text: str
    lang: str | None = None
    content_hash: str | None = None


def tag_input(item: Item) -> TagInput:
    """What the tagger reads of a stored item: its id (as text), title, text, language and
    content hash."""
    return TagInput(id=str(item.id), title=item.title, text=item.text, lang=item.lang,
                    content_hash=item.content_hash)


@dataclass(frozen=True)
class TagResult:
    """Tags of one item: ``areas`` best first (empty = off-topic / no area), and a score in
    0..1 for every one of the five areas (the same scale across areas)."""

    areas: tuple[str, ...]
    scores: dict[str, float]

    @property
    def primary(self) -> str | None:
        return self.areas[0] if self.areas else None


@dataclass(frozen=True)
class TaggerSettings:
    """Knobs of the zero-shot method (chosen as documented in docs/tagging.md).

    ``temperature=None`` fits the softmax temperature to the example phrases themselves
    (leave-one-out likelihood), so the scale suits any encoder. ``thresholds`` maps an area
    id to the minimum score for a *secondary* tag; areas not listed get a threshold
    calibrated on the examples: the ``threshold_quantile`` of that area's score over the
    other classes' examples (so at most ~2% of clearly foreign phrases would pass).
    ``min_primary`` is the score the best area needs to be tagged at all.
    """

    title_weight: float = 0.3
    prototype_weight: float = 0.5
    top_k: int = 3
    temperature: float | None = None
    thresholds: Mapping[str, float] = field(default_factory=dict)
    threshold_quantile: float = 0.98
    min_primary: float = 0.0
    secondary_ratio: float = 0.2
    example_kind: str = "query"
    document_kind: str = "query"

    def digest(self) -> str:
        items = sorted((k, v) for k, v in self.__dict__.items() if k != "thresholds")
        items.append(("thresholds", sorted(self.thresholds.items())))
        return hashlib.sha256(repr(items).encode()).hexdigest()[:8]


TEMPERATURE_GRID: tuple[float, ...] = (
    0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3,
)


@dataclass(frozen=True)
class Calibration:
    """What the tagger derived from its own example phrases (no labelled articles)."""

    temperature: float
    thresholds: dict[str, float]
    primary_thresholds: dict[str, float] = field(default_factory=dict)
    """Ensemble only: the primary encoder's own secondary thresholds (as if it tagged alone)."""


def _normalise_rows(x: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: NDArray[np.float32] = (x / norms).astype(np.float32)
    return result


def softmax(logits: NDArray[np.float64], temperature: float) -> NDArray[np.float64]:
    """Row-wise softmax of ``logits / temperature`` (numerically stable)."""
    z = logits / max(temperature, 1e-6)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    result: NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return result


def log_softmax(logits: NDArray[np.float64]) -> NDArray[np.float64]:
    """Row-wise log-softmax (numerically stable)."""
    z = logits - logits.max(axis=1, keepdims=True)
    result: NDArray[np.float64] = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return result


class Tagger:
    """Tags items with the five subject areas.

    ``corrections`` (editor verdicts) train a head on first use; alternatively pass an
    already trained ``head`` (e.g. loaded with ``CorrectionHead.from_bytes``).
    ``language_centres`` (language -> mean document vector of the stored items) centre the
    head's input by language; they do not change the zero-shot scores.

    ``second`` adds a second encoder (an ensemble, step 6 of the module docstring): then
    :meth:`embed` gives tagging vectors of ``encoder.dim + second.dim`` columns, the corrections
    must carry such vectors, and ``second_centres`` (language -> mean vector of the second
    encoder's stored documents) centre the second encoder's documents for its zero-shot scores.

    ``classes`` are the five area ids followed by ``"off_topic"``. ``version`` identifies
    everything a tag depends on (area-model version, encoder id(s), settings, corrections
    digest); store it with the tags and re-tag when it changes.
    """

    def __init__(
        self,
        areas: AreaModel,
        encoder: Encoder,
        *,
        cache: EmbeddingCache | None = None,
        corrections: Corrections | None = None,
        head: CorrectionHead | None = None,
        settings: TaggerSettings | None = None,
        language_centres: Mapping[str, NDArray[np.float32]] | None = None,
        second: Encoder | None = None,
        second_centres: Mapping[str, NDArray[np.float32]] | None = None,
    ) -> None:
        self.areas = areas
        self.language_centres: dict[str, NDArray[np.float32]] = dict(language_centres or {})
        self.encoder = encoder
        self.cache = cache
        self.settings = settings or TaggerSettings()
        self.classes: tuple[str, ...] = (*areas.ids, OFF_TOPIC)
        self._example_vectors: list[NDArray[np.float32]] | None = None
        self._calibration: Calibration | None = None
        self._temperature: float | None = None
        self._head: CorrectionHead | None = head
        self._corrections = corrections
        self._second: Tagger | None = (
            Tagger(areas, second, cache=cache, settings=self.settings) if second is not None else None)
        self.second_centres: dict[str, NDArray[np.float32]] = dict(second_centres or {})
        if head is not None:
            corr_digest = "head:" + hashlib.sha256(head.to_bytes()).hexdigest()[:12]
        elif corrections is not None and len(corrections):
            corr_digest = corrections.digest()
        else:
            corr_digest = "none"
        # "|sec-first": an ensemble's secondary areas are its primary encoder's own (step 6; before
        # "|or-first": the ensemble's own secondary areas and its primary encoder's)
        enc = encoder.model_id + (f"+{second.model_id}|sec-first" if second is not None else "")
        self.version = f"areas:{areas.version}|enc:{enc}|set:{self.settings.digest()}|corr:{corr_digest}"

    @property
    def second(self) -> Encoder | None:
        """The second encoder of an ensemble, or None."""
        return self._second.encoder if self._second is not None else None

    @property
    def blocks(self) -> tuple[int, ...]:
        """Columns of the tagging vectors where the second encoder's block starts (empty: one encoder)."""
        return (self.encoder.dim,) if self._second is not None else ()

    @property
    def dim(self) -> int:
        """Columns of the tagging vectors :meth:`embed` gives (and corrections must carry)."""
        return self.encoder.dim + (self._second.encoder.dim if self._second is not None else 0)

    def split(self, vectors: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
        """Tagging vectors -> (primary document vectors, second encoder's document vectors or
        None), each block with unit rows again."""
        if self._second is None:
            return vectors, None
        d = self.encoder.dim
        return (_normalise_rows(vectors[:, :d]), _normalise_rows(vectors[:, d:]))

    # -- embeddings -------------------------------------------------------------------

    def _encode(self, texts: Sequence[str], kind: str, progress: bool) -> NDArray[np.float32]:
        k: EncodeKind = "query" if kind == "query" else "passage"
        hashes = [text_hash(t, k) for t in texts]
        return encode_cached(self.encoder, texts, hashes, self.cache, kind=k, progress=progress)

    def example_vectors(self) -> list[NDArray[np.float32]]:
        """Vectors of each class's example phrases (areas in order, then off_topic)."""
        if self._example_vectors is None:
            kind = self.settings.example_kind
            self._example_vectors = [
                self._encode([t for _, t in a.all_examples()], kind, False)
                for a in (*self.areas.areas, self.areas.off_topic)
            ]
        return self._example_vectors

    def embed(self, docs: Sequence[TagInput], progress: bool = False) -> NDArray[np.float32]:
        """Tagging vectors (n, :attr:`dim`), as used for tagging and corrections: the primary
        encoder's document vectors (L2-normalised), or with a second encoder both side by side
        (each block L2-normalised). Only texts missing from the cache are encoded."""
        first = self.document_vectors(docs, progress=progress)
        if self._second is None:
            return first
        second = self._second.document_vectors(docs, progress=progress)
        return np.hstack([first, second]).astype(np.float32)

    def document_vectors(self, docs: Sequence[TagInput], progress: bool = False) -> NDArray[np.float32]:
        """The primary encoder's document vectors (n, encoder.dim), L2-normalised, as used for
        duplicates, profiles and ranking. Only texts missing from the cache are encoded."""
        if not docs:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        titles = [d.title.strip() for d in docs]
        bodies = [
            "\n".join(p for p in (d.title.strip(), d.text.strip()[:BODY_CHARS]) if p) or " " for d in docs
        ]
        kind = self.settings.document_kind
        body_vecs = self._encode(bodies, kind, progress)
        w = self.settings.title_weight
        if w <= 0:
            return body_vecs
        has_title = np.array([bool(t) for t in titles])
        title_vecs = np.zeros_like(body_vecs)
        if has_title.any():
            title_vecs[has_title] = self._encode([t for t in titles if t], kind, progress)
        mixed = np.where(has_title[:, None], w * title_vecs + (1 - w) * body_vecs, body_vecs)
        return _normalise_rows(mixed.astype(np.float32))

    # -- scoring ----------------------------------------------------------------------

    def _class_similarity(
        self, vectors: NDArray[np.float32], examples: NDArray[np.float32], exclude: NDArray[np.bool_] | None = None
    ) -> NDArray[np.float64]:
        """Prototype cosine mixed with the mean of the top-k example cosines.

        ``exclude[i, j]`` True leaves example j out for vector i (leave-one-out)."""
        s = self.settings
        sims = (vectors @ examples.T).astype(np.float64)
        total = examples.sum(axis=0).astype(np.float64)
        if exclude is None:
            proto = total / (np.linalg.norm(total) or 1.0)
            proto_sim = vectors.astype(np.float64) @ proto
        else:
            # Each row's prototype without its own example(s).
            protos = total[None, :] - exclude.astype(np.float64) @ examples.astype(np.float64)
            protos /= np.linalg.norm(protos, axis=1, keepdims=True).clip(min=1e-9)
            proto_sim = np.einsum("ij,ij->i", vectors.astype(np.float64), protos)
            sims = np.where(exclude, -np.inf, sims)
        k = max(1, min(s.top_k, examples.shape[0] - (1 if exclude is not None else 0)))
        topk = np.sort(sims, axis=1)[:, -k:].mean(axis=1)
        mixed: NDArray[np.float64] = s.prototype_weight * proto_sim + (1 - s.prototype_weight) * topk
        return mixed

    def similarities(self, vectors: NDArray[np.float32]) -> NDArray[np.float64]:
        """(n, 6) class similarities of the primary encoder's document vectors (areas in order,
        then off_topic)."""
        return np.stack([self._class_similarity(vectors, ex) for ex in self.example_vectors()], axis=1)

    def log_probabilities(self, vectors: NDArray[np.float32],
                          langs: Sequence[str | None] | None = None) -> NDArray[np.float64]:
        """(n, 6) zero-shot log-probabilities of tagging vectors: the log-softmax of the
        similarities over the calibrated temperature; with a second encoder, the mean of both
        encoders' log-probabilities (the second's documents centred by ``langs``), re-normalised."""
        first, second = self.split(vectors)
        own = log_softmax(self.similarities(first) / max(self._own_temperature(), 1e-6))
        if self._second is None or second is None:
            return own
        from curator.tagging.corrections import centre_by_language

        other = self._second.log_probabilities(
            centre_by_language(second, langs, self.second_centres, normalise=False))
        return log_softmax((own + other) / 2.0)

    def _leave_one_out(self) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        """Every example phrase scored against all classes with itself left out (n, 6), and
        the class each belongs to."""
        groups = self.example_vectors()
        every = np.vstack(groups)
        owner = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups)]).astype(np.int64)
        cols = []
        for c, ex in enumerate(groups):
            exclude = np.zeros((len(every), len(ex)), dtype=bool)
            rows = np.nonzero(owner == c)[0]
            exclude[rows, np.arange(len(ex))] = True
            cols.append(self._class_similarity(every, ex, exclude))
        return np.stack(cols, axis=1), owner

    def _own_temperature(self) -> float:
        """The softmax temperature of this tagger's own (primary) encoder: the setting, else
        fitted on the example phrases (leave-one-out likelihood of each phrase's class)."""
        if self.settings.temperature is not None:
            return self.settings.temperature
        if self._temperature is None:
            if self._second is None and self._calibration is not None:
                self._temperature = self._calibration.temperature
            else:
                loo, owner = self._leave_one_out()

                def loglik(t: float) -> float:
                    p = softmax(loo, t)
                    return float(np.log(p[np.arange(len(owner)), owner] + 1e-12).mean())

                self._temperature = max(TEMPERATURE_GRID, key=loglik)
        return self._temperature

    def with_corrections(self, corrections: Corrections | None,
                         language_centres: Mapping[str, NDArray[np.float32]] | None = None) -> Tagger:
        """The same zero-shot tagger (encoders, examples, calibration, second encoder's centres:
        shared, not recomputed) with other corrections and head centres (a ``head`` given to this
        tagger is not carried over)."""
        out = Tagger(self.areas, self.encoder, cache=self.cache, corrections=corrections, settings=self.settings,
                     language_centres=language_centres, second=self.second, second_centres=self.second_centres)
        out._example_vectors = self.example_vectors()
        out._calibration = self.calibration()
        out._temperature = self._own_temperature()
        out._second = self._second
        return out

    def with_second_centres(self, vectors: NDArray[np.float32], langs: Sequence[str | None]) -> Tagger:
        """The same tagger whose second encoder centres its documents by the language means of
        these tagging vectors (rows of :meth:`embed`, e.g. of the newest stored items; a language
        needs :data:`~curator.tagging.corrections.MIN_CENTRE_ITEMS` rows). Without a second
        encoder, the tagger itself."""
        if self._second is None:
            return self
        from curator.tagging.corrections import language_centres

        second = self.split(vectors)[1]
        assert second is not None  # a second encoder gives a second block
        out = self.with_corrections(self._corrections, self.language_centres)
        out.second_centres = language_centres(second, langs)
        return out

    def calibration(self) -> Calibration:
        """Temperature and secondary thresholds fitted on the example phrases alone.

        Every example is scored against all classes with itself left out; the temperature
        maximises the likelihood of its own class, and each area's threshold is the
        ``threshold_quantile`` of its score among the other classes' examples. With a second
        encoder each encoder has its own temperature (``temperature`` is the primary's) and the
        thresholds come from the ensemble's leave-one-out probabilities."""
        if self._calibration is None:
            loo, owner = self._leave_one_out()
            temperature = self._own_temperature()
            if self._second is None:
                probs = softmax(loo, temperature)
            else:
                other_loo, _ = self._second._leave_one_out()
                other = log_softmax(other_loo / max(self._second._own_temperature(), 1e-6))
                probs = np.exp(log_softmax((log_softmax(loo / max(temperature, 1e-6)) + other) / 2.0))
            q = self.settings.threshold_quantile
            thresholds = {area: float(np.quantile(probs[owner != i, i], q)) for i, area in enumerate(self.areas.ids)}
            thresholds.update(self.settings.thresholds)
            primary_thresholds: dict[str, float] = {}
            if self._second is not None:
                own = softmax(loo, temperature)
                primary_thresholds = {area: float(np.quantile(own[owner != i, i], q))
                                      for i, area in enumerate(self.areas.ids)}
                primary_thresholds.update(self.settings.thresholds)
            self._calibration = Calibration(temperature=temperature, thresholds=thresholds,
                                            primary_thresholds=primary_thresholds)
        return self._calibration

    def probabilities(self, vectors: NDArray[np.float32],
                      langs: Sequence[str | None] | None = None) -> NDArray[np.float64]:
        """(n, 6) probabilities; blended with the corrections head when there is one
        (``langs``: each row's language, for the head's language centres; None = uncentred)."""
        logp = self.log_probabilities(vectors, langs)
        zs = np.exp(logp)
        head = self.head()
        if head is None:
            return zs
        from curator.tagging.corrections import blend

        return blend(head, vectors, logp, zs, langs)

    def primary_probabilities(self, vectors: NDArray[np.float32],
                              langs: Sequence[str | None] | None = None) -> NDArray[np.float64] | None:
        """Ensemble only: (n, 6) probabilities of the primary encoder alone, whose own further
        areas :meth:`decide` tags as the secondary areas: its zero-shot probabilities (its own
        temperature), blended with the corrections head when there is one, as :meth:`probabilities`
        blends the ensemble's (``langs`` as there). None without a second encoder."""
        if self._second is None:
            return None
        first, _ = self.split(vectors)
        own = softmax(self.similarities(first), self._own_temperature())
        head = self.head()
        if head is None:
            return own
        from curator.tagging.corrections import blend

        return blend(head, vectors, self.log_probabilities(vectors, langs), own, langs)

    def head(self) -> CorrectionHead | None:
        """The trained corrections head, trained on first use (None without corrections)."""
        if self._head is None and self._corrections is not None and len(self._corrections):
            from curator.tagging.corrections import train_head

            self._head = train_head(self._corrections, self)
        return self._head

    def _row_tags(self, row: NDArray[np.float64], thresholds: Mapping[str, float]) -> list[str]:
        s = self.settings
        area_ids = self.areas.ids
        n_areas = len(area_ids)
        best = int(np.argmax(row))
        tags: list[str] = []
        if best < n_areas and row[best] >= s.min_primary:
            top = float(row[best])
            tags.append(area_ids[best])
            for i in sorted(range(n_areas), key=lambda i: -row[i]):
                if i != best and row[i] >= thresholds[area_ids[i]] and row[i] >= s.secondary_ratio * top:
                    tags.append(area_ids[i])
        return tags

    def decide(self, probabilities: NDArray[np.float64],
               primary_probabilities: NDArray[np.float64] | None = None) -> list[TagResult]:
        """Turn (n, 6) probabilities into tags.

        No tag when ``off_topic`` is the most likely class or the best area scores below
        ``min_primary``. Otherwise the best area, then every other area whose score reaches
        its calibrated threshold and ``secondary_ratio`` times the best score, best first.
        An ensemble passes ``primary_probabilities`` (:meth:`primary_probabilities`): then
        ``probabilities`` decide only the main area (or none), and the secondary areas are those
        the primary encoder alone would tag (same rule, its own thresholds; its own best area too
        when it is not the main one), because the mean of the two encoders' log-probabilities keeps
        a secondary area only when both support it and the further areas it finds beyond the
        primary encoder's are mostly wrong (docs/tagging.md). Scores stay the ensemble's.
        """
        calibration = self.calibration()
        area_ids = self.areas.ids
        results: list[TagResult] = []
        for n, row in enumerate(probabilities):
            scores = {a: round(float(row[i]), 4) for i, a in enumerate(area_ids)}
            tags = self._row_tags(row, calibration.thresholds)
            if tags and primary_probabilities is not None:
                own = self._row_tags(primary_probabilities[n], calibration.primary_thresholds)
                tags = [tags[0], *(a for a in own if a != tags[0])]
            results.append(TagResult(areas=tuple(tags), scores=scores))
        return results

    def tag_vectors(self, vectors: NDArray[np.float32],
                    langs: Sequence[str | None] | None = None) -> list[TagResult]:
        """Tags for already-embedded documents (rows of :meth:`embed`; ``langs`` as in
        :meth:`probabilities`)."""
        if len(vectors) == 0:
            return []
        return self.decide(self.probabilities(vectors, langs), self.primary_probabilities(vectors, langs))

    def tag(self, docs: Sequence[TagInput], progress: bool = False) -> list[TagResult]:
        """Tags for ``docs``, in input order."""
        return self.tag_vectors(self.embed(docs, progress=progress), [d.lang for d in docs])
