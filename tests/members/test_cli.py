"""The member commands, through click, on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from curator.cli import main

from .conftest import MEMBERS_CSV, item_lines


def test_import_grant_feedback_recommend(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    env = {"CURATOR_ENCODER": "fake"}
    run = CliRunner().invoke

    def ok(*args: str) -> str:
        res = run(main, ["--database", db, *args], env=env, catch_exceptions=False)
        assert res.exit_code == 0, res.output
        return res.output

    ok("init")
    assert "it-executive" in ok("clubs", "create")
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS_CSV, encoding="utf-8")
    out = ok("import-members", str(members))
    assert "5 new" in out and "not granted" in out
    assert "granted by ed" in ok("clubs", "grant", "cio@alpha.example", "it-executive", "--editor", "ed")
    assert "cio@alpha.example  granted by ed" in ok("clubs", "list", "--members")
    items = tmp_path / "items.jsonl"
    items.write_text("\n".join(item_lines("2026-11-01T10:00:00Z")), encoding="utf-8")
    ok("import-items", str(items))
    feedback = tmp_path / "feedback.jsonl"
    feedback.write_text(json.dumps({"member": "cio@alpha.example", "item": 1, "kind": "rating", "value": 5,
                                    "at": "2026-11-02T10:00:00Z"}) + "\n", encoding="utf-8")
    assert "1 stored" in ok("import-feedback", str(feedback))
    recs = json.loads(ok("recommend", "--member", "cio@alpha.example", "--limit", "3", "--json"))
    assert len(recs) == 3 and all(r["explanation"].startswith("Because") for r in recs)
    assert 1 not in {r["item_id"] for r in recs}
    res = run(main, ["--database", db, "recommend", "--member", "nobody@x.example"], env=env)
    assert res.exit_code == 1 and "no member with email" in res.output
    assert "cio" in ok("personas", "list")


def test_an_editor_erases_a_person_from_the_command_line(tmp_path: Path) -> None:
    """`curator members erase EMAIL` removes the person (issue 10 #3); the address is gone from
    the members list and a second erase says there is nobody by that address."""
    db = f"sqlite:///{tmp_path / 'c.db'}"
    env = {"CURATOR_ENCODER": "fake"}
    run = CliRunner().invoke
    members = tmp_path / "members.csv"
    members.write_text(MEMBERS_CSV, encoding="utf-8")
    assert run(main, ["--database", db, "init"], env=env).exit_code == 0
    assert run(main, ["--database", db, "import-members", str(members)], env=env).exit_code == 0
    assert run(main, ["--database", db, "clubs", "create"], env=env).exit_code == 0
    assert run(main, ["--database", db, "clubs", "grant", "cio@alpha.example", "it-executive", "--editor", "ed"],
               env=env).exit_code == 0
    before = run(main, ["--database", db, "clubs", "list", "--members"], env=env)
    assert "cio@alpha.example" in before.output
    refused = run(main, ["--database", db, "members", "erase", "cio@alpha.example", "--editor", "ed"], env=env,
                  input="n\n")
    assert refused.exit_code != 0 and "Aborted" in refused.output
    out = run(main, ["--database", db, "members", "erase", "cio@alpha.example", "--editor", "ed", "--yes"], env=env)
    assert out.exit_code == 0 and "erased" in out.output, out.output
    listed = run(main, ["--database", db, "clubs", "list", "--members"], env=env)
    assert listed.exit_code == 0 and "cio@alpha.example" not in listed.output
    again = run(main, ["--database", db, "members", "erase", "cio@alpha.example", "--editor", "ed", "--yes"], env=env)
    assert again.exit_code == 1 and "cio@alpha.example" in again.output
