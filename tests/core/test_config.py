"""Settings precedence and feeds.yaml validation: mistakes name file, entry and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.config import load_feeds_file, load_settings
from curator.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_shipped_feeds_yaml_is_valid_and_covers_both_languages() -> None:
    sources = load_feeds_file(REPO / "feeds.yaml")
    assert len(sources) >= 10
    assert {s.lang for s in sources} >= {"de", "en"}
    assert len({s.id for s in sources}) == len(sources)
    covered = {a for s in sources for a in s.areas}
    assert covered == {"technology", "company", "work", "society", "government"}


@pytest.mark.parametrize(
    ("yaml_text", "expected"),
    [
        ("sources:\n  - id: a\n    title: A\n", r"source #1 \('a'\): field 'url' is required"),
        ("sources:\n  - id: Bad Id\n    title: A\n    url: https://x.example/f\n", r"field 'id' must be lowercase"),
        ("sources:\n  - id: a\n    title: A\n    url: ftp://x.example/f\n", r"field 'url' must start with http"),
        ("sources:\n  - id: a\n    title: A\n    url: https://x.example/f\n    areas: [sport]\n", r"field 'areas'"),
        ("sources:\n  - id: a\n    title: A\n    url: https://x.example/f\n    visibility: secret\n",
         r"field 'visibility'"),
        ("sources:\n  - id: a\n    title: A\n    url: https://x.example/f\n    poll_minutes: 1\n",
         r"field 'poll_minutes'"),
        ("sources:\n  - id: a\n    title: A\n    url: https://x.example/f\n  - id: a\n    title: B\n"
         "    url: https://y.example/f\n", r"source #2 \('a'\): field 'id' repeats"),
        ("sources:\n  - id: a\n    title: A\n    url: https://x.example/f\n    colour: red\n", r"unknown field"),
        ("sources: [\n", r"not valid YAML"),
    ],
)
def test_feeds_file_errors_name_file_entry_and_field(tmp_path: Path, yaml_text: str, expected: str) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as info:
        load_feeds_file(path)
    assert str(path) in str(info.value)


def test_defaults_apply_and_entries_override(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text("defaults:\n  poll_minutes: 30\n  visibility: members\nsources:\n"
                    "  - {id: a, title: A, url: 'https://a.example/f'}\n"
                    "  - {id: b, title: B, url: 'https://b.example/f', poll_minutes: 120, visibility: 'club:it-executive'}\n",
                    encoding="utf-8")
    a, b = load_feeds_file(path)
    assert (a.poll_minutes, a.visibility) == (30, "members")
    assert (b.poll_minutes, b.visibility) == (120, "club:it-executive")


def test_settings_precedence_file_env_override(tmp_path: Path) -> None:
    cfg = tmp_path / "curator.yaml"
    cfg.write_text("database_url: sqlite:///from-file.db\nfetch_total_timeout: 12\n", encoding="utf-8")
    s = load_settings(cfg, env={"CURATOR_FETCH_TOTAL_TIMEOUT": "7.5"})
    assert s.database_url == "sqlite:///from-file.db" and s.fetch_total_timeout == 7.5
    s = load_settings(cfg, env={}, database_url="sqlite:///flag.db")
    assert s.database_url == "sqlite:///flag.db" and s.fetch_total_timeout == 12.0
    with pytest.raises(ConfigError, match="unknown setting 'databse_url'"):
        cfg.write_text("databse_url: x\n", encoding="utf-8")
        load_settings(cfg, env={})
    with pytest.raises(ConfigError, match="CURATOR_FETCH_MAX_BYTES"):
        load_settings(None, env={"CURATOR_FETCH_MAX_BYTES": "lots"})
