"""Stored ranked feeds (issue 11): a page is a read of stored rows checked by THE access rule
again; the worker refreshes every feed after a tag run; a member's own feedback re-ranks that
member at once; two processes on one database see the same feeds. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from curator import jobs
from curator.core import Curator
from curator.embeddings import make_encoder
from curator.features import feed_cache
from curator.types import Member, ScoredItem, WebUser
from tests.conftest import rebuilt

CIO, COLD, FOUNDER = "cio@alpha.example", "cold@gamma.example", "founder@beta.example"


def page(cur: Curator, email: str, **kw: Any) -> list[ScoredItem]:
    """The member's feed page as the web app asks for it (their account, their record)."""
    return cur.feeds.member_feed(account(cur, email), **kw)


def account(cur: Curator, email: str) -> WebUser:
    return cur.accounts.create(email, role="member")


def ids(entries: list[ScoredItem]) -> list[int]:
    return [s.item.id for s in entries]


def ranked_ids(entries: list[ScoredItem]) -> list[int]:
    """The ranked part of a page (the newest-items top-up has no score components)."""
    return [s.item.id for s in entries if s.components]


class RankingCalls:
    """Counts calls of the ranker, the batch loader and the encoder while installed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cur: Curator) -> None:
        self.calls: list[str] = []
        real_rank = feed_cache.rank

        def counted_rank(*a: Any, **kw: Any) -> Any:
            self.calls.append("rank")
            return real_rank(*a, **kw)

        monkeypatch.setattr(feed_cache, "rank", counted_rank)
        inputs = cur.feeds._inputs  # the loader the read path must never use
        real_load = inputs.load

        def counted_load(*a: Any, **kw: Any) -> Any:
            self.calls.append("load")
            return real_load(*a, **kw)

        monkeypatch.setattr(inputs, "load", counted_load)


class NoEncoding:
    """An encoder that fails the test when anything is encoded (vectors must come from storage)."""

    def __init__(self) -> None:
        self._real = make_encoder("fake")
        self.model_id = self._real.model_id
        self.dim = self._real.dim

    def encode(self, *a: Any, **kw: Any) -> Any:
        raise AssertionError("a page encoded text")


@pytest.fixture
def refreshed(cluster: Curator) -> Curator:
    for email in (CIO, COLD, FOUNDER):
        account(cluster, email)
    out = cluster.feeds.refresh()
    assert out.rebuilt and out.members == 4 and out.items == 20
    return cluster


@pytest.fixture
def reader(refreshed: Curator) -> Iterator[Curator]:
    """A second process on the same database whose pages may not encode anything."""
    other = rebuilt(refreshed, encoder=NoEncoding())
    try:
        yield other
    finally:
        other.close()


def test_a_page_is_the_stored_feed_and_never_ranks(refreshed: Curator, reader: Curator,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = RankingCalls(monkeypatch, reader)
    cio = reader.members.get(CIO)
    stored = reader.storage.member_feed(cio.id)
    assert stored is not None and stored.entries
    got = page(reader, CIO, limit=10)
    assert ranked_ids(got) == [e.item_id for e in stored.entries][:10]
    assert all(s.explanation for s in got) and calls.calls == []


def test_feedback_reorders_the_members_next_page(refreshed: Curator, monkeypatch: pytest.MonkeyPatch) -> None:
    cur = refreshed
    user = account(cur, COLD)
    before = page(cur, COLD, limit=10)
    work = [i for i in cur.items.list() if i.areas == ("work",) and i.visibility == "public"]
    for item in work[:2]:
        cur.feedback.give(user, item.id, "rating", value=5)
    after = page(cur, COLD, limit=10)
    assert ranked_ids(after) != ranked_ids(before)
    # the rated items are gone, and the member's new interest rose into the top of the page
    assert not {i.id for i in work[:2]} & set(ids(after))
    assert not any(s.item.areas == ("work",) for s in before[:5])
    assert any(s.item.areas == ("work",) and "Working environment" in s.explanation for s in after[:5])
    assert any("you rated 'Skills Shortage" in s.explanation for s in after)
    stored = cur.storage.member_feed(cur.members.get(COLD).id)
    assert stored is not None and stored.state.events_through == max(
        e.id or 0 for e in cur.feedback.of_member(cur.members.get(COLD)))


def test_a_hidden_item_is_gone_at_once(refreshed: Curator) -> None:
    cur = refreshed
    top = page(cur, CIO, limit=5)[0]
    cur.feedback.give(account(cur, CIO), top.item.id, "hide")
    assert top.item.id not in ids(page(cur, CIO, limit=50))


def test_a_hidden_item_is_gone_even_when_the_stored_feed_still_holds_it(refreshed: Curator,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading filters by the member's hidden items itself: a re-rank that fails changes nothing."""
    cur = refreshed
    top = page(cur, CIO, limit=5)[0]
    monkeypatch.setattr(cur.feeds._cache, "rerank", lambda members: 0)
    cur.feedback.give(account(cur, CIO), top.item.id, "hide")
    stored = cur.storage.member_feed(cur.members.get(CIO).id)
    assert stored is not None and stored.state.stale and top.item.id in {e.item_id for e in stored.entries}
    assert top.item.id not in ids(page(cur, CIO, limit=50))


def test_an_item_an_editor_restricts_is_gone_at_once_and_the_worker_rebuilds(refreshed: Curator,
                                                                             reader: Curator) -> None:
    cur = refreshed
    top = page(reader, FOUNDER, limit=5)[0]
    cur.storage.set_item_visibility(top.item.id, "club:it-executive")  # a tool: nothing tells the feeds
    assert top.item.id not in ids(page(reader, FOUNDER, limit=50))
    assert cur.feeds.refresh().rebuilt
    assert top.item.id not in {e.item_id for e in cur.storage.member_feed(cur.members.get(FOUNDER).id).entries}  # type: ignore[union-attr]


def test_a_revoked_club_item_is_gone_at_once_and_never_quoted(refreshed: Curator, reader: Curator) -> None:
    cur = refreshed
    club_item = next(i for i in cur.items.list() if i.visibility == "club:it-executive")
    cur.feedback.give(account(cur, CIO), club_item.id, "rating", value=5)  # quoted in "because you rated"
    assert any(club_item.title in s.explanation for s in page(reader, CIO, limit=50))
    cur.members.revoke_club(CIO, "it-executive", editor="ed")  # nobody tells the feeds
    got = page(reader, CIO, limit=50)
    assert got and club_item.id not in ids(got)
    assert not any(club_item.title in s.explanation or s.item.visibility.startswith("club:") for s in got)
    # the worker notices the changed record and ranks the member again
    assert cur.feeds.refresh().members == 1
    stored = cur.storage.member_feed(cur.members.get(CIO).id)
    assert stored is not None and "club:it-executive" not in stored.state.access


def test_a_new_member_gets_a_persona_feed_at_once_and_a_ranked_one_after_the_refresh(
        refreshed: Curator, reader: Curator, monkeypatch: pytest.MonkeyPatch) -> None:
    cur = refreshed
    cur.members.import_file("email,name,organisation,language,persona\nnew@delta.example,Nina New,Delta,en,cio\n")
    calls = RankingCalls(monkeypatch, reader)
    got = page(reader, "new@delta.example", limit=10)
    persona = next(f for f in cur.storage.persona_feeds("cio", "en") if f.access == {"public", "members"})
    assert ranked_ids(got) == [e.item_id for e in persona.entries][:10] and len(ranked_ids(got)) == 10
    assert calls.calls == [] and cur.storage.member_feed(cur.members.get("new@delta.example").id) is None
    out = cur.feeds.refresh()
    assert not out.rebuilt and out.members == 1
    assert cur.storage.member_feed(cur.members.get("new@delta.example").id) is not None


def test_two_processes_see_the_same_feed_and_the_same_change(refreshed: Curator, reader: Curator) -> None:
    cur = refreshed
    assert page(cur, CIO, limit=20) == page(reader, CIO, limit=20)
    writer = rebuilt(cur)  # a third process gives the feedback
    try:
        top = page(writer, CIO, limit=5)
        writer.feedback.give(account(writer, CIO), top[0].item.id, "hide")
        writer.feedback.give(account(writer, CIO), top[1].item.id, "rating", value=5)
    finally:
        writer.close()
    a, b = page(cur, CIO, limit=20), page(reader, CIO, limit=20)
    assert a == b and top[0].item.id not in ids(a) and ids(a) != ids(top)


def test_the_worker_job_ranks_newly_tagged_items_into_every_feed(curator: Curator) -> None:
    cur = curator
    from tests.members.conftest import MEMBERS_CSV, item_lines

    cur.members.ensure_clubs()
    cur.members.import_file(MEMBERS_CSV, grant_clubs_by="ed")
    cur.items.import_jsonl(item_lines(cur.clock.now().isoformat()))
    first = jobs.rank_feeds(cur)
    assert first["rebuilt"] and first["items"] == 0  # nothing tagged yet: feeds are empty, not ranked in a page
    assert not cur.storage.member_feed(cur.members.get(CIO).id).entries  # type: ignore[union-attr]
    cur.tagging.tag()
    second = jobs.rank_feeds(cur)
    assert second["rebuilt"] and second["items"] == 20 and second["members"] == 4 and second["personas"] > 0
    stored = cur.storage.member_feed(cur.members.get(CIO).id)
    assert stored is not None and len(stored.entries) > 10
    assert jobs.rank_feeds(cur) == {**second, "rebuilt": False, "members": 0, "personas": 0}


def test_an_editor_pin_and_a_tag_correction_make_the_worker_rebuild(refreshed: Curator) -> None:
    cur = refreshed
    society = next(i for i in cur.items.list() if i.areas == ("society",))
    cur.feeds.pin(society.id, editor="ed")
    assert cur.storage.feed_pool().stale  # type: ignore[union-attr]
    assert cur.feeds.refresh().rebuilt
    assert page(cur, CIO, limit=3)[0].item.id == society.id
    assert not cur.feeds.refresh().rebuilt
    cur.tagging.correct(society.id, ["technology"], editor="ed")  # through no feed method at all
    assert cur.feeds.refresh().rebuilt


def test_an_erased_member_leaves_no_stored_feed(refreshed: Curator) -> None:
    cur = refreshed
    member: Member = cur.members.get(COLD)
    assert cur.storage.member_feed(member.id) is not None
    cur.members.erase_by_email(COLD, editor="ed")
    assert cur.storage.member_feed(member.id) is None
