"""Unit tests for curator.ingest.feeds_file: the feeds-file format as the way sources go in
(console, import) and out (export), always by the rules of feeds.yaml."""

from __future__ import annotations

import pytest

from curator.errors import ConfigError, InvalidInput
from curator.ingest.feeds_file import console_source, dump_sources, free_source_id, parse_feeds_text
from curator.types import Source


def test_a_new_id_is_the_free_slug_of_the_title() -> None:
    assert free_source_id("  Example Feed! ", {"example-feed"}) == "example-feed-2"
    assert free_source_id("Example feed", {"example-feed", "example-feed-2"}) == "example-feed-3"
    assert free_source_id("¿¡", set()) == "source"


def test_an_editors_entry_becomes_a_console_source_by_the_files_rules() -> None:
    src = console_source("bee", url="https://b.example/rss", title="  Bee news ", visibility="club:it-executive",
                         lang="", areas=["technology"])
    assert src == Source(id="bee", title="Bee news", url="https://b.example/rss", lang=None, areas=("technology",),
                         visibility="club:it-executive", origin="console")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " "}, "needs a title"),
        ({"visibility": "everyone"}, "field 'visibility' must be public, members or club:<club-id>"),
        ({"visibility": "club:"}, "field 'visibility'"),
        ({"areas": ["astrology"]}, "field 'areas'"),
        ({"lang": "deutsch"}, "field 'lang'"),
    ],
)
def test_an_editors_entry_is_refused_with_the_field(kwargs: dict[str, object], message: str) -> None:
    entry: dict[str, object] = {"url": "https://b.example/rss", "title": "T", "visibility": "public", "lang": None,
                                "areas": [], **kwargs}
    with pytest.raises(InvalidInput, match=message.replace("(", r"\(").replace(")", r"\)")):
        console_source("t", **entry)  # type: ignore[arg-type]


def test_dumped_sources_read_back_unchanged_with_the_header_as_comments() -> None:
    sources = [
        Source(id="a", title="Ä news: «quoted»", url="https://a.example/feed?x=1&y=2", lang="de",
               areas=("work", "society"), visibility="club:womens-club", poll_minutes=240, enabled=False,
               kind="event"),
        Source(id="b", title="B", url="https://b.example/rss"),
    ]
    text = dump_sources(sources, header="exported\n\nby a test")
    assert text.startswith("# exported\n#\n# by a test\nsources:\n")
    assert "enabled: false" in text and "visibility: public" in text  # written out, not left to defaults
    assert parse_feeds_text(text, "backup.yaml") == tuple(sources)


def test_what_the_file_rules_refuse_is_not_dumped_and_not_read() -> None:
    with pytest.raises(ConfigError, match="field 'id'"):
        dump_sources([Source(id="Bad Id", title="x", url="https://x.example/")])
    with pytest.raises(ConfigError, match="^backup.yaml: not valid YAML"):
        parse_feeds_text("sources: [\n", "backup.yaml")
    with pytest.raises(ConfigError, match=r"^backup.yaml: source #2 \('b'\): field 'poll_minutes'"):
        parse_feeds_text("sources:\n  - {id: a, title: A, url: 'https://a.example/'}\n"
                         "  - {id: b, title: B, url: 'https://b.example/', poll_minutes: 1}\n", "backup.yaml")
