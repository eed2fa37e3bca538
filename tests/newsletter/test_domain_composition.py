"""One member's view of an issue, composed from plain values (no database, no signing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from curator.newsletter.composition import (
    IssueContent,
    MemberLinks,
    compose_view,
    in_period,
    issue_content,
    item_url,
    personal_candidates,
    personal_pick_count,
)
from curator.rendering import DigestView
from curator.types import DigestEntry, DigestIssue, Item, Member, ScoredItem, Segment

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CLUB_MEMBER = Member(id=1, email="a@example.org", name=" Alice ", organisation=None, language="de", status="member",
                     tracking_consent=True, clubs=frozenset({"it-exec"}))
REGISTERED = Member(id=2, email="c@example.org", name="Carla", organisation=None, language="fr", status="registered")
LINKS = MemberLinks(item=lambda i: f"https://x.example/l/{i.id}", unsubscribe="https://x.example/u/t",
                    preferences="https://x.example/preferences/t")
NAMES = {"work": {"de": "Arbeit", "en": "Work"}}


def item(item_id: int, *, kind: str = "article", visibility: str = "public", hours_ago: int = 1,
         author: str | None = None, duplicate_of: int | None = None) -> Item:
    when = NOW - timedelta(hours=hours_ago)
    return Item(id=item_id, source_id="news", key=f"k{item_id}", kind=kind, title=f"Title {item_id}",
                url=f"https://news.example/{item_id}", canonical_url=None, summary=f"Summary {item_id}",
                content_html="", text="", author=author, published=when, first_seen=when, updated_at=when, lang="en",
                content_hash=str(item_id), visibility=visibility, areas=("work", "unknown"), duplicate_of=duplicate_of)


def issue(kind: str = "digest", **options: int) -> DigestIssue:
    return DigestIssue(id=5, kind=kind, segment=Segment(), period=None, period_start=None,  # type: ignore[arg-type]
                       period_end=None, texts={"en": {"subject": "Weekly", "intro": "Hi"}},
                       options={"personal_picks": 2, "posts": 1, "events": 1, **options}, state="approved",
                       revision=1, approved_revision=1, approved_by="ed", approved_at=NOW, scheduled_for=None,
                       hold_reason=None, created_by="ed", created_at=NOW, updated_at=NOW,
                       entries=(DigestEntry(10, "pinned", 0), DigestEntry(11, "pinned", 1), DigestEntry(12, "removed", 0)))


PINNED = [item(10), item(11, visibility="club:it-exec")]
PERIOD = [item(10), item(11, visibility="club:it-exec"), item(12), item(20), item(21, visibility="members"),
          item(22, kind="tender"), item(30, kind="member_post"), item(31, kind="member_post"),
          item(40, kind="event", author="Events team")]


def content(kind: str = "digest") -> IssueContent:
    return issue_content(issue(kind), PINNED, PERIOD, {"news": "Digital News"})


def ids(view: DigestView, key: str) -> list[int]:
    return [i.item_id for s in view.sections if s.key == key for i in s.items]


def test_issue_content_leaves_out_pinned_and_removed_items() -> None:
    c = content()
    assert [i.id for i in c.pinned] == [10, 11] and c.removed == frozenset({12})
    assert [i.id for i in c.candidates] == [20, 21, 22, 30, 31, 40]
    assert content("invitation").candidates == ()


def test_in_period_keeps_originals_up_to_the_end() -> None:
    items = [item(1, hours_ago=1), item(2, hours_ago=30), item(3, duplicate_of=1)]
    assert [i.id for i in in_period(items, NOW - timedelta(hours=2))] == [2]
    assert [i.id for i in in_period(items, None)] == [1, 2]


def test_personal_candidates_are_visible_articles_only() -> None:
    assert [i.id for i in personal_candidates(issue(), CLUB_MEMBER, content())] == [20, 21, 22]
    assert [i.id for i in personal_candidates(issue(), REGISTERED, content())] == [20, 22]
    assert personal_candidates(issue(personal_picks=0), CLUB_MEMBER, content()) == []
    assert personal_pick_count(issue("special")) == 0


def test_a_club_member_sees_every_section_each_item_once() -> None:
    picks: list[Item | ScoredItem] = [ScoredItem(item(10), 1.0, {}, "pinned already"), ScoredItem(item(21, visibility="members"), 0.9, {}, "because"),
             item(22, kind="tender"), item(20)]
    view = compose_view(issue(), CLUB_MEMBER, content(), picks, links=LINKS, area_names=NAMES, tz=UTC)
    assert [s.key for s in view.sections] == ["editor_picks", "personal", "posts", "events"]
    assert ids(view, "editor_picks") == [10, 11] and ids(view, "personal") == [21, 22]
    assert ids(view, "posts") == [30] and ids(view, "events") == [40]
    first = view.sections[1].items[0]
    assert first.why == "because" and first.url == "https://x.example/l/21" and first.areas == ("Arbeit", "unknown")
    assert first.source == "Digital News" and view.sections[3].items[0].source == "Events team"
    assert first.date == (NOW - timedelta(hours=1)).strftime("%d.%m.%Y")
    assert view.lang == "de" and view.greeting == "Hallo Alice,"
    assert view.subject == "Weekly" and view.intro == "Hi"  # no German texts: the English ones
    assert view.unsubscribe_url == LINKS.unsubscribe and view.preferences_url == LINKS.preferences
    assert view.segment_name == "Alle Mitglieder" and view.item_count == 6
    # a pick without a ranking explanation still says why (the member follows no area here)
    assert view.sections[1].items[1].why == "Weil es zu den relevantesten neuen Beiträgen gehört"
    assert all(i.why == "" for s in view.sections if s.key != "personal" for i in s.items)


def test_every_personal_pick_says_why_in_the_members_language() -> None:
    follower = replace(REGISTERED, language="en", declared_areas=("work",))
    view = compose_view(issue(), follower, content(), [item(20), item(22, kind="tender")], links=LINKS,
                        area_names=NAMES, tz=UTC)
    assert [i.why for i in view.sections[1].items] == ["Because you follow Work"] * 2
    german = compose_view(issue(), follower, content(), [item(20)], links=LINKS, area_names=NAMES, tz=UTC, lang="de")
    assert german.sections[1].items[0].why == "Weil Sie Arbeit folgen" and german.lang == "de"


def test_a_registered_user_sees_public_items_only_even_if_picks_say_otherwise() -> None:
    picks = [item(11, visibility="club:it-exec"), item(21, visibility="members"), item(20)]
    view = compose_view(issue(), REGISTERED, content(), picks, links=LINKS, area_names=NAMES, tz=UTC)
    assert ids(view, "editor_picks") == [10] and ids(view, "personal") == [20]
    assert view.lang == "en" and view.sections[0].title == "Editor's picks"
    shown = {i.item_id for s in view.sections for i in s.items}
    assert shown.isdisjoint({11, 21})


def test_special_newsletters_carry_their_pinned_items_only() -> None:
    view = compose_view(issue("special"), CLUB_MEMBER, content("special"), [item(20)], links=LINKS,
                        area_names=NAMES, tz=UTC)
    assert [s.key for s in view.sections] == ["editor_picks"]


def test_nothing_visible_means_an_empty_view_and_default_texts() -> None:
    bare = replace(issue("special"), texts={})
    view = compose_view(bare, REGISTERED, IssueContent((), frozenset(), (), {}), [], links=LINKS, area_names={},
                        tz=UTC)
    assert view.item_count == 0 and view.subject == "Your weekly digest"


def test_item_url_falls_back_to_the_item_page() -> None:
    assert item_url(item(1), "https://c.example/") == "https://news.example/1"
    assert item_url(replace(item(1), url="javascript:alert(1)"), "https://c.example/") == "https://c.example/items/1"
    assert item_url(replace(item(1), url=None), "https://c.example") == "https://c.example/items/1"
