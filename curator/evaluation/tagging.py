"""Measuring subject-area tagging against labelled articles.

Terms:

- **labels file**: JSON lines with ``id``, ``lang``, ``title``, ``text``, ``primary`` (one
  of the five areas or ``"none"``) and ``areas`` (primary first, then clear secondary
  areas; empty for none), as in ``../shared/eval/tagging-dev.jsonl``.
- **primary macro-F1**: F1 averaged over six classes (five areas + ``none``) of the
  predicted primary area (first tag, or none) against ``primary``.
- **per-area P/R/F1**: multi-label: for each area, is it among the predicted tags vs
  among the labelled ``areas``.
- **zero-shot**: the tagger with the area model only (no labels used).
- **few-shot**: corrections simulated by stratified k-fold cross-validation: the head
  learns from the labels of k-1 folds and is scored on the held-out fold.
- **learning curve**: macro-F1 after 25, 50, 100 and 200 corrections. Each run splits the
  labels in two stratified halves (by primary x language): corrections come from one half, the
  other half is scored, then the halves swap; several seeds, averaged. Every method sees the
  same halves and the same random order (a fair comparison in one run). Methods: ``today``
  (the head on raw vectors, as before), ``centred`` (the head on language-centred vectors,
  the product's method). Orders: ``random`` and ``active`` (the console's teaching order,
  :func:`curator.tagging.teaching_order`: pages of 10, the tagger re-trained after each page).
- **baselines**: a keyword-rule tagger (hand-written word lists, no training) and
  TF-IDF + logistic regression under the same k-fold cross-validation.

Everything here is pure computation on given items and vectors; the CLI in
``curator.cli.tagging`` reads files, runs encoders and prints.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from curator.errors import ConfigError, InvalidInput
from curator.ingest.jsonl import read_jsonl
from curator.resources import install_hint
from curator.tagging.active import teaching_order
from curator.tagging.areas import OFF_TOPIC
from curator.tagging.corrections import Correction, Corrections, language_centres
from curator.tagging.tagger import Tagger, TagInput
from curator.types import AREA_IDS

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "KEYWORDS",
    "LabelledItem",
    "Scores",
    "default_labels_path",
    "few_shot_predictions",
    "keyword_predictions",
    "load_labels",
    "score_predictions",
    "tfidf_predictions",
]

NONE = "none"
PRIMARY_CLASSES: tuple[str, ...] = (*AREA_IDS, NONE)


def default_labels_path() -> Path:
    """``<shared>/eval/tagging-dev.jsonl``: CURATOR_SHARED_DIR, else ../shared beside the
    repository, else ../shared beside the working directory; the first that holds the file
    (the first candidate when none does, so the error names it)."""
    env = os.environ.get("CURATOR_SHARED_DIR")
    candidates = []
    if env:
        candidates.append(Path(env))
    candidates.append(Path(__file__).resolve().parents[2] / ".." / "shared")
    candidates.append(Path.cwd() / ".." / "shared")
    for shared in candidates:
        path = shared / "eval" / "tagging-dev.jsonl"
        if path.exists():
            return path.resolve()
    return (candidates[0] / "eval" / "tagging-dev.jsonl").resolve()


@dataclass(frozen=True)
class LabelledItem:
    """One labelled article."""

    id: str
    lang: str
    title: str
    text: str
    primary: str
    areas: tuple[str, ...]

    def as_input(self) -> TagInput:
        return TagInput(id=self.id, title=self.title, text=self.text, lang=self.lang)


def _labelled_item(raw: dict[str, Any]) -> LabelledItem:
    primary = raw["primary"]
    areas = tuple(raw.get("areas") or ())
    if primary not in PRIMARY_CLASSES or any(a not in AREA_IDS for a in areas):
        raise ValueError(f"unknown area in primary={primary!r} areas={list(areas)}")
    return LabelledItem(
        id=str(raw["id"]), lang=str(raw.get("lang") or ""), title=str(raw.get("title") or ""),
        text=str(raw.get("text") or ""), primary=primary, areas=areas,
    )


def load_labels(path: str | Path) -> list[LabelledItem]:
    """Read a labels file. Raises InvalidInput naming the file and line of a bad entry."""
    file = Path(path)
    try:
        lines = file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidInput(
            f"{file}: cannot read the labels file ({exc.strerror or exc}). Pass --labels PATH."
        ) from exc
    read = read_jsonl(lines, _labelled_item, line_errors=(ValueError, KeyError, TypeError, InvalidInput))
    if read.errors:
        number, message = read.errors[0]
        raise InvalidInput(f"{file}, line {number}: not a labelled item "
                           f"({message.removeprefix(f'line {number}: ')}).")
    items = [item for _, item in read.values]
    if not items:
        raise InvalidInput(f"{file}: contains no labelled items.")
    return items


# -- metrics --------------------------------------------------------------------------


@dataclass
class Scores:
    """Figures for one method. ``primary`` holds predicted primary classes (``none`` for
    no tag); ``predicted_areas`` the full tag tuples when the method is multi-label."""

    name: str
    macro_f1: float
    accuracy: float
    none_f1: float
    by_lang: dict[str, float]
    per_class_f1: dict[str, float]
    per_area: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: list[list[int]] = field(default_factory=list)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "macro_f1": round(self.macro_f1, 4), "accuracy": round(self.accuracy, 4),
            "none_f1": round(self.none_f1, 4), "by_lang": {k: round(v, 4) for k, v in self.by_lang.items()},
            "per_class_f1": {k: round(v, 4) for k, v in self.per_class_f1.items()},
            "per_area": {a: {k: round(v, 4) for k, v in d.items()} for a, d in self.per_area.items()},
            "confusion": {"labels": list(PRIMARY_CLASSES), "rows_true_cols_predicted": self.confusion},
            "note": self.note,
        }


def score_predictions(
    name: str,
    items: Sequence[LabelledItem],
    primary: Sequence[str],
    predicted_areas: Sequence[Sequence[str]] | None = None,
    note: str = "",
) -> Scores:
    """Score predicted primary classes (and, if given, full multi-label tags)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    y = np.array([it.primary for it in items])
    p = np.array(list(primary))
    labels = list(PRIMARY_CLASSES)
    per_class = f1_score(y, p, labels=labels, average=None, zero_division=0)
    by_lang: dict[str, float] = {}
    for lang in sorted({it.lang for it in items}):
        mask = np.array([it.lang == lang for it in items])
        present = [c for c in labels if c in set(y[mask]) | set(p[mask])]
        by_lang[lang] = float(f1_score(y[mask], p[mask], labels=present, average="macro", zero_division=0))
    per_area: dict[str, dict[str, float]] = {}
    if predicted_areas is not None:
        for area in AREA_IDS:
            t = np.array([area in it.areas for it in items])
            q = np.array([area in tags for tags in predicted_areas])
            prec, rec, f1, _ = precision_recall_fscore_support(t, q, average="binary", zero_division=0)
            per_area[area] = {"precision": float(prec), "recall": float(rec), "f1": float(f1), "support": float(t.sum())}
    return Scores(
        name=name,
        macro_f1=float(f1_score(y, p, labels=labels, average="macro", zero_division=0)),
        accuracy=float(accuracy_score(y, p)),
        none_f1=float(per_class[labels.index(NONE)]),
        by_lang=by_lang,
        per_class_f1={c: float(v) for c, v in zip(labels, per_class, strict=True)},
        per_area=per_area,
        confusion=confusion_matrix(y, p, labels=labels).tolist(),
        note=note,
    )


def primary_of(tags: Sequence[str]) -> str:
    return tags[0] if tags else NONE


# -- baselines ------------------------------------------------------------------------

KEYWORDS: dict[str, tuple[str, ...]] = {
    "technology": (
        "software", "internet", "computer", "digital", "online", "app", "smartphone", "ki", "ai",
        "artificial intelligence", "künstliche intelligenz", "daten", "data", "cloud", "hacker", "chip",
        "microsoft", "google", "apple", "linux", "web", "technolog", "robot", "security", "sicherheitslücke",
    ),
    "company": (
        "unternehmen", "konzern", "firma", "firm", "company", "profit", "gewinn", "umsatz", "revenue",
        "shares", "aktie", "börse", "market", "markt", "investor", "start-up", "startup", "merger",
        "übernahme", "deal", "bank", "economy", "wirtschaft", "sales",
    ),
    "work": (
        "job", "jobs", "arbeit", "worker", "employee", "mitarbeiter", "beschäftigte", "union",
        "gewerkschaft", "strike", "streik", "lohn", "wage", "salary", "gehalt", "unemployment",
        "arbeitslos", "hr", "personal", "ausbildung", "training", "skills", "layoff", "stellen",
    ),
    "society": (
        "school", "schule", "schüler", "student", "education", "bildung", "health", "gesundheit",
        "hospital", "pflege", "refugee", "flüchtling", "migrant", "asyl", "integration", "religion",
        "children", "kinder", "family", "familie", "media", "medien", "consumer", "verbraucher",
    ),
    "government": (
        "government", "regierung", "minister", "parliament", "parlament", "law", "gesetz", "court",
        "gericht", "regulation", "regulierung", "election", "wahl", "party", "partei", "eu", "police",
        "polizei", "tax", "steuer", "president", "präsident", "military", "politik", "policy",
    ),
}
"""Word stems per area for the keyword-rule baseline (lower-case, matched at word start)."""


def keyword_predictions(items: Sequence[LabelledItem]) -> list[tuple[str, ...]]:
    """Keyword-rule tagger: count stem hits per area in title (x2) and text; areas with
    hits, most first; no hit at all means none. No training."""
    patterns = {a: re.compile(r"\b(" + "|".join(re.escape(w) for w in ws) + r")", re.I) for a, ws in KEYWORDS.items()}
    out: list[tuple[str, ...]] = []
    for it in items:
        counts = {a: 2 * len(p.findall(it.title)) + len(p.findall(it.text)) for a, p in patterns.items()}
        ranked = sorted((a for a in AREA_IDS if counts[a] > 0), key=lambda a: -counts[a])
        out.append(tuple(ranked[:2]))
    return out


def _folds(items: Sequence[LabelledItem], k: int, seed: int) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    from sklearn.model_selection import StratifiedKFold

    y = [f"{it.primary}:{it.lang}" for it in items]
    skf = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return [(np.asarray(a), np.asarray(b)) for a, b in skf.split(np.zeros(len(y)), y)]


def tfidf_predictions(items: Sequence[LabelledItem], k: int = 5, seed: int = 0) -> list[str]:
    """TF-IDF (word 1-2 grams) + logistic regression, predicted primary under k-fold CV."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    docs = [f"{it.title}\n{it.title}\n{it.text}" for it in items]
    y = np.array([it.primary for it in items])
    pred = np.empty(len(items), dtype=object)
    for train, test in _folds(items, k, seed):
        model = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
            LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced"),
        )
        model.fit([docs[i] for i in train], y[train])
        pred[test] = model.predict([docs[i] for i in test])
    return [str(p) for p in pred]


# -- embeddings -----------------------------------------------------------------------


def few_shot_predictions(
    tagger: Tagger,
    items: Sequence[LabelledItem],
    vectors: NDArray[np.float32],
    k: int = 5,
    seed: int = 0,
) -> list[tuple[str, ...]]:
    """Tags under k-fold CV where the training folds' labels act as editor corrections."""
    out: list[tuple[str, ...]] = [()] * len(items)
    for train, test in _folds(items, k, seed):
        corrections = Corrections(
            Correction(item_id=items[i].id, vector=vectors[i], areas=items[i].areas) for i in train
        )
        # Shares the already encoded example vectors instead of re-encoding them per fold.
        fold_tagger = tagger.with_corrections(corrections)
        for i, result in zip(test, fold_tagger.tag_vectors(vectors[test], [items[i].lang for i in test]),
                             strict=True):
            out[i] = result.areas
    return out


CURVE_SIZES: tuple[int, ...] = (25, 50, 100, 200)
CURVE_METHODS: tuple[str, ...] = ("today", "centred")
CURVE_ORDERS: tuple[str, ...] = ("random", "active")
ACTIVE_PAGE = 10
"""Corrections per console page in the simulated active order (re-trained after each)."""


@dataclass
class CurvePoint:
    """Mean figures of one method and order after ``n`` corrections over ``runs`` runs."""

    method: str
    order: str
    n: int
    macro_f1: float
    by_lang: dict[str, float]
    runs: int

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "order": self.order, "n": self.n, "macro_f1": round(self.macro_f1, 4),
                "by_lang": {k: round(v, 4) for k, v in self.by_lang.items()}, "runs": self.runs}


def _curve_tagger(tagger: Tagger, corrections: Corrections, centres: dict[str, NDArray[np.float32]]) -> Tagger:
    # Shares the encoded examples and their calibration instead of recomputing them per step.
    return tagger.with_corrections(corrections, centres)


def learning_curve(
    tagger: Tagger,
    items: Sequence[LabelledItem],
    vectors: NDArray[np.float32],
    *,
    sizes: Sequence[int] = CURVE_SIZES,
    seeds: Sequence[int] = (0, 1, 2, 3, 4),
    methods: Sequence[str] = CURVE_METHODS,
    orders: Sequence[str] = CURVE_ORDERS,
) -> list[CurvePoint]:
    """Macro-F1 (all, per language) after each number of corrections in ``sizes`` (plus 0,
    the zero-shot tagger), per method and order, averaged over 2 x len(seeds) runs. Sizes
    larger than a half of the labels are left out. Language centres come from all given
    items' vectors (no labels), as the product takes them from all stored items."""
    langs = [it.lang for it in items]
    centres = language_centres(vectors, langs)
    # the console's teaching order sees the primary encoder's document vectors (Tagging.to_teach)
    documents = tagger.split(vectors)[0]
    usable = [n for n in sizes if n <= len(items) // 2]
    points = [0, *usable]
    found: dict[tuple[str, str, int], list[tuple[float, dict[str, float]]]] = {}

    def score(method: str, order: str, n: int, chosen: Sequence[int] | NDArray[np.int64],
              test: NDArray[np.int64]) -> None:
        corrections = Corrections(
            Correction(item_id=items[i].id, vector=vectors[i], areas=items[i].areas, lang=items[i].lang)
            for i in chosen
        )
        step = _curve_tagger(tagger, corrections, centres if method == "centred" else {})
        tags = step.tag_vectors(vectors[test], [langs[i] for i in test])
        s = score_predictions("", [items[i] for i in test], [primary_of(t.areas) for t in tags])
        found.setdefault((method, order, n), []).append((s.macro_f1, s.by_lang))

    for seed in seeds:
        for pool, test in _folds(items, 2, seed):
            rng = np.random.default_rng(1000 + seed)
            random_order = pool[rng.permutation(len(pool))]
            for method in methods:
                if "random" in orders:
                    for n in points:
                        score(method, "random", n, random_order[:n], test)
                if "active" in orders and usable:
                    chosen: list[int] = []
                    left = list(pool)
                    while len(chosen) < usable[-1]:
                        if len(chosen) in points:
                            score(method, "active", len(chosen), chosen, test)
                        current = Corrections(Correction(items[i].id, vectors[i], items[i].areas, items[i].lang)
                                              for i in chosen)
                        step = _curve_tagger(tagger, current, centres if method == "centred" else {})
                        probs = step.probabilities(vectors[left], [langs[i] for i in left])
                        next_point = min(n for n in points if n > len(chosen))
                        page = min(ACTIVE_PAGE, next_point - len(chosen))
                        picked = teaching_order(probs, documents[left], page,
                                                taught=documents[chosen] if chosen else None)
                        chosen += [left[j] for j in picked]
                        left = [i for j, i in enumerate(left) if j not in set(picked)]
                    score(method, "active", len(chosen), chosen, test)
    out = []
    for (method, order, n), runs in found.items():
        lang_keys = sorted({k for _, d in runs for k in d})
        out.append(CurvePoint(
            method=method, order=order, n=n, macro_f1=float(np.mean([f for f, _ in runs])),
            by_lang={k: float(np.mean([d[k] for _, d in runs if k in d])) for k in lang_keys}, runs=len(runs),
        ))
    return out


def off_topic_label(primary: str) -> str:
    """The tagger's class name for a labels-file primary (``none`` -> ``off_topic``)."""
    return OFF_TOPIC if primary == NONE else primary


# -- the whole run (used by `curator eval tagging`) ------------------------------------


@dataclass
class EncoderResult:
    """Figures for one encoder, or the reason it was skipped."""

    spec: str
    model_id: str = ""
    zero_shot: Scores | None = None
    few_shot: Scores | None = None
    seconds: float = 0.0
    error: str = ""
    curve: list[CurvePoint] = field(default_factory=list)
    curve_seconds: float = 0.0


@dataclass
class TaggingReport:
    """Everything one evaluation run measured."""

    labels: str
    n_items: int
    n_by_lang: dict[str, int]
    folds: int
    area_version: str
    encoders: list[EncoderResult]
    baselines: list[Scores]

    def to_json(self) -> dict[str, Any]:
        return {
            "labels": self.labels, "items": self.n_items, "by_lang": self.n_by_lang, "folds": self.folds,
            "area_model_version": self.area_version,
            "encoders": [
                {"encoder": e.spec, "model_id": e.model_id, "error": e.error, "seconds": round(e.seconds, 1),
                 "zero_shot": e.zero_shot.to_json() if e.zero_shot else None,
                 "few_shot": e.few_shot.to_json() if e.few_shot else None,
                 "learning_curve": [c.to_json() for c in e.curve]}
                for e in self.encoders
            ],
            "baselines": [b.to_json() for b in self.baselines],
        }

    def to_text(self) -> str:
        out: list[str] = [
            f"Labels: {self.labels}  ({self.n_items} items: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.n_by_lang.items())) + ")",
            f"Area model version: {self.area_version}; cross-validation: {self.folds}-fold stratified, seed 0",
            "",
        ]
        for e in self.encoders:
            if e.error:
                out += [f"== encoder {e.spec}: skipped: {e.error}", ""]
                continue
            out.append(f"== encoder {e.spec} ({e.model_id}), {e.seconds:.0f} s")
            for s in (e.zero_shot, e.few_shot):
                if s is not None:
                    out += _format_scores(s, detailed=True)
            if e.curve:
                out += _format_curve(e.spec, e.curve, e.curve_seconds)
        out.append("== baselines")
        for b in self.baselines:
            out += _format_scores(b, detailed=False)
        out.append("== summary (macro-F1 on the primary area, 6 classes)")
        rows = []
        for e in self.encoders:
            for s in (e.zero_shot, e.few_shot):
                if s is not None:
                    rows.append(s)
        rows += self.baselines
        for s in rows:
            langs = "  ".join(f"{k} {v:.3f}" for k, v in sorted(s.by_lang.items()))
            out.append(f"  {s.name:<38} {s.macro_f1:.3f}   none-F1 {s.none_f1:.3f}   {langs}")
        return "\n".join(out)

    def plot_curve(self, path: str | Path) -> None:
        """Learning curves (macro-F1 against corrections; one panel per encoder, a line per
        method and order, dotted German / dashed English for the product's method). Raises
        ConfigError when matplotlib is not installed, InvalidInput when no curve was measured."""
        with_curve = [e for e in self.encoders if e.curve]
        if not with_curve:
            raise InvalidInput("no learning curve was measured (--curve-seeds 0?)")
        plt = pyplot()
        fig, axes = plt.subplots(1, len(with_curve), figsize=(6.4 * len(with_curve), 4.6), squeeze=False)
        for ax, e in zip(axes[0], with_curve, strict=True):
            rows: dict[tuple[str, str], list[CurvePoint]] = {}
            for c in e.curve:
                rows.setdefault((c.method, c.order), []).append(c)
            for (method, order), points in rows.items():
                points.sort(key=lambda c: c.n)
                xs = [c.n for c in points]
                ax.plot(xs, [c.macro_f1 for c in points], marker="o", label=f"{method}, {order} order")
                if method == "centred" and order == "random":
                    for lang, style in (("de", ":"), ("en", "--")):
                        ax.plot(xs, [c.by_lang.get(lang, np.nan) for c in points], linestyle=style, color="grey",
                                label=f"{method}, {order}: {lang} only")
            ax.set_xlabel("editor corrections")
            ax.set_ylabel("macro-F1 (primary area, 6 classes)")
            ax.set_title(f"{e.spec}: learning curve ({max(c.runs for c in e.curve)} runs)", fontsize=10)
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)

    def plot(self, path: str | Path) -> None:
        """Heatmaps of the zero-shot and few-shot confusion matrices per encoder. Raises
        ConfigError (see :func:`pyplot`) when matplotlib is not installed."""
        plt = pyplot()
        panels = [s for e in self.encoders for s in (e.zero_shot, e.few_shot) if s is not None]
        panels = panels or self.baselines
        fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.8), squeeze=False)
        for ax, s in zip(axes[0], panels, strict=True):
            cm = np.array(s.confusion)
            ax.imshow(cm, cmap="Blues")
            ax.set_xticks(range(len(PRIMARY_CLASSES)), PRIMARY_CLASSES, rotation=45, ha="right")
            ax.set_yticks(range(len(PRIMARY_CLASSES)), PRIMARY_CLASSES)
            ax.set_xlabel("predicted")
            ax.set_ylabel("labelled")
            ax.set_title(f"{s.name}\nmacro-F1 {s.macro_f1:.3f}", fontsize=9)
            for (i, j), v in np.ndenumerate(cm):
                ax.text(j, i, str(v), ha="center", va="center", fontsize=8,
                        color="white" if v > cm.max() / 2 else "black")
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)


def pyplot() -> Any:
    """matplotlib's pyplot, drawing into files (Agg). Raises ConfigError naming the ``eval`` extra
    when matplotlib is not installed: ``eval tagging --plot`` calls it before evaluating, so a
    missing extra is known before minutes of encoding, not after."""
    try:
        import matplotlib
    except ImportError as exc:
        raise ConfigError(f"--plot needs matplotlib, which the default install leaves out: {install_hint('eval')}") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _format_curve(spec: str, curve: Sequence[CurvePoint], seconds: float) -> list[str]:
    runs = max(c.runs for c in curve)
    sizes = sorted({c.n for c in curve})
    lines = [f"-- {spec} learning curve  [macro-F1 after n corrections, mean of {runs} runs "
             f"(2 halves x seeds), German/English in brackets; {seconds:.0f} s]",
             "   method   order   " + "".join(f"{n:>21}" for n in sizes)]
    rows: dict[tuple[str, str], dict[int, CurvePoint]] = {}
    for c in curve:
        rows.setdefault((c.method, c.order), {})[c.n] = c
    for (method, order), by_n in rows.items():
        cells = []
        for n in sizes:
            point = by_n.get(n)
            cells.append(f"{point.macro_f1:.3f} ({point.by_lang.get('de', 0):.3f}/{point.by_lang.get('en', 0):.3f})"
                         if point else "")
        lines.append(f"   {method:<8} {order:<7} " + "".join(f"{cell:>21}" for cell in cells))
    lines.append("")
    return lines


def _format_scores(s: Scores, *, detailed: bool) -> list[str]:
    langs = ", ".join(f"{k} {v:.3f}" for k, v in sorted(s.by_lang.items()))
    lines = [
        f"-- {s.name}" + (f"  [{s.note}]" if s.note else ""),
        f"   primary macro-F1 {s.macro_f1:.3f}  accuracy {s.accuracy:.3f}  none-F1 {s.none_f1:.3f}  ({langs})",
    ]
    if s.per_area:
        lines.append("   area         precision  recall  F1     (multi-label on `areas`)")
        for area, d in s.per_area.items():
            lines.append(f"   {area:<12} {d['precision']:.3f}      {d['recall']:.3f}   {d['f1']:.3f}  n={int(d['support'])}")
    if detailed and s.confusion:
        short = [c[:5] for c in PRIMARY_CLASSES]
        lines.append("   confusion (rows labelled, columns predicted): " + " ".join(f"{c:>5}" for c in short))
        for c, row in zip(short, s.confusion, strict=True):
            lines.append(f"   {'':<44}{c:>5} " + " ".join(f"{v:>5}" for v in row))
    lines.append("")
    return lines


def run_tagging_evaluation(
    labels_path: str | Path,
    encoders: Sequence[str],
    *,
    areas_path: str | Path | None = None,
    folds: int = 5,
    progress: bool = False,
    cache_dir: str | Path | None = None,
    log: Any = None,
    curve_seeds: Sequence[int] = (0, 1, 2, 3, 4),
) -> TaggingReport:
    """Run the whole evaluation: every encoder (zero-shot and few-shot) and both
    baselines on one labels file. An encoder that fails to load is recorded with its
    error and skipped. Raises InvalidInput / ConfigError for a bad labels or area file."""
    import time

    from curator.embeddings import EmbeddingCache, FileEmbeddingCache, MemoryEmbeddingCache, make_encoder
    from curator.errors import CuratorError
    from curator.tagging import split_encoder_spec
    from curator.tagging.areas import load_areas

    items = load_labels(labels_path)
    areas = load_areas(areas_path)
    results: list[EncoderResult] = []
    for spec in encoders:
        res = EncoderResult(spec=spec)
        started = time.perf_counter()
        try:
            first, second = split_encoder_spec(spec)
            encoder = make_encoder(first)
            cache: EmbeddingCache = FileEmbeddingCache(cache_dir) if cache_dir else MemoryEmbeddingCache()
            tagger = Tagger(areas, encoder, cache=cache, second=make_encoder(second) if second else None)
            if log:
                log(f"encoding {len(items)} items with {spec} ...")
            vectors = tagger.embed([it.as_input() for it in items], progress=progress)
            langs = [it.lang for it in items]
            # an ensemble's second encoder centres its documents by language for its zero-shot
            # scores; the centres come from all evaluated items (no labels), as the product's
            # come from the stored items
            tagger = tagger.with_second_centres(vectors, langs)
            zero = tagger.tag_vectors(vectors, langs)
            res.model_id = encoder.model_id + (f"+{tagger.second.model_id}" if tagger.second is not None else "")
            res.zero_shot = score_predictions(
                f"{spec} zero-shot", items, [primary_of(r.areas) for r in zero], [r.areas for r in zero],
                note="area model only, no labels used",
            )
            few = few_shot_predictions(tagger, items, vectors, k=folds)
            res.few_shot = score_predictions(
                f"{spec} + corrections ({folds}-fold CV)", items, [primary_of(t) for t in few], few,
                note=f"head trained on {folds - 1}/{folds} of the labels as corrections, scored on the rest",
            )
            if curve_seeds:
                if log:
                    log(f"learning curve for {spec} ({len(curve_seeds)} seeds) ...")
                curve_started = time.perf_counter()
                res.curve = learning_curve(tagger, items, vectors, seeds=curve_seeds)
                res.curve_seconds = time.perf_counter() - curve_started
        except CuratorError as exc:
            res.error = str(exc)
        res.seconds = time.perf_counter() - started
        results.append(res)
    kw = keyword_predictions(items)
    baselines = [
        score_predictions("keyword rules", items, [primary_of(t) for t in kw], kw, note="hand-written stems, no training"),
        score_predictions(f"TF-IDF + logistic regression ({folds}-fold CV)", items, tfidf_predictions(items, k=folds)),
    ]
    by_lang: dict[str, int] = {}
    for it in items:
        by_lang[it.lang] = by_lang.get(it.lang, 0) + 1
    return TaggingReport(
        labels=str(labels_path), n_items=len(items), n_by_lang=by_lang, folds=folds,
        area_version=areas.version, encoders=results, baselines=baselines,
    )
