"""Unit tests for curator.ingest.feeds_file: editing feeds.yaml from the console."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from curator.config import load_feeds_file
from curator.errors import ConfigError, InvalidInput, NotFound
from curator.ingest.feeds_file import (
    read_feeds_document,
    with_new_source,
    with_source_enabled,
    write_feeds_document,
)

FEEDS = """\
# the editors' list
defaults:
  poll_minutes: 30
sources:
  - id: heise
    title: Heise online
    url: https://www.heise.de/rss/heise.rdf
    lang: de
"""


def _doc() -> dict[str, Any]:
    return {"defaults": {"poll_minutes": 30},
            "sources": [{"id": "example-feed", "title": "Example feed", "url": "https://a.example/rss"}]}


def test_new_source_gets_a_free_slug_and_only_known_values() -> None:
    doc = _doc()
    before = copy.deepcopy(doc)
    new, sid = with_new_source(doc, url="https://b.example/rss", title="  Example Feed! ", lang="fr",
                               areas=["technology", "astrology"])
    assert doc == before  # the input is left alone
    assert sid == "example-feed-2"
    assert new["sources"][-1] == {"id": "example-feed-2", "title": "Example Feed!", "url": "https://b.example/rss",
                                  "visibility": "public", "areas": ["technology"]}
    new, sid = with_new_source(new, url="https://c.example/rss", title="Example feed", visibility="club:it-exec",
                               lang="de")
    assert sid == "example-feed-3" and new["sources"][-1]["lang"] == "de"
    assert with_new_source({"sources": []}, url="https://d.example/", title="¿¡")[1] == "source"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"url": "https://b.example/rss", "title": " "}, "needs a title"),
        ({"url": "https://b.example/rss", "title": "T", "visibility": "everyone"}, "visibility"),
        ({"url": "https://b.example/rss", "title": "T", "visibility": "club:"}, "visibility"),
        ({"url": "https://a.example/rss", "title": "Again"}, "already a source"),
    ],
)
def test_new_source_refusals(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        with_new_source(_doc(), **kwargs)


def test_switching_a_source() -> None:
    doc = _doc()
    off = with_source_enabled(doc, "example-feed", False, where="feeds.yaml")
    assert off["sources"][0]["enabled"] is False and "enabled" not in doc["sources"][0]
    with pytest.raises(NotFound, match="no source 'import' in feeds.yaml"):
        with_source_enabled(doc, "import", True, where="feeds.yaml")


def test_read_missing_empty_and_broken_files(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    assert read_feeds_document(path) == {"sources": []}
    path.write_text("", encoding="utf-8")
    assert read_feeds_document(path) == {"sources": []}
    path.write_text("sources:\n", encoding="utf-8")
    assert read_feeds_document(path) == {"sources": []}
    path.write_text("sources: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        read_feeds_document(path)
    path.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mapping"):
        read_feeds_document(path)


def test_write_round_trip_keeps_entries_and_validates_first(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(FEEDS, encoding="utf-8")
    doc, sid = with_new_source(read_feeds_document(path), url="https://b.example/rss", title="Bee news")
    write_feeds_document(path, with_source_enabled(doc, "heise", False, where=str(path)))
    sources = {s.id: s for s in load_feeds_file(path)}
    assert set(sources) == {"heise", sid} and not sources["heise"].enabled
    assert sources["heise"].poll_minutes == 30 and sources["heise"].lang == "de"
    assert not (tmp_path / "feeds.yaml.tmp").exists()

    written = path.read_text(encoding="utf-8")
    bad = read_feeds_document(path)
    bad["sources"].append({"id": "Bad Id", "title": "x", "url": "https://x.example/"})
    with pytest.raises(ConfigError, match="id"):
        write_feeds_document(path, bad)
    assert path.read_text(encoding="utf-8") == written  # a refused edit leaves the file as it was
