"""The CLI is a thin layer: each command works end to end and has --help with an example."""

from __future__ import annotations

import json
import os
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


def _feeds_file(tmp_path: Path, urls: dict[str, str]) -> Path:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text("sources:\n" + "".join(f"  - id: {sid}\n    title: {sid.title()}\n    url: {url}\n    lang: en\n"
                                            for sid, url in urls.items()), encoding="utf-8")
    return feeds


COLLECT_ENV = {"CURATOR_FETCH_ALLOWED_NETWORKS": "127.0.0.1/32", "CURATOR_ENCODER": "fake"}


def test_collect_exits_1_when_every_source_failed(tmp_path: Path, httpserver: HTTPServer, db_url: str) -> None:
    """Issue 10, item 9: a run that collected nothing is a failure for cron and scripts; one good
    source among broken ones is still a success."""
    httpserver.expect_request("/down").respond_with_data("unavailable", status=503)
    httpserver.expect_request("/html").respond_with_data("<html>not a feed</html>", content_type="text/html")
    httpserver.expect_request("/good").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    feeds = _feeds_file(tmp_path, {"down": httpserver.url_for("/down"), "html": httpserver.url_for("/html")})
    base = ["--database", db_url, "--feeds", str(feeds)]
    run = CliRunner().invoke
    assert run(main, [*base, "init"], env=COLLECT_ENV).exit_code == 0
    res = run(main, [*base, "collect"], env=COLLECT_ENV)
    assert res.exit_code == 1, res.output
    assert "2 sources: 0 new items, 0 updated, 2 failed." in res.output
    assert "Error: nothing was collected, all 2 sources failed" in res.output and "curator collect" in res.output
    assert "Traceback" not in res.output
    res = run(main, [*base, "collect", "--force", "--json"], env=COLLECT_ENV)
    assert res.exit_code == 1 and len([line for line in res.output.splitlines() if line.startswith("{")]) == 2

    _feeds_file(tmp_path, {"down": httpserver.url_for("/down"), "html": httpserver.url_for("/html"),
                           "good": httpserver.url_for("/good")})
    res = run(main, [*base, "collect", "--force"], env=COLLECT_ENV)
    assert res.exit_code == 0 and "3 sources: 2 new items, 0 updated, 2 failed." in res.output, res.output


def test_collect_on_a_read_only_database_says_so_without_a_traceback(tmp_path: Path, httpserver: HTTPServer) -> None:
    """Issue 10, item 9: a database that cannot be written fails the run with a readable reason,
    whether it fails while loading feeds.yaml or while storing items (SQLite opened read-only)."""
    import subprocess
    import sys

    httpserver.expect_request("/feed").respond_with_data(rss(ITEMS), content_type="application/rss+xml")
    feeds = _feeds_file(tmp_path, {"news": httpserver.url_for("/feed")})
    db = tmp_path / "c.db"
    res = CliRunner().invoke(main, ["--database", f"sqlite:///{db}", "--feeds", str(feeds), "init"], env=COLLECT_ENV)
    assert res.exit_code == 0, res.output
    read_only = ["--database", f"sqlite:///file:{db}?mode=ro&uri=true", "--feeds", str(feeds)]

    feeds.write_text(feeds.read_text(encoding="utf-8").replace("title: News", "title: News renamed"), encoding="utf-8")
    res = CliRunner().invoke(main, [*read_only, "collect"], env=COLLECT_ENV)
    assert res.exit_code == 1, res.output
    assert "collecting stopped because the database failed" in res.output
    assert "readonly database" in res.output and "written" in res.output and "Traceback" not in res.output

    # In a process of its own, so that what the CLI logs reaches stderr as a user would see it.
    out = subprocess.run([sys.executable, "-c", "from curator.cli import main; main()", *read_only,
                          "collect", "--no-sync"], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, **COLLECT_ENV})
    assert out.returncode == 1, out.stderr
    assert "Error: nothing was collected, the only source failed: could not store items" in out.stderr
    assert "readonly database" in out.stderr
    assert "Traceback" not in out.stdout + out.stderr
