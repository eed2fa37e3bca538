"""The demo stage on the bundled members file."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from curator.core import Curator
from curator.demo.members_stage import MEMBERS_FILE, run_members_stage

from .conftest import item_lines


def test_members_stage_imports_grants_and_recommends(curator: Curator) -> None:
    if not MEMBERS_FILE.exists():
        import pytest

        pytest.skip("curator/demo/members.csv is not bundled yet")
    curator.items.import_jsonl(item_lines((curator.clock.now() - timedelta(days=2)).isoformat()))
    for item in curator.items.list():
        area = item.key.split(":")[1].rsplit("-", 1)[0]
        curator.storage.set_item_areas(item.id, {area: 0.9}, curator.clock.now())
    lines: list[str] = []
    figures: dict[str, Any] = {}
    run_members_stage(curator, lines.append, figures)
    out = "\n".join(lines)
    assert figures["members"] == 41 and figures["club_memberships"] == 35
    assert figures["recommended"] == 10 and figures["feedback_events"] > 0
    assert "Feed of" in out and ("Weil " in out or "Because " in out)
