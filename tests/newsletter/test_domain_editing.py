"""Drafting and editing an issue's texts and entries, and the default texts (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from curator.errors import InvalidInput
from curator.newsletter.editing import (
    check_kind,
    default_editor_picks,
    edited_entries,
    edited_options,
    edited_texts,
    pinned_entries,
)
from curator.newsletter.segments import parse_segment
from curator.newsletter.texts import date_label, default_texts, summary, week_period
from curator.types import DigestEntry, DigestIssue, Item, Segment

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def item(item_id: int, *, visibility: str = "public", kind: str = "article", areas: tuple[str, ...] = ("work",),
         hours_ago: int = 0, summary_text: str = "", text: str = "") -> Item:
    when = NOW - timedelta(hours=hours_ago)
    return Item(id=item_id, source_id="s", key=f"k{item_id}", kind=kind, title=f"t{item_id}", url=None,
                canonical_url=None, summary=summary_text, content_html="", text=text, author=None, published=when,
                first_seen=when, updated_at=when, lang="en", content_hash=str(item_id), visibility=visibility,
                areas=areas)


def issue(entries: tuple[DigestEntry, ...] = ()) -> DigestIssue:
    return DigestIssue(id=1, kind="digest", segment=Segment(), period=None, period_start=None, period_end=None,
                       texts={"en": {"subject": "S", "intro": "I"}}, options={"posts": 3}, state="draft", revision=1,
                       approved_revision=None, approved_by=None, approved_at=None, scheduled_for=None,
                       hold_reason=None, created_by="ed", created_at=NOW, updated_at=NOW, entries=entries)


def test_kinds() -> None:
    check_kind("invitation")
    with pytest.raises(InvalidInput, match="kind must be digest, special or invitation"):
        check_kind("flyer")


def test_default_editor_picks_are_the_newest_tagged_articles_everyone_may_see() -> None:
    pool = [item(1, hours_ago=3), item(2, hours_ago=1), item(3, areas=()), item(4, kind="event"),
            item(5, visibility="club:it-exec"), item(6, visibility="members", kind="member_news", hours_ago=2),
            item(7, visibility="club:other")]
    assert default_editor_picks(pool, parse_segment("everyone"), 3) == [2, 6, 1]
    assert default_editor_picks(pool, parse_segment("club:it-exec"), 2) == [5, 2]


def test_edited_texts() -> None:
    texts = {"en": {"subject": "S", "intro": "I"}}
    assert edited_texts(texts, lang="en", subject=None, preheader=None, intro=None) is None
    both = edited_texts(texts, lang=None, subject=" New ", preheader=None, intro=None)
    assert both == {"en": {"subject": "New", "intro": "I"}, "de": {"subject": "New"}}
    assert texts == {"en": {"subject": "S", "intro": "I"}}  # the input is not changed
    with pytest.raises(InvalidInput, match="subject line cannot be empty"):
        edited_texts(texts, lang="de", subject="  ", preheader=None, intro=None)
    with pytest.raises(InvalidInput, match="language must be de or en"):
        edited_texts(texts, lang="fr", subject=None, preheader=None, intro="x")


def test_edited_entries_keep_removals_and_never_pin_a_removed_item() -> None:
    start = issue((DigestEntry(1, "pinned", 0), DigestEntry(2, "pinned", 1), DigestEntry(9, "removed", 0)))
    assert edited_entries(start, pins=None, remove=()) is None
    assert edited_entries(start, pins=None, remove=[2]) == [DigestEntry(1, "pinned", 0), DigestEntry(2, "removed", 0),
                                                           DigestEntry(9, "removed", 0)]
    assert edited_entries(start, pins=[9, 3, 1], remove=()) == [DigestEntry(3, "pinned", 0), DigestEntry(1, "pinned", 1),
                                                               DigestEntry(9, "removed", 0)]
    assert pinned_entries([5, 4]) == [DigestEntry(5, "pinned", 0), DigestEntry(4, "pinned", 1)]


def test_edited_options() -> None:
    assert edited_options({"posts": 3}, None) is None and edited_options({"posts": 3}, {}) is None
    assert edited_options({"posts": 3, "events": 3}, {"posts": 1}) == {"posts": 1, "events": 3}


def test_default_texts_name_the_week() -> None:
    texts = default_texts("2026-W48")
    assert texts["en"]["subject"].endswith(" · 2026 week 48") and texts["de"]["subject"].endswith(" · 2026 KW 48")
    assert texts["en"]["intro"] == "" and texts["de"]["preheader"]
    assert " · " not in default_texts(None)["en"]["subject"]


def test_week_period_in_the_local_time_zone() -> None:
    sunday_night_utc = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    assert week_period(sunday_night_utc, UTC) == "2026-W47"
    assert week_period(sunday_night_utc, ZoneInfo("Europe/Berlin")) == "2026-W48"


def test_summary_is_plain_and_cut_at_a_word() -> None:
    assert summary(item(1, summary_text="<p>Tom &amp; Jerry</p>\n\n<b>x</b>")) == "Tom & Jerry x"
    assert summary(item(1, text="from the text")) == "from the text"
    long = summary(item(1, summary_text="word, " * 100), limit=30)
    assert long.endswith(" …") and len(long) <= 32 and not long[:-2].endswith(",")


def test_date_labels() -> None:
    day = datetime(2026, 2, 7, tzinfo=UTC)
    assert date_label(day, "de") == "07.02.2026" and date_label(day, "en") == "7 Feb 2026"
