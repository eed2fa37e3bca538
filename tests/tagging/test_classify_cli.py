"""`curator classify` through click's CliRunner with the fake encoder."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from curator.cli.tagging import classify


def test_classify_writes_one_line_per_item_and_reports_bad_lines(tmp_path: Path, toy_areas_file: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        "\n".join([
            json.dumps({"id": "1", "title": "New chip and cloud server", "text": "software laptop", "lang": "en"}),
            "{not json",
            json.dumps({"id": "2", "title": "Striker scores a goal", "text": "football tennis concert"}),
            json.dumps({"title": "no id"}),
            "",
            json.dumps({"id": 3, "title": "Parliament passes law", "text": "minister court"}),
        ]),
        encoding="utf-8",
    )
    result = CliRunner().invoke(classify, [str(items), "--encoder", "fake:256", "--areas", str(toy_areas_file)])
    assert result.exit_code == 1, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["1", "2", "3"]
    assert lines[0]["areas"][0] == "technology"
    assert lines[1]["areas"] == []
    assert lines[2]["areas"][0] == "government"
    assert set(lines[0]["scores"]) == {"technology", "company", "work", "society", "government"}
    assert "line 2" in result.stderr and "line 4" in result.stderr and '"id" is missing' in result.stderr


def test_classify_all_good_exits_zero_and_help_has_example(tmp_path: Path, toy_areas_file: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a", "title": "Union strike", "text": "wages overtime"}) + "\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(classify, [str(items), "--encoder", "fake:256", "--areas", str(toy_areas_file)])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["areas"][0] == "work"
    help_text = runner.invoke(classify, ["--help"]).output
    assert "Example" in help_text and "curator classify items.jsonl" in help_text


def test_unknown_encoder_is_a_clear_error(tmp_path: Path, toy_areas_file: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps({"id": "a", "title": "x", "text": "y"}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(classify, [str(items), "--encoder", "bert", "--areas", str(toy_areas_file)])
    assert result.exit_code != 0
    assert "Unknown encoder 'bert'" in str(result.exception)
