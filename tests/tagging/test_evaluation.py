"""The evaluation pipeline end to end on a small generated labels file (fake encoder)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curator.cli.tagging import eval_tagging
from curator.errors import InvalidInput
from curator.evaluation.tagging import load_labels, score_predictions

from .conftest import WORDS

AREA_OF = {"off_topic": "none"}


def _labels_file(tmp_path: Path) -> Path:
    lines = []
    for cls, words in WORDS.items():
        primary = AREA_OF.get(cls, cls)
        for i in range(6):
            title = " ".join(words[i % 8 : i % 8 + 2])
            text = " ".join(words[(i + 3) % 8 : (i + 3) % 8 + 3])
            lines.append({"id": f"{cls}-{i}", "lang": "en" if i % 2 else "de", "title": title, "text": text,
                          "primary": primary, "areas": [] if primary == "none" else [primary]})
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def test_eval_command_prints_all_sections(tmp_path: Path, toy_areas_file: Path) -> None:
    labels = _labels_file(tmp_path)
    plot = tmp_path / "cm.png"
    runner = CliRunner()
    result = runner.invoke(eval_tagging, ["--labels", str(labels), "--encoders", "fake:256,nope", "--areas",
                                          str(toy_areas_file), "--folds", "3", "--no-progress", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for needle in ("fake:256 zero-shot", "corrections (3-fold CV)", "keyword rules", "TF-IDF + logistic regression",
                   "confusion", "precision", "none-F1", "encoder nope: skipped: Unknown encoder"):
        assert needle in out, needle
    assert plot.exists() and plot.stat().st_size > 1000
    data = json.loads(runner.invoke(eval_tagging, ["--labels", str(labels), "--encoders", "fake:256", "--areas",
                                                   str(toy_areas_file), "--folds", "3", "--no-progress",
                                                   "--json"]).stdout)
    zero = data["encoders"][0]["zero_shot"]
    assert zero["macro_f1"] > 0.8  # the toy data is easy: the pipeline, not the model, is under test
    assert set(zero["by_lang"]) == {"de", "en"}
    assert len(zero["confusion"]["rows_true_cols_predicted"]) == 6


def test_scores_and_label_errors(tmp_path: Path) -> None:
    labels = load_labels(_labels_file(tmp_path))
    perfect = score_predictions("x", labels, [it.primary for it in labels], [it.areas for it in labels])
    assert perfect.macro_f1 == pytest.approx(1.0) and perfect.none_f1 == pytest.approx(1.0)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "primary": "finance", "areas": []}\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="line 1"):
        load_labels(bad)


def test_learning_curve_compares_methods_and_orders_on_the_same_runs(tmp_path: Path, toy_areas_file: Path) -> None:
    from curator.embeddings import FakeEncoder
    from curator.evaluation.tagging import learning_curve
    from curator.tagging import Tagger, load_areas

    items = load_labels(_labels_file(tmp_path))
    tagger = Tagger(load_areas(toy_areas_file), FakeEncoder(dim=256))
    vectors = tagger.embed([it.as_input() for it in items])
    curve = learning_curve(tagger, items, vectors, sizes=(4, 8, 12, 500), seeds=(0, 1))
    got = {(c.method, c.order, c.n): c for c in curve}
    # 500 is more than half of the 36 labels: left out; 0 is the zero-shot start of every line.
    assert set(got) == {(m, o, n) for m in ("today", "centred") for o in ("random", "active") for n in (0, 4, 8, 12)}
    assert all(c.runs == 4 and 0.0 <= c.macro_f1 <= 1.0 and set(c.by_lang) == {"de", "en"} for c in curve)
    # With no corrections every method and order is the same zero-shot tagger.
    assert len({round(got[(m, o, 0)].macro_f1, 9) for m in ("today", "centred") for o in ("random", "active")}) == 1


def test_eval_command_writes_the_learning_curve_plot(tmp_path: Path, toy_areas_file: Path) -> None:
    labels = _labels_file(tmp_path)
    plot = tmp_path / "curve.png"
    result = CliRunner().invoke(eval_tagging, ["--labels", str(labels), "--encoders", "fake:256", "--areas",
                                               str(toy_areas_file), "--folds", "3", "--no-progress",
                                               "--curve-seeds", "1", "--curve-plot", str(plot)])
    assert result.exit_code == 0, result.output
    assert "learning curve" in result.stdout
    assert plot.exists() and plot.stat().st_size > 1000


def test_eval_command_measures_an_ensemble_beside_its_first_encoder_on_the_same_runs(
        tmp_path: Path, toy_areas_file: Path) -> None:
    labels = _labels_file(tmp_path)
    result = CliRunner().invoke(eval_tagging, ["--labels", str(labels), "--encoders", "fake:256,fake:256+fake:96",
                                               "--areas", str(toy_areas_file), "--folds", "3", "--no-progress",
                                               "--curve-seeds", "1", "--json"])
    assert result.exit_code == 0, result.output
    alone, ensemble = json.loads(result.stdout)["encoders"]
    assert alone["encoder"] == "fake:256" and ensemble["encoder"] == "fake:256+fake:96"
    assert ensemble["model_id"] == "fake:bow-256+fake:bow-96" and not ensemble["error"]
    assert ensemble["zero_shot"]["macro_f1"] > 0.8 and ensemble["few_shot"]["macro_f1"] > 0.8
    # the same points on the same runs for both
    assert ({(c["method"], c["order"], c["n"], c["runs"]) for c in ensemble["learning_curve"]}
            == {(c["method"], c["order"], c["n"], c["runs"]) for c in alone["learning_curve"]})
    bad = CliRunner().invoke(eval_tagging, ["--labels", str(labels), "--encoders", "fake:256+", "--areas",
                                            str(toy_areas_file), "--folds", "3", "--no-progress", "--curve-seeds", "0"])
    assert "encoder fake:256+: skipped: Unknown encoder" in bad.stdout
