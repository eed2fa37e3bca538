"""The search evaluation: its figures on hand-made rankings, the shipped query set, the tuning
simulation against the product's own fused search, and ``curator eval search`` end to end (fake
encoder, a small pool; the real run with e5 is the command in docs/search.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curator.cli import main
from curator.config import Settings
from curator.core import make_curator
from curator.errors import InvalidInput
from curator.evaluation.search import (
    SearchQuery,
    default_queries_path,
    load_pool_langs,
    load_queries,
    score_method,
    tune,
)
from curator.search import SearchTuning, fuse_text_and_semantic
from tests.conftest import shared_dir

LANGS = {"d1": "de", "d2": "de", "e1": "en", "e2": "en"}


def test_groups_and_figures_on_hand_made_rankings() -> None:
    same = SearchQuery("s", "chips", "en", ("e1", "d1"))
    cross = SearchQuery("c", "Fachkräfte", "de", ("e2",))
    nothing = SearchQuery("n", "xqzt", "en", ())
    assert (same.group(LANGS), cross.group(LANGS), nothing.group(LANGS)) == ("same", "cross", "none")
    figures = score_method("m", [same, cross, nothing], {"s": ["d2", "e1"], "c": ["d1", "d2", "e2"], "n": []}, LANGS)
    assert figures.groups["same"].recall_at_10 == 0.5 and figures.groups["same"].mrr == 0.5
    assert figures.groups["cross"].recall_at_10 == 1.0 and figures.groups["cross"].mrr == pytest.approx(1 / 3)
    assert figures.groups["all"].queries == 2 and figures.groups["all"].mrr == pytest.approx((0.5 + 1 / 3) / 2)
    assert figures.empty_share == 1.0
    assert score_method("m", [nothing], {"n": ["d1"]}, LANGS).empty_share == 0.0


def test_tuning_drops_weak_semantic_hits_and_weighs_the_sides() -> None:
    q = SearchQuery("q", "x", "en", ("e2",))
    text = {"q": ["e1"]}
    semantic = {"q": [("e2", 0.30), ("d1", 0.05)]}
    plain, strict, text_first = tune([q], text, semantic, LANGS, [
        SearchTuning(0.0, 1.0, 1.0), SearchTuning(0.5, 1.0, 1.0), SearchTuning(0.0, 2.0, 1.0)])
    assert plain.figures.groups["all"].mrr == 0.5  # e1 (text, first seen) and e2 tie: e1 first
    assert strict.figures.groups["all"].recall_at_10 == 0.0  # e2 is below 0.5: dropped
    assert text_first.figures.groups["all"].mrr == 0.5


def test_query_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "a", "query": "x", "lang": "en", "relevant": []}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 2"):
        load_queries(bad)


def test_the_shipped_query_set_is_labelled_and_holds_no_article_text() -> None:
    path = default_queries_path()
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(set(r) == {"id", "query", "lang", "relevant"} for r in rows)  # ids only, never an article's text
    assert all(len(r["query"]) <= 80 for r in rows)
    queries = load_queries(path)
    assert len({q.id for q in queries}) == len(queries) >= 30
    assert {q.lang for q in queries} == {"de", "en"}
    langs = load_pool_langs(shared_dir("eval", "pool.jsonl"))
    assert all(r in langs for q in queries for r in q.relevant), "every judged id is a pool article"
    groups = [q.group(langs) for q in queries]
    assert groups.count("cross") >= groups.count("same") > 10 and groups.count("none") >= 2


def _small_pool(tmp_path: Path) -> tuple[Path, Path]:
    pool = tmp_path / "pool.jsonl"
    pool.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in [
        {"id": "de-ki", "lang": "de", "title": "KI in der Verwaltung", "text": "Behörden setzen KI ein."},
        {"id": "de-kinder", "lang": "de", "title": "Kinderbetreuung", "text": "Mehr Kinder in der Kita."},
        {"id": "en-steel", "lang": "en", "title": "Steel prices rise", "text": "Steel prices rose again."},
        {"id": "en-ai", "lang": "en", "title": "AI in public offices", "text": "Agencies use AI tools."}]),
        encoding="utf-8")
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps(o) + "\n" for o in [
        {"id": "k", "query": "KI", "lang": "de", "relevant": ["de-ki", "en-ai"]},
        {"id": "s", "query": "Stahlpreise", "lang": "de", "relevant": ["en-steel"]},
        {"id": "n", "query": "qqqq", "lang": "en", "relevant": []}]), encoding="utf-8")
    return pool, queries


def test_tuning_simulation_is_the_products_fused_search(tmp_path: Path, settings: Settings) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the fusion, not the database, is under test here")
    pool, _ = _small_pool(tmp_path)
    cur = make_curator(settings)
    try:
        cur.items.import_jsonl(pool.read_text(encoding="utf-8").splitlines())
        cur.tagging.tag()
        for query in ("KI", "Verwaltung steel", "agencies"):
            for tuning in (SearchTuning(), SearchTuning(-1.0, 1.0, 2.0), SearchTuning(0.2, 2.0, 1.0)):
                product = [h.item.id for h in cur.items.search(query, everything=True, tuning=tuning)]
                text = [h.item.id for h in cur.items.search(query, everything=True, method="text", limit=50)]
                semantic = [(h.item.id, h.score) for h in cur.items.search(
                    query, everything=True, method="semantic", limit=50, tuning=SearchTuning(min_similarity=-1.0))]
                q = SearchQuery("q", query, "de", tuple(product[:1]))
                fused = tune([q], {"q": text}, {"q": semantic}, {}, [tuning])[0]
                assert fused.figures.groups["all"].mrr == (1.0 if product else 0.0)
                assert [k for k, _ in fuse_text_and_semantic(text, semantic, tuning)][:20] == product
    finally:
        cur.close()


def test_eval_search_command_prints_every_method(tmp_path: Path, settings: Settings) -> None:
    if not settings.database_url.startswith("sqlite"):
        pytest.skip("the command makes its own SQLite database")
    pool, queries = _small_pool(tmp_path)
    env = {"CURATOR_ENCODER": "fake"}
    result = CliRunner().invoke(main, ["eval", "search", "--pool", str(pool), "--queries", str(queries),
                                       "--no-progress", "--json", "--tune"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [m["method"] for m in report["methods"]] == ["substring", "text", "semantic-uncentred", "semantic", "fused"]
    substring, text = report["methods"][0], report["methods"][1]
    assert substring["same"]["queries"] == 1 and substring["cross"]["queries"] == 1
    # "KI" as a substring also matches "Kinder" (rank 1 or 2), full text only whole words
    assert text["same"]["mrr"] == 1.0 and text["same"]["recall_at_10"] == 0.5
    assert len(report["tuning_grid"]) == 32
    plain = CliRunner().invoke(main, ["eval", "search", "--pool", str(pool), "--queries", str(queries),
                                      "--no-progress"], env=env)
    assert plain.exit_code == 0 and "R@10" in plain.output
    assert "fused" in plain.output and "substring" in plain.output
    missing = CliRunner().invoke(main, ["eval", "search", "--pool", str(tmp_path / "absent.jsonl")], env=env)
    assert missing.exit_code == 1 and "absent.jsonl" in missing.output
