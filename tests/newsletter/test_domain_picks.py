"""Personal picks without a database: the fallback order and a ranking restricted to an issue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from curator.newsletter.picks import newest_in_member_areas, picks_from_ranking, ranking_depth
from curator.types import Item, Member, ScoredItem

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEMBER = Member(id=1, email="m@example.org", name="M", organisation=None, language="en", status="member",
                declared_areas=("work", "company"))


def item(item_id: int, *areas: str, hours_ago: int = 0) -> Item:
    when = NOW - timedelta(hours=hours_ago)
    return Item(id=item_id, source_id="s", key=f"k{item_id}", kind="article", title=f"t{item_id}", url=None,
                canonical_url=None, summary="", content_html="", text="", author=None, published=when,
                first_seen=when, updated_at=when, lang="en", content_hash=str(item_id), visibility="public",
                areas=areas)


def scored(i: Item, score: float) -> ScoredItem:
    return ScoredItem(item=i, score=score, components={}, explanation=f"why {i.id}")


def test_fallback_prefers_more_shared_areas_then_newer_then_higher_id() -> None:
    a, b, c, d = item(1, "work", hours_ago=5), item(2, "work", "company", hours_ago=9), item(3, "society"), item(4, "work", hours_ago=5)
    assert [i.id for i in newest_in_member_areas(MEMBER, [a, b, c, d], 3)] == [2, 4, 1]


def test_ranking_is_restricted_to_the_candidates_and_topped_up() -> None:
    in_issue = [item(1, "work"), item(2, "society"), item(3, "company", hours_ago=1)]
    outside = item(99, "work")
    ranked = [scored(outside, 0.9), scored(in_issue[1], 0.8)]
    picks = picks_from_ranking(MEMBER, ranked, in_issue, 3)
    assert [p.item.id if isinstance(p, ScoredItem) else p.id for p in picks] == [2, 1, 3]
    assert isinstance(picks[0], ScoredItem) and picks[0].explanation == "why 2"


def test_ranking_cut_to_the_limit_and_no_ranking_means_fallback() -> None:
    cands = [item(i, "work", hours_ago=i) for i in range(1, 6)]
    ranked = [scored(c, 1.0 - c.id / 10) for c in reversed(cands)]
    assert [p.item.id for p in picks_from_ranking(MEMBER, ranked, cands, 2) if isinstance(p, ScoredItem)] == [5, 4]
    assert [p.id for p in picks_from_ranking(MEMBER, None, cands, 2) if isinstance(p, Item)] == [1, 2]
    assert picks_from_ranking(MEMBER, [], [], 3) == []


def test_ranking_depth_looks_beyond_the_issue() -> None:
    assert ranking_depth(1) == 30 and ranking_depth(10) == 60
