"""Search (``curator.items.search``): ``curator search QUERY`` and ``curator eval search``."""

from __future__ import annotations

from pathlib import Path

import click

from ..types import AREA_IDS, SearchMethod
from .common import CliState, echo_json, pass_state, shorten, table


@click.command("search")
@click.argument("query")
@click.option("--area", type=click.Choice(AREA_IDS), help="Only items of this subject area.")
@click.option("--lang", type=click.Choice(["de", "en"]), help="Only items in this language.")
@click.option("--limit", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (item_id, title, lang, score, snippet...).")
@pass_state
def search(state: CliState, query: str, area: str | None, lang: str | None, limit: int, as_json: bool) -> None:
    """Search every stored item in German and English: full text fused with semantic search, so
    an English query also finds German articles and the other way round.

    \b
    Example:
      curator search "skills shortage" --lang de --json
    """
    hits = state.curator().items.search(query, everything=True, area=area, lang=lang, limit=limit)
    if as_json:
        echo_json([{"item_id": h.item.id, "title": h.item.title, "lang": h.item.lang, "score": round(h.score, 6),
                    "url": h.item.url, "areas": list(h.item.areas), "snippet": h.snippet} for h in hits])
        return
    table([[str(h.item.id), f"{h.score:.4f}", h.item.lang or "?", ",".join(h.item.areas) or "-",
            shorten(h.item.title, 70)] for h in hits], ["id", "score", "lang", "areas", "title"])


TUNING_GRID_GATE = (-1.0, 0.12, 0.13, 0.14)
TUNING_GRID_SEMANTIC_WEIGHT = (1.0, 2.0, 3.0, 4.0)
TUNING_GRID_RRF_K = (10, 60)
"""The settings ``curator eval search --tune`` tries (every combination; text weight 1): the
gate on the best semantic hit (-1: off), the semantic side's weight and the fusion's rank constant."""


@click.command("search")
@click.option("--queries", "queries_file", type=click.Path(dir_okay=False), default=None,
              help="Labelled query set (default: the shipped curator/evaluation/search_queries.jsonl).")
@click.option("--pool", "pool_file", type=click.Path(dir_okay=False), default=None,
              help="Articles to search, JSON lines (default ../shared/eval/pool.jsonl).")
@click.option("--keep", "keep_db", type=click.Path(dir_okay=False), default=None,
              help="Keep the pool's SQLite database in this file and reuse it (nothing is encoded twice).")
@click.option("--tune", "with_grid", is_flag=True, help="Also print the fused figures for a grid of settings.")
@click.option("--progress/--no-progress", default=True, help="Encoding progress bar on stderr.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON document.")
@pass_state
def eval_search(state: CliState, queries_file: str | None, pool_file: str | None, keep_db: str | None,
                with_grid: bool, progress: bool, as_json: bool) -> None:
    """Measure search on a labelled query set: the pool is loaded into a temporary database,
    embedded with the configured encoder (default multilingual-e5-small) and searched through
    `curator search`'s own code. Prints recall@10 and MRR for the substring baseline, full text,
    semantic without and with per-language centring, and the fused search, for queries aimed at
    articles in the same and in the other language (docs/search.md).

    \b
    Example:
      curator eval search --keep /tmp/pool.db --tune
    """
    import tempfile

    from ..evaluation.search import (
        METHODS,
        default_pool_path,
        default_queries_path,
        format_report,
        load_pool_langs,
        load_queries,
        report_json,
        score_method,
        tune,
    )
    from ..search import SearchTuning

    queries = load_queries(Path(queries_file) if queries_file else default_queries_path())
    pool = Path(pool_file) if pool_file else default_pool_path()
    pool_langs = load_pool_langs(pool)
    if keep_db:
        db = Path(keep_db)
    else:
        db = Path(click.get_current_context().with_resource(tempfile.TemporaryDirectory())) / "pool.db"
    state.overrides["database_url"] = f"sqlite:///{db}"
    cur = state.curator()
    cur.items.import_jsonl(pool.read_text(encoding="utf-8").splitlines(), source_id="eval",
                           source_title="Evaluation pool")
    cur.tagging.tag(progress=progress)

    def ranking(query: str, method: SearchMethod, limit: int = 10, tuning: SearchTuning | None = None) -> list[str]:
        hits = cur.items.search(query, everything=True, limit=limit, method=method, tuning=tuning)
        return [h.item.key.removeprefix("import:") for h in hits]  # archive keys are "import:<pool id>"

    figures = [score_method(m, queries, {q.id: ranking(q.query, m) for q in queries}, pool_langs) for m in METHODS]
    rows = []
    if with_grid:
        text = {q.id: ranking(q.query, "text", limit=50) for q in queries}
        raw = SearchTuning(min_similarity=-1.0)
        semantic = {}
        for q in queries:
            hits = cur.items.search(q.query, everything=True, limit=50, method="semantic", tuning=raw)
            semantic[q.id] = [(h.item.key.removeprefix("import:"), h.score) for h in hits]
        grid = [SearchTuning(gate, 1.0, weight, k) for gate in TUNING_GRID_GATE
                for weight in TUNING_GRID_SEMANTIC_WEIGHT for k in TUNING_GRID_RRF_K]
        rows = tune(queries, text, semantic, pool_langs, grid)
    if as_json:
        echo_json(report_json(figures, SearchTuning(), rows))
    else:
        click.echo(format_report(figures, SearchTuning(), rows))
