"""Measuring search against a labelled query set.

Terms:

- **query set**: JSON lines with ``id``, ``query``, ``lang`` (the query's language) and
  ``relevant`` (the pool ids judged relevant, in either language; empty for a query about
  nothing in the pool), as in ``curator/evaluation/search_queries.jsonl``. It holds queries and
  ids only, never article text.
- **pool**: ``../shared/eval/pool.jsonl``, the articles searched (loaded into a temporary
  database by ``curator eval search``; never shipped).
- **group** of a query: ``cross`` when every relevant article is in the other language than the
  query, ``same`` when at least one is in the query's language, ``none`` when nothing is relevant.
- **recall@10**: share of a query's relevant articles among the first ten results, averaged over
  the queries of a group; **MRR**: mean of ``1 / rank`` of the first relevant result (0 if none).
- **empty share**: for ``none`` queries, the share that returned no result at all (the ideal).

Everything here is computation on given rankings; the CLI (``curator.cli.search``) loads the pool
through the facade, runs the searches and prints.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curator.errors import InvalidInput, NotFound
from curator.search import SearchTuning, fuse_text_and_semantic, mean_reciprocal_rank, recall_at
from curator.types import SearchMethod

__all__ = [
    "METHODS",
    "GroupFigures",
    "MethodFigures",
    "SearchQuery",
    "TuningRow",
    "default_pool_path",
    "default_queries_path",
    "format_report",
    "load_pool_langs",
    "load_queries",
    "report_json",
    "score_method",
    "tune",
]

METHODS: tuple[SearchMethod, ...] = ("substring", "text", "semantic-uncentred", "semantic", "fused")
"""The rankings compared, the old substring match (the baseline) first and the product's last."""

GROUPS = ("same", "cross", "all")
K = 10


def default_queries_path() -> Path:
    """The query set shipped beside this module."""
    return Path(__file__).with_name("search_queries.jsonl")


def default_pool_path() -> Path:
    """``$CURATOR_SHARED_DIR/eval/pool.jsonl``, else ``../shared/eval/pool.jsonl`` beside the repository."""
    shared = Path(os.environ.get("CURATOR_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
    return shared / "eval" / "pool.jsonl"


@dataclass(frozen=True)
class SearchQuery:
    """One labelled query."""

    id: str
    query: str
    lang: str
    relevant: tuple[str, ...]

    def group(self, pool_langs: Mapping[str, str]) -> str:
        """``same``, ``cross`` or ``none`` (see the module docstring)."""
        if not self.relevant:
            return "none"
        return "same" if any(pool_langs.get(r) == self.lang for r in self.relevant) else "cross"


def load_queries(path: Path) -> list[SearchQuery]:
    """The queries of a query-set file. Raises NotFound for a missing file and InvalidInput,
    naming the line, for a line that is not a query object."""
    if not path.exists():
        raise NotFound(f"{path}: no such query file")
    out = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out.append(SearchQuery(str(obj["id"]), str(obj["query"]), str(obj["lang"]),
                                   tuple(str(r) for r in obj["relevant"])))
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidInput(f"{path}, line {number}: expected {{\"id\", \"query\", \"lang\", \"relevant\": [...]}} "
                               f"({exc})") from exc
    return out


def load_pool_langs(path: Path) -> dict[str, str]:
    """Pool id -> language, for grouping queries. Raises NotFound when the pool is missing."""
    if not path.exists():
        raise NotFound(f"{path} is missing: the search evaluation needs ../shared/eval/pool.jsonl (or --pool FILE)")
    langs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            langs[str(obj["id"])] = str(obj.get("lang") or "")
    return langs


@dataclass(frozen=True)
class GroupFigures:
    queries: int
    recall_at_10: float
    mrr: float


@dataclass(frozen=True)
class MethodFigures:
    """The figures of one ranking: per group (same, cross, all) and the empty share of the
    queries about nothing (None when the set has none)."""

    method: str
    groups: dict[str, GroupFigures]
    empty_share: float | None


def score_method(method: str, queries: Sequence[SearchQuery], rankings: Mapping[str, Sequence[str]],
                 pool_langs: Mapping[str, str]) -> MethodFigures:
    """Figures for ``rankings`` (query id -> pool ids best first; a missing query counts as an
    empty ranking)."""
    groups = {}
    for group in GROUPS:
        chosen = [q for q in queries if q.relevant and (group == "all" or q.group(pool_langs) == group)]
        runs = [list(rankings.get(q.id, ()))[:K] for q in chosen]
        recall = sum(recall_at(r, q.relevant, K) for r, q in zip(runs, chosen, strict=True)) / len(chosen) \
            if chosen else 0.0
        groups[group] = GroupFigures(len(chosen), recall, mean_reciprocal_rank(runs, [set(q.relevant) for q in chosen]))
    nothing = [q for q in queries if not q.relevant]
    empty = sum(1 for q in nothing if not rankings.get(q.id)) / len(nothing) if nothing else None
    return MethodFigures(method, groups, empty)


@dataclass(frozen=True)
class TuningRow:
    tuning: SearchTuning
    figures: MethodFigures


def tune(queries: Sequence[SearchQuery], text: Mapping[str, Sequence[str]],
         semantic: Mapping[str, Sequence[tuple[str, float]]], pool_langs: Mapping[str, str],
         grid: Sequence[SearchTuning]) -> list[TuningRow]:
    """The fused figures for each setting of ``grid``, from each query's full-text ranking and
    its centred semantic ranking with cosines (no threshold applied), fused by the same function
    as the product (:func:`curator.search.fuse_text_and_semantic`). Rows in grid order."""
    rows = []
    for setting in grid:
        fused = {q.id: [key for key, _ in fuse_text_and_semantic(text.get(q.id, ()), semantic.get(q.id, ()), setting)]
                 for q in queries}
        rows.append(TuningRow(setting, score_method("fused", queries, fused, pool_langs)))
    return rows


def _figures_json(f: MethodFigures) -> dict[str, Any]:
    return {"method": f.method, "empty_share_nonsense": f.empty_share,
            **{g: {"queries": v.queries, "recall_at_10": round(v.recall_at_10, 4), "mrr": round(v.mrr, 4)}
               for g, v in f.groups.items()}}


def report_json(figures: Sequence[MethodFigures], tuning: SearchTuning, rows: Sequence[TuningRow] = ()) -> dict[str, Any]:
    """The whole report as one JSON-ready document."""
    out: dict[str, Any] = {"k": K, "tuning": vars(tuning), "methods": [_figures_json(f) for f in figures]}
    if rows:
        out["tuning_grid"] = [{"tuning": vars(r.tuning), **_figures_json(r.figures)} for r in rows]
    return out


def _line(label: str, f: MethodFigures) -> str:
    cells = "".join(f"  {f.groups[g].recall_at_10:6.3f} {f.groups[g].mrr:6.3f}" for g in GROUPS)
    empty = "    -" if f.empty_share is None else f"{f.empty_share:5.2f}"
    return f"{label:<34}{cells}   {empty}"


def format_report(figures: Sequence[MethodFigures], tuning: SearchTuning, rows: Sequence[TuningRow] = ()) -> str:
    """A plain-text table: recall@10 and MRR per method and group, and the tuning grid if given."""
    first = figures[0].groups if figures else {}
    counts = ", ".join(f"{g} {first[g].queries}" for g in GROUPS if g in first)
    head = f"{'':<34}" + "".join(f"  {g + ' R@10':>6} {'MRR':>6}" for g in GROUPS) + "   empty"
    lines = [f"Search on the labelled query set (queries: {counts}; 'empty' = share of queries about "
             "nothing that return nothing)", head]
    lines += [_line(f.method, f) for f in figures]
    lines.append(f"fused and semantic use the gate min_similarity={tuning.min_similarity}; fused uses "
                 f"text_weight={tuning.text_weight}, semantic_weight={tuning.semantic_weight}, rrf_k={tuning.rrf_k}")
    if rows:
        lines += ["", f"Tuning grid ({len(rows)} settings; fused):", head]
        lines += [_line(f"gate={r.tuning.min_similarity:.2f} t={r.tuning.text_weight:.0f} "
                        f"s={r.tuning.semantic_weight:.0f} k={r.tuning.rrf_k}", r.figures) for r in rows]
    return "\n".join(lines)
