"""Several interests per member in the stored feeds: a member who follows one area and rates a
few articles of another sees that second interest in the next stored top 10, explained by name,
after the one-member re-rank that follows feedback and after the worker's refresh. On SQLite and
PostgreSQL (through the ``curator`` fixture)."""

from __future__ import annotations

from datetime import timedelta

from curator.core import Curator
from curator.types import Item, ScoredItem, WebUser
from tests.members.conftest import import_tagged

CIO, HR = "cio@alpha.example", "hr@alpha.example"
SOCIETY = ["digital health records for patients", "citizens use smart city apps", "schools teach media literacy",
           "online learning for pupils", "telemedicine in rural regions", "social media and young people",
           "digital inclusion of older people", "open data for neighbourhoods"]
TECHNOLOGY = [f"cloud platform release {n}: new security and data centre features" for n in range(14)]


def more_items(cur: Curator) -> None:
    """Many technology items (the CIO's declared area could fill a page alone) and more society
    items, all tagged, so that rating four society items leaves others to recommend."""
    import_tagged(cur, {"society": SOCIETY, "technology": TECHNOLOGY}, lang="en", mark="-x", age=timedelta(hours=5))


def top10(cur: Curator, user: WebUser) -> list[ScoredItem]:
    return [s for s in cur.feeds.member_feed(user, limit=10) if s.components]


def public_of(cur: Curator, area: str) -> list[Item]:
    return [i for i in cur.items.list() if i.areas == (area,) and i.visibility == "public"]


def rate(cur: Curator, user: WebUser, items: list[Item]) -> None:
    for item in items:
        cur.feedback.give(user, item.id, "rating", value=5)  # each re-ranks this member's stored feed


def test_a_second_interest_shown_by_four_ratings_reaches_the_stored_top_10(cluster: Curator) -> None:
    cur = cluster
    more_items(cur)
    user = cur.accounts.create(CIO, role="member")
    cur.feeds.refresh()
    rate(cur, user, public_of(cur, "technology")[:3])  # a reader of their declared area first
    before = top10(cur, user)
    assert len(before) == 10 and sum(s.item.areas == ("society",) for s in before) <= 1
    society = public_of(cur, "society")[:4]
    rate(cur, user, society)
    after = top10(cur, user)
    shown = [s for s in after if s.item.areas == ("society",)]
    assert len(shown) >= 3, [s.item.title for s in after]
    assert not {i.id for i in society} & {s.item.id for s in after}
    assert all("you read about Society 4.0" in s.explanation for s in shown), [s.explanation for s in shown]
    assert any(s.item.areas == ("technology",) for s in after)  # the declared interest keeps its place
    # the worker's refresh (after a tag run) ranks the same way
    cur.feeds.refresh(rebuild=True)
    again = top10(cur, user)
    assert sum(s.item.areas == ("society",) for s in again) >= 3


def test_the_interest_is_named_in_german(cluster: Curator) -> None:
    cur = cluster
    more_items(cur)
    user = cur.accounts.create(HR, role="member")
    cur.feeds.refresh()
    rate(cur, user, public_of(cur, "society")[:4])
    shown = [s for s in top10(cur, user) if s.item.areas == ("society",)]
    assert shown and all("Sie über Gesellschaft 4.0 gelesen haben" in s.explanation for s in shown)
