"""Unit tests for curator.ingest.jsonl: the JSON Lines loop and the article archive format."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from curator.errors import InvalidInput, NotFound
from curator.ingest.jsonl import archive_source_id, parse_archive, read_jsonl

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _number(obj: dict[str, Any]) -> int | None:
    if obj.get("skip"):
        return None
    return int(obj["n"])  # KeyError is not a line error: it propagates unless asked for


def test_read_jsonl_numbers_lines_and_reports_each_bad_one() -> None:
    lines = ['{"n": 1}', "", "{not json", "[1, 2]", '{"n": "x"}', '{"n": 5, "skip": true}', '{"n": 7}']
    read = read_jsonl(lines, _number)
    assert read.values == ((1, 1), (7, 7))
    assert [n for n, _ in read.errors] == [3, 4, 5]
    assert read.errors[1] == (4, "line 4: expected a JSON object")
    assert all(msg.startswith(f"line {n}: ") for n, msg in read.errors)
    assert read.skipped == 1


def test_read_jsonl_lets_other_errors_through_unless_named() -> None:
    with pytest.raises(KeyError):
        read_jsonl(['{"m": 1}'], _number)

    def lookup(obj: dict[str, Any]) -> int:
        raise NotFound(f"no item '{obj['item']}'")

    read = read_jsonl(['{"item": "a"}'], lookup, line_errors=(ValueError, InvalidInput, NotFound))
    assert read.errors == ((1, "line 1: no item 'a'"),)


def test_archive_good_and_bad_lines() -> None:
    lines = [
        json.dumps({"id": "1", "title": "AI Act enters into force", "text": "The EU regulation on AI applies.",
                    "lang": "en", "published": "2026-10-01T10:00:00+02:00", "source": "bbc"}),
        "{not json",
        json.dumps({"id": "2", "title": "", "text": "x"}),
        json.dumps({"id": 3, "title": "Fachkräftemangel", "text": "Unternehmen suchen IT-Fachkräfte.\x00",
                    "url": "https://x.example/a?utm_medium=rss"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "6", "title": "T", "text": "x", "url": 5}),
        json.dumps({"id": "7", "title": "T", "text": "x", "published": "yesterday"}),
        json.dumps({"id": "8", "title": "T", "text": "x", "lang": ["de"]}),
    ]
    archive = parse_archive(lines, source_id="import", now=NOW)
    assert [n for n, _ in archive.errors] == [2, 3, 5, 6, 7, 8]
    assert "title" in archive.errors[1][1] and "url" in archive.errors[3][1]
    assert "published" in archive.errors[4][1] and "lang" in archive.errors[5][1]
    assert list(archive.by_source) == ["import-bbc", "import"]
    [ai] = archive.by_source["import-bbc"]
    assert ai.key == "import:1" and ai.lang == "en" and ai.author is None
    assert ai.published is not None and ai.published.isoformat() == "2026-10-01T08:00:00+00:00"
    [fk] = archive.by_source["import"]
    assert fk.key == "import:3" and fk.lang == "de" and "\x00" not in fk.text
    assert fk.canonical_url == "https://x.example/a" and fk.published is None


def test_archive_keys_are_stable_and_dates_never_in_the_future() -> None:
    line = json.dumps({"id": "9", "title": "T", "text": "Some text here.", "published": "2030-01-01"})
    first = parse_archive([line], source_id="import", now=NOW)
    again = parse_archive([line], source_id="import", now=NOW)
    assert first == again
    assert first.by_source["import"][0].published == NOW


@pytest.mark.parametrize(
    ("sub", "expected"),
    [(None, "import"), ("", "import"), ("  ", "import"), ("BBC News", "import-bbc-news"), (7, "import")],
)
def test_archive_source_id(sub: object, expected: str) -> None:
    assert archive_source_id("import", sub) == expected
