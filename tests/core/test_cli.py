"""The CLI is a thin layer: each command works end to end and has --help with an example."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from curator.cli import main
from tests.core.test_collect import ITEMS, rss


def all_commands() -> list[list[str]]:
    out = []
    for name, cmd in main.commands.items():
        sub = getattr(cmd, "commands", None)
        if sub:
            out.extend([[name, s] for s in sub])
        else:
            out.append([name])
    return out


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    res = CliRunner().invoke(main, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Example" in res.output, f"`curator {' '.join(path)} --help` shows no example"


def test_import_of_curator_does_not_load_torch() -> None:
    import subprocess
    import sys

    code = "import sys, curator, curator.cli; print('torch' in sys.modules, 'sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_cli_collect_sources_items_posts(tmp_path: Path, httpserver: HTTPServer, db_url: str) -> None:
    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(f"sources:\n  - id: news\n    title: News\n    url: {httpserver.url_for('/feed')}\n    lang: en\n",
                     encoding="utf-8")
    env = {"CURATOR_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32", "CURATOR_ENCODER": "fake"}
    base = ["--database", db_url, "--feeds", str(feeds)]
    run = CliRunner().invoke
    res = run(main, [*base, "init"], env=env)
    assert res.exit_code == 0 and "1 added" in res.output, res.output
    res = run(main, [*base, "collect"], env=env)
    assert res.exit_code == 0 and "2 new items" in res.output, res.output
    res = run(main, [*base, "sources", "--json"], env=env)
    [src] = json.loads(res.output)
    assert src["item_count"] == 2 and src["last_error"] is None
    res = run(main, [*base, "items", "list", "--lang", "de", "--json"], env=env)
    [item] = json.loads(res.output)
    assert item["title"] == "Neue Regeln für Datenschutz"
    res = run(main, [*base, "items", "show", str(item["id"])], env=env)
    assert "DSGVO" in res.output
    res = run(main, [*base, "posts", "submit", "--title", "Hybrid work", "--author", "Ana",
                     "--text", "What we learned from two years of hybrid work in our team."], env=env)
    assert res.exit_code == 0 and "pending" in res.output
    res = run(main, [*base, "posts", "approve", "1", "--editor", "ed@cluster.example"], env=env)
    assert "approved" in res.output
    res = run(main, [*base, "items", "show", "999"], env=env)
    assert res.exit_code == 1 and "no item with id 999" in res.output and "Traceback" not in res.output


def test_cli_errors_are_one_readable_line(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources:\n  - id: x\n    title: X\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["--database", f"sqlite:///{tmp_path}/c.db", "--feeds", str(feeds), "init"])
    assert res.exit_code == 1
    assert "field 'url' is required" in res.output and str(feeds) in res.output


def test_import_items_command_reports_bad_lines(tmp_path: Path) -> None:
    data = tmp_path / "a.jsonl"
    data.write_text('{"id": "1", "title": "T", "text": "Body"}\nnot json\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["--database", f"sqlite:///{tmp_path}/c.db", "import-items", str(data)])
    assert res.exit_code == 0
    assert "1 new" in res.output and "1 bad lines" in res.output and "line 2" in res.output
