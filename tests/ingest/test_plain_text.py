"""Unit tests for curator.ingest.plain_text: the one way from plain text to a ParsedItem."""

from __future__ import annotations

from datetime import UTC, datetime

from curator.ingest.normalise import content_hash
from curator.ingest.plain_text import MAX_TEXT_CHARS, item_from_text
from curator.ingest.sanitise import find_executable_markup, sanitise_html

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DE = "Unternehmen in Hamburg suchen dringend IT-Fachkräfte für die Digitalisierung ihrer Prozesse."
EN = "Small and mid-sized firms across the region move their core processes to the cloud this year."


def test_paragraphs_are_escaped_and_sanitised() -> None:
    item = item_from_text(key="k", title="T", text="Hello </mj-text><script>alert(1)</script>\n\nSecond\nline",
                          lang="en")
    assert item.content_html == ("<p>Hello &lt;/mj-text&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p>"
                                 "<p>Second<br>line</p>")
    assert find_executable_markup(item.content_html) == []
    assert sanitise_html(item.content_html) == item.content_html  # already in its stored form


def test_text_is_cleaned_and_hash_covers_the_cleaned_text() -> None:
    item = item_from_text(key="k", title="Fach\u202ekräfte\x00", text=f"{DE}\x00\r\n", lang=None)
    assert item.title == "Fachkräfte" and "\x00" not in item.text and "\r" not in item.text
    assert item.content_hash == content_hash(item.title, item.text)
    assert item.lang == "de"  # detected when not given


def test_given_language_wins_over_detection() -> None:
    assert item_from_text(key="k", title="Cloud", text=EN, lang="de").lang == "de"
    assert item_from_text(key="k", title="Cloud", text=EN, lang="").lang == "en"


def test_link_is_kept_and_canonicalised() -> None:
    item = item_from_text(key="k", title="T", text=EN, link="https://X.example/a?utm_medium=rss#top")
    assert item.url == "https://X.example/a?utm_medium=rss#top"
    assert item.canonical_url == "https://x.example/a"
    blank = item_from_text(key="k", title="T", text=EN, link="  ")
    assert (blank.url, blank.canonical_url) == (None, None)
    odd = item_from_text(key="k", title="T", text=EN, link="javascript:alert(1)")
    assert odd.canonical_url is None


def test_lengths_summary_dates_and_author() -> None:
    long_text = "word " * (MAX_TEXT_CHARS // 4)
    item = item_from_text(key="import:1", title="x" * 5000, text=long_text, author="", published=NOW, lang="en")
    assert len(item.title) == 1000 and len(item.text) == MAX_TEXT_CHARS
    assert len(item.summary) <= 500 and item.summary.endswith("…")
    assert (item.key, item.author, item.published, item.updated) == ("import:1", None, NOW, None)
    assert item_from_text(key="k", title="T", text=EN).published is None
