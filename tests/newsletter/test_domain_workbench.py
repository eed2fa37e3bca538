"""The editor's workbench without a database: moving picks, ranking candidates for a segment
from its members' feeds, the segment's areas, the stand-in reader of a test send, restoring a
removed item."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from curator.errors import InvalidInput
from curator.newsletter.editing import (
    edited_entries,
    moved_pins,
    rank_candidates,
    segment_areas,
    segment_visibility,
    stand_in_reader,
)
from curator.newsletter.segments import parse_segment
from curator.types import DigestEntry, DigestIssue, Item, Segment

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def item(item_id: int, *areas: str, hours_ago: int = 0) -> Item:
    when = NOW - timedelta(hours=hours_ago)
    return Item(id=item_id, source_id="s", key=f"k{item_id}", kind="article", title=f"t{item_id}", url=None,
                canonical_url=None, summary="", content_html="", text="", author=None, published=when,
                first_seen=when, updated_at=when, lang="en", content_hash=str(item_id), visibility="public", areas=areas)


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"step": -1}, [1, 3, 2, 4]),
    ({"step": 1}, [1, 2, 4, 3]),
    ({"step": -5}, [3, 1, 2, 4]),   # up from near the top stops at the top
    ({"step": 9}, [1, 2, 4, 3]),    # and down at the end
    ({"to": 1}, [3, 1, 2, 4]),
    ({"to": 2}, [1, 3, 2, 4]),
    ({"to": 4}, [1, 2, 4, 3]),
    ({"to": 99}, [1, 2, 4, 3]),     # beyond the end: the end
    ({"to": 3}, [1, 2, 3, 4]),      # where it is: nothing changes
])
def test_moved_pins(kwargs: dict[str, int], expected: list[int]) -> None:
    assert moved_pins([1, 2, 3, 4], 3, **kwargs) == expected


def test_moved_pins_refuses_unknown_items_and_position_zero() -> None:
    with pytest.raises(InvalidInput, match="not among the editor's picks"):
        moved_pins([1, 2], 7, step=1)
    with pytest.raises(InvalidInput, match="first position is 1"):
        moved_pins([1, 2], 1, to=0)


def test_rank_candidates_follows_the_members_feeds() -> None:
    pool = [item(1, "work", hours_ago=1), item(2, "technology", hours_ago=2), item(3, "work", hours_ago=3),
            item(4, hours_ago=0)]
    # item 3 is first for two members, item 2 second for one; item 99 is not in the pool
    feeds = [[99, 3, 2], [3, 1], [5, 6]]
    ranked = rank_candidates(pool, feeds, areas=("technology",), top=1)
    assert [i.id for i, _, _ in ranked] == [3, 1, 2, 4]
    scores = {i.id: (s, r) for i, s, r in ranked}
    assert scores[3] == (pytest.approx(1 / 2 + 1), 1)   # in the top 1 of one feed only
    assert scores[1] == (pytest.approx(1 / 2), 0)
    assert scores[2] == (pytest.approx(1 / 3), 0)
    assert scores[4] == (0.0, 0)


def test_rank_candidates_without_feeds_prefers_the_segments_areas_then_the_newest() -> None:
    pool = [item(1, "work", hours_ago=1), item(2, "technology", hours_ago=5), item(3, hours_ago=0)]
    assert [i.id for i, _, _ in rank_candidates(pool, [], areas=("technology",))] == [2, 3, 1]
    assert [i.id for i, _, _ in rank_candidates(pool, [])] == [3, 1, 2]


def test_segment_areas_and_visibility() -> None:
    personas = {"hr-lead": ("work", "society")}
    assert segment_areas(parse_segment("area:work"), personas) == ("work",)
    assert segment_areas(parse_segment("persona:hr-lead"), personas) == ("work", "society")
    assert segment_areas(parse_segment("persona:unknown"), personas) == ()
    assert segment_areas(parse_segment("filter:x?areas_any=company,government"), personas) == ("company", "government")
    assert segment_areas(parse_segment("everyone"), personas) == ()
    assert segment_visibility(parse_segment("club:it-executive")) == {"public", "members", "club:it-executive"}
    assert segment_visibility(parse_segment("everyone")) == {"public", "members"}


def test_stand_in_reader_of_a_test_send() -> None:
    club = stand_in_reader(parse_segment("club:it-executive"), email="ed@cluster.example", name="", lang="de",
                           persona_areas={})
    assert (club.id, club.email, club.name, club.language) == (0, "ed@cluster.example", "ed@cluster.example", "de")
    assert club.clubs == {"it-executive"} and not club.tracking_consent
    persona = stand_in_reader(parse_segment("persona:hr-lead"), email="ed@cluster.example", name="Ed", lang="en",
                              persona_areas={"hr-lead": ("work",)})
    assert persona.persona == "hr-lead" and persona.declared_areas == ("work",) and persona.clubs == frozenset()
    with pytest.raises(InvalidInput, match="de or en"):
        stand_in_reader(parse_segment("everyone"), email="ed@cluster.example", name="", lang="fr", persona_areas={})


def test_restoring_a_removed_item() -> None:
    issue = DigestIssue(id=1, kind="digest", segment=Segment(), period=None, period_start=None, period_end=None,
                        texts={}, options={}, state="draft", revision=1, approved_revision=None, approved_by=None,
                        approved_at=None, scheduled_for=None, hold_reason=None, created_by="x", created_at=NOW,
                        updated_at=NOW, entries=(DigestEntry(1, "pinned", 0), DigestEntry(2, "removed", 0)))
    # without restoring, a removed item is never pinned
    assert edited_entries(issue, pins=[1, 2], remove=()) == [DigestEntry(1, "pinned", 0), DigestEntry(2, "removed", 0)]
    assert edited_entries(issue, pins=[1, 2], remove=(), restore=[2]) == [DigestEntry(1, "pinned", 0),
                                                                          DigestEntry(2, "pinned", 1)]
