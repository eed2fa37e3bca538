"""Editor rules end to end on the real storage (SQLite and PostgreSQL): an editor previews and
adds a rule; members' next feed pages, the stored feeds after the worker's refresh and the digest
drafts follow it; a boost lifts an item and says so in "why you see this"; a rule for a segment
leaves everyone else alone; switching a rule off or deleting it undoes it."""

from __future__ import annotations

import re

import pytest

from curator.config import Settings
from curator.core import Curator
from curator.errors import InvalidInput, NotFound
from curator.types import Item, ItemQuery
from tests.conftest import rebuilt

from .test_stored_feeds import CIO, COLD, FOUNDER, account, ids, page, ranked_ids

HR = "hr@alpha.example"
EDITOR = "community@cluster.example"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.replace(secret_key="rules-test-secret-0123456789abcdef")  # digests sign their links


@pytest.fixture
def refreshed(cluster: Curator) -> Curator:
    for email in (CIO, COLD, FOUNDER, HR):
        account(cluster, email)
    assert cluster.feeds.refresh().rebuilt
    return cluster


def with_word(cur: Curator, word: str) -> list[Item]:
    """Items whose title or text has ``word`` as a whole word (the test's own reading)."""
    return [i for i in cur.items.list(ItemQuery(limit=500))
            if re.search(rf"\b{word}\b", f"{i.title} {i.text}", re.IGNORECASE)]


def stored_ids(cur: Curator, email: str) -> list[int]:
    stored = cur.storage.member_feed(cur.members.get(email).id)
    assert stored is not None
    return [e.item_id for e in stored.entries]


def digest_ids(cur: Curator, issue_id: int, email: str) -> set[int]:
    view = cur.digests.view(cur.digests.get(issue_id), cur.members.get(email))
    return {it.item_id for s in view.sections for it in s.items}


def test_a_keyword_block_is_previewed_then_hides_the_items_from_feeds_and_digests(refreshed: Curator) -> None:
    cur = refreshed
    cloud = with_word(cur, "cloud")
    assert len(cloud) >= 2 and {i.id for i in cloud} & set(ids(page(cur, CIO, limit=50)))
    preview = cur.rules.preview("block", "keyword", "Cloud")
    assert preview.matched == len(cloud) and preview.considered == len(cur.items.list(ItemQuery(limit=500)))
    assert {e.item_id for e in preview.examples} == {i.id for i in cloud}
    assert preview.members_in_segment == preview.members_total == 4  # everyone: the four cluster members
    assert cur.rules.list() == []  # a preview stores nothing

    rule = cur.rules.add("block", "keyword", "Cloud", editor=EDITOR, note="vendor spam")
    blocked = {i.id for i in cloud}
    # the next page, before any worker ran: gone
    assert not blocked & set(ids(page(cur, CIO, limit=50)))
    assert not blocked & set(ids(page(cur, COLD, limit=50)))
    # the stored feeds were marked stale; the worker ranks everyone again without them
    out = cur.feeds.refresh()
    assert out.rebuilt
    assert not blocked & set(stored_ids(cur, CIO)) and not blocked & set(stored_ids(cur, FOUNDER))
    # a digest draft: neither the editor's default picks nor any member's copy shows them
    issue = cur.digests.draft("everyone", editor=EDITOR)
    assert not blocked & {e.item_id for e in issue.entries}
    for email in (CIO, COLD, FOUNDER):
        assert not blocked & digest_ids(cur, issue.id, email)
    # switched off, the items come back after the worker's next run; deleted, it is gone
    assert not cur.rules.disable(rule.id).enabled
    assert blocked & set(ids(page(cur, CIO, limit=50)))
    assert cur.feeds.refresh().rebuilt and blocked & set(stored_ids(cur, CIO))
    assert cur.rules.delete(rule.id) and cur.rules.list() == []
    assert not cur.rules.delete(rule.id)


def test_a_digest_drafted_after_a_block_has_its_items_nowhere(refreshed: Curator) -> None:
    cur = refreshed
    target = next(i for i in cur.items.list(ItemQuery(limit=500)) if i.visibility == "public" and i.areas == ("company",))
    plain = cur.digests.draft("everyone", editor=EDITOR, period="before")
    assert target.id in {e.item_id for e in plain.entries} | digest_ids(cur, plain.id, FOUNDER)
    cur.rules.add("block", "source", target.source_id, editor=EDITOR)
    issue = cur.digests.draft("everyone", editor=EDITOR, period="after")
    assert target.id not in {e.item_id for e in issue.entries}
    assert target.id not in digest_ids(cur, issue.id, FOUNDER)


def test_a_boost_lifts_an_item_and_the_explanation_names_it(refreshed: Curator) -> None:
    cur = refreshed
    before = ranked_ids(page(cur, COLD, limit=50))
    low = before[-1]
    title = next(i.title for i in cur.items.list(ItemQuery(limit=500)) if i.id == low)
    preview = cur.rules.preview("boost", "keyword", title, strength=5)
    assert preview.matched >= 1 and low in {e.item_id for e in preview.examples}
    cur.rules.add("boost", "keyword", title, editor=EDITOR, strength=5, note="Hamburg AI week")
    assert cur.feeds.refresh().rebuilt
    after = page(cur, COLD, limit=50)
    moved = next(s for s in after if s.item.id == low)
    assert ranked_ids(after).index(low) < before.index(low)
    assert moved.explanation == "Boosted by the editors: Hamburg AI week"
    # a German reader gets the German sentence, where the item is in their feed
    german = [s for s in page(cur, HR, limit=50) if s.item.id == low]
    assert german and all(s.explanation == "Von der Redaktion hervorgehoben: Hamburg AI week" for s in german)
    # the batched ranking (digests, `curator recommend`) explains it the same way
    recommended = cur.feeds.recommend(cur.members.get(COLD), limit=30)
    assert any(s.item.id == low and s.explanation.startswith("Boosted by the editors") for s in recommended)


def test_a_rule_for_a_segment_leaves_members_outside_it_alone(refreshed: Curator) -> None:
    cur = refreshed
    public = [i for i in cur.items.list(ItemQuery(limit=500)) if i.visibility == "public"]
    target = next(i for i in public if i.id in ids(page(cur, FOUNDER, limit=50)) and i.id in ids(page(cur, CIO, limit=50)))
    founder_before = ranked_ids(page(cur, FOUNDER, limit=50))
    preview = cur.rules.preview("block", "keyword", target.title, segment="club:it-executive")
    assert preview.members_in_segment == 1 and preview.members_total == 4
    cur.rules.add("block", "keyword", target.title, editor=EDITOR, segment="club:it-executive")
    assert target.id not in ids(page(cur, CIO, limit=50))
    assert target.id in ids(page(cur, FOUNDER, limit=50))
    assert cur.feeds.refresh().rebuilt
    assert target.id not in stored_ids(cur, CIO)
    assert ranked_ids(page(cur, FOUNDER, limit=50)) == founder_before  # nothing changed for them
    # a language segment: German readers only
    cur.rules.add("block", "keyword", target.title, editor=EDITOR, segment="language:de")
    assert target.id not in ids(page(cur, FOUNDER, limit=50))  # Fritz reads German
    assert target.id in ids(page(cur, COLD, limit=50))


def test_a_rule_saved_in_one_process_reaches_the_pages_of_another_at_once(refreshed: Curator) -> None:
    cur = refreshed
    other = rebuilt(cur)
    try:
        cloud = {i.id for i in with_word(cur, "cloud")}
        assert cloud & set(ids(page(other, CIO, limit=50)))
        cur.rules.add("block", "keyword", "cloud", editor=EDITOR)  # e.g. the console's process
        assert not cloud & set(ids(page(other, CIO, limit=50)))  # e.g. another web process
        assert other.feeds.refresh().rebuilt  # e.g. the worker: the pool was marked stale
        assert not cloud & set(stored_ids(cur, CIO))
    finally:
        other.close()


def test_rules_refuse_what_they_cannot_do(refreshed: Curator) -> None:
    cur = refreshed
    with pytest.raises(InvalidInput, match="unknown source"):
        cur.rules.add("block", "source", "no-such-source", editor=EDITOR)
    with pytest.raises(InvalidInput, match="segment"):
        cur.rules.add("block", "keyword", "x", editor=EDITOR, segment="language:fr")
    with pytest.raises(InvalidInput, match="editor"):
        cur.rules.add("block", "keyword", "x", editor=" ")
    with pytest.raises(NotFound):
        cur.rules.disable(999)
    assert cur.rules.list() == []
