"""`curator demo` runs every stage on the bundled content, without network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curator.demo.run import DEMO_DIR, run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo")
    lines: list[str] = []
    figures = run_demo(str(out), echo=lines.append)
    return out, {"figures": figures, "output": "\n".join(lines)}


def test_bundled_content_is_big_enough_and_bilingual() -> None:
    expected = [json.loads(x) for x in (DEMO_DIR / "expected_items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(expected) >= 120
    langs = {e["lang"] for e in expected}
    assert langs == {"de", "en"}
    for area in ("technology", "company", "work", "society", "government"):
        assert sum(area in e["areas"] for e in expected) >= 20, area
    assert sum(not e["areas"] for e in expected) >= 15


def test_demo_collects_everything_without_errors(demo: tuple[Path, dict]) -> None:
    out, result = demo
    f = result["figures"]
    assert f["collect_errors"] == []
    assert f["items"] >= 139 + f["posts_approved"]
    assert f["langs"]["de"] > 50 and f["langs"]["en"] > 50
    assert (f["posts_approved"], f["posts_rejected"], f["posts_pending"]) == (6, 1, 1)
    assert (out / "curator.db").exists()
    # tagging with the real multilingual model
    assert f["tagged"] >= f["items"] - 1
    assert f["tag_agreement"] >= 0.75
    assert all(f["by_area"][a] >= 15 for a in ("technology", "company", "work", "society", "government"))
    assert f["untagged"] >= 10
    # 14 same-story pairs were written into the demo; folding far more would hide real stories
    assert 10 <= f["duplicates"] <= 20
    assert "curator --database sqlite:///" in result["output"]


def test_demo_is_repeatable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURATOR_ENCODER", "fake")  # the real model runs in the fixture above
    first = run_demo(str(tmp_path), echo=lambda _: None)
    second = run_demo(str(tmp_path), echo=lambda _: None)
    assert first["items"] == second["items"]
