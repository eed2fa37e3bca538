"""Drafting rules without a database: the period a digest covers, the segments the weekly job
drafts, the editor's starting picks, a draft's warnings and the one-subject-a-week rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from curator.newsletter.audience import repeated_subject, week_start
from curator.newsletter.composition import IssueContent
from curator.newsletter.drafting import (
    MAX_WINDOW,
    MIN_WINDOW,
    digest_window,
    draft_warnings,
    expand_segments,
    starting_picks,
    without_shown,
)
from curator.newsletter.segments import parse_segment
from curator.newsletter.texts import default_texts
from curator.types import DigestIssue, Item

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # a Monday, 07:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")


def _item(n: int, *, days: float = 1, visibility: str = "public", kind: str = "article",
          areas: tuple[str, ...] = ("work",)) -> Item:
    return Item(id=n, source_id="s", key=f"k{n}", kind=kind, title=f"Item {n}", url=None, canonical_url=None,
                summary="", content_html="", text="", author=None, published=NOW - timedelta(days=days),
                first_seen=NOW, updated_at=NOW, lang="en", content_hash=f"h{n}",
                visibility=visibility, areas=areas)  # type: ignore[arg-type]


def _issue(issue_id: int = 1, *, segment: str = "everyone", subject: str = "Digest", de_subject: str | None = None,
           kind: str = "digest", days: int = 7) -> DigestIssue:
    return DigestIssue(
        id=issue_id, kind=kind, segment=parse_segment(segment), period="2026-W49",  # type: ignore[arg-type]
        period_start=NOW - timedelta(days=days), period_end=NOW,
        texts={"en": {"subject": subject}, "de": {"subject": de_subject or subject}},
        options={"editor_picks": 3, "personal_picks": 5}, state="draft", revision=1, approved_revision=None,
        approved_by=None, approved_at=None, scheduled_for=None, hold_reason=None, created_by="t",
        created_at=NOW, updated_at=NOW)


def test_the_window_runs_from_the_last_issue_between_a_week_and_a_month() -> None:
    assert digest_window(NOW, None) == (NOW - MAX_WINDOW, NOW)  # a segment's first issue
    assert digest_window(NOW, NOW - timedelta(days=12)) == (NOW - timedelta(days=12), NOW)
    assert digest_window(NOW, NOW - timedelta(days=3)) == (NOW - MIN_WINDOW, NOW)  # at least a week
    assert digest_window(NOW, NOW - timedelta(days=90)) == (NOW - MAX_WINDOW, NOW)  # at most a month
    assert (timedelta(days=7), timedelta(days=30)) == (MIN_WINDOW, MAX_WINDOW)


def test_club_star_means_every_club_and_each_segment_is_drafted_once() -> None:
    assert expand_segments(["everyone", "club:*"], ["it-exec", "women"]) == ["everyone", "club:it-exec",
                                                                           "club:women"]
    assert expand_segments(["club:women", "club:*", "everyone", "everyone"], ["it-exec", "women"]) == [
        "club:women", "club:it-exec", "everyone"]
    assert expand_segments(["club:*"], []) == []


def test_a_club_digest_starts_with_the_clubs_own_articles_and_never_last_weeks_picks() -> None:
    pool = [_item(1, days=1), _item(2, days=2), _item(3, days=3, visibility="club:it-exec"),
            _item(4, days=4), _item(5, days=0.5, visibility="club:women")]
    club = parse_segment("club:it-exec")
    assert starting_picks(pool, club, 3) == [3, 1, 2]
    assert starting_picks(pool, parse_segment("everyone"), 3) == [1, 2, 4]  # no club item for everyone
    assert starting_picks(pool, parse_segment("everyone"), 3, exclude=[1]) == [2, 4]
    assert starting_picks(pool, club, 1) == [3]


def test_a_draft_with_too_few_articles_says_so() -> None:
    articles = tuple(_item(n) for n in range(1, 9))
    post = _item(20, kind="member_post")
    full = IssueContent(pinned=articles[:3], removed=frozenset(), candidates=(*articles[3:], post),
                        source_titles={})
    assert draft_warnings(_issue(), full) == ()
    few = IssueContent(pinned=(), removed=frozenset(), candidates=(*articles[:2], post), source_titles={})
    (warning,) = draft_warnings(_issue(days=12), few)
    assert (warning.key, warning.count, warning.minimum, warning.days) == ("few_articles", 2, 8, 12)
    # a club's articles count only for the club's digest
    club_only = IssueContent(pinned=(), removed=frozenset(), source_titles={},
                             candidates=tuple(_item(n, visibility="club:it-exec") for n in range(1, 9)))
    assert draft_warnings(_issue(segment="club:it-exec"), club_only) == ()
    assert [w.key for w in draft_warnings(_issue(), club_only)] == ["no_articles"]
    assert draft_warnings(_issue(kind="special"), club_only) == ()  # carries what the editor pinned


def test_one_subject_per_member_and_week() -> None:
    everyone = _issue(1, subject="DigitalCluster · week 49", de_subject="DigitalCluster · KW 49")
    club = _issue(2, segment="club:it-exec", subject="IT Executive Club · week 49")
    assert repeated_subject(club, "en", [everyone]) is None
    same = _issue(3, segment="club:it-exec", subject="  digitalcluster ·  WEEK 49")
    assert "this subject this week (issue 1)" in (repeated_subject(same, "en", [everyone]) or "")
    assert repeated_subject(same, "de", [everyone]) is None  # the German copies differ
    assert repeated_subject(everyone, "en", [everyone]) is None  # an issue never blocks itself
    assert repeated_subject(_issue(4, kind="special", subject="DigitalCluster · week 49"), "en", [everyone]) is None


def test_the_week_starts_on_monday_in_the_clusters_time_zone() -> None:
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # Monday 00:30 in Berlin
    assert week_start(sunday_night, BERLIN) == datetime(2026, 11, 30, tzinfo=BERLIN)
    assert week_start(NOW + timedelta(days=6), BERLIN) == datetime(2026, 11, 30, tzinfo=BERLIN)


def test_default_subjects_name_the_segment_except_everyones() -> None:
    plain = default_texts("2026-W49")
    named = default_texts("2026-W49", {"en": "IT Executive Club", "de": "IT Executive Club"})
    assert plain["en"]["subject"] == "Your weekly digest · 2026 week 49"
    assert named["en"]["subject"] == "IT Executive Club · Your weekly digest · 2026 week 49"
    assert named["de"]["subject"].startswith("IT Executive Club · ") and "KW 49" in named["de"]["subject"]


def test_what_a_member_was_shown_leaves_every_section() -> None:
    content = IssueContent(pinned=(_item(1), _item(2)), removed=frozenset(), candidates=(_item(3), _item(4)),
                           source_titles={})
    left = without_shown(content, {2, 3})
    assert [i.id for i in left.pinned] == [1] and [i.id for i in left.candidates] == [4]
