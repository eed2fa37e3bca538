"""`curator rules`, through click, on a real SQLite file: preview, add (which prints the preview
first), list, disable, enable, delete, and errors as one line."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from curator.cli import main

from .conftest import item_lines


def test_rules_from_the_command_line(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    env = {"CURATOR_ENCODER": "fake"}
    run = CliRunner().invoke

    def ok(*args: str) -> str:
        res = run(main, ["--database", db, *args], env=env, catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return res.output

    ok("init")
    items = tmp_path / "items.jsonl"
    recent = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    items.write_text("\n".join(item_lines(recent)), encoding="utf-8")
    ok("import-items", str(items))
    preview = json.loads(ok("rules", "preview", "block", "keyword", "cloud|Weiterbildung", "--json"))
    titles = sorted(e["title"] for e in preview["examples"])
    assert preview["matched"] == 3 and preview["considered"] == 20 and preview["days"] == 30
    assert titles == ["Cloud Security Breach At Data Centre", "New Ai Chip For Cloud Servers",
                      "Weiterbildung Für Fachkräfte Im Betrieb"]
    assert "would hide 3 of 20 items" in ok("rules", "preview", "block", "keyword", "cloud|Weiterbildung")
    assert ok("rules", "list", "--json").strip() == "[]"  # previews save nothing

    out = ok("rules", "add", "boost", "area", "work", "--segment", "language:de", "--strength", "2",
             "--note", "Fachkräftewoche", "--editor", "community@cluster.example")
    assert "would lift" in out and "Rule 1 saved: boost area 'work' by 2 for language:de." in out
    listed = json.loads(ok("rules", "list", "--json"))
    assert [(r["id"], r["action"], r["segment"], r["strength"], r["note"], r["enabled"]) for r in listed] == [
        (1, "boost", "language:de", 2.0, "Fachkräftewoche", True)]
    assert "switched off" in ok("rules", "disable", "1")
    assert ok("rules", "list", "--enabled", "--json").strip() == "[]"
    assert "switched on" in ok("rules", "enable", "1")
    assert "Rule 1 deleted." in ok("rules", "delete", "1")
    assert "There was no rule 1." in ok("rules", "delete", "1")

    bad = run(main, ["--database", db, "rules", "add", "block", "area", "sports", "--editor", "ed"], env=env)
    assert bad.exit_code == 1 and "unknown area 'sports'" in bad.output
    bad = run(main, ["--database", db, "rules", "disable", "7"], env=env)
    assert bad.exit_code == 1 and "no editor rule with id 7" in bad.output
    assert "Example" in run(main, ["rules", "add", "--help"]).output
