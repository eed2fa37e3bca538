"""Editor rules as pure logic: matching (whole words, any case, both languages), checking what an
editor wrote, what a set of rules does to scores, and the ranking acting on it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from curator.errors import InvalidInput
from curator.ranking.rules import (
    BLOCKED,
    DEFAULT_BOOST,
    MatchMemo,
    boost_notes,
    boosting_rule,
    by_language,
    check_rule,
    examples,
    is_blocked,
    matched_items,
    matches,
    score_changes,
)
from curator.ranking.stages import rank
from curator.types import EditorRule

from .test_stages import make_batch, member, pool_of
from .values import item


def rule(rid: int, action: str, match: str, pattern: str, strength: float = 0.0, note: str = "",
         enabled: bool = True) -> EditorRule:
    return EditorRule(rid, action, match, pattern, strength=strength, note=note, enabled=enabled)  # type: ignore[arg-type]


def text_item(i: int, title: str, text: str = "", **kw: object):  # type: ignore[no-untyped-def]
    return replace(item(i, **kw), title=title, text=text)  # type: ignore[arg-type]


@pytest.mark.parametrize(("pattern", "title", "text", "hit"), [
    ("KI", "KI in der Verwaltung", "", True),
    ("KI", "Kinder lernen programmieren", "Kindergarten und Kita", False),
    ("ki", "Neue KI-Strategie des Senats", "", True),  # any case; a hyphen ends a word
    ("KI", "Ein Artikel", "Der Einsatz von KI wächst.", True),  # title and text
    ("künstliche Intelligenz", "Künstliche   Intelligenz im Mittelstand", "", True),  # phrase, spaces
    ("künstliche Intelligenz", "Künstliche Intelligenzen", "", False),  # whole words only
    ("Cyber*", "Cyberangriff auf Stadtwerke", "", True),  # a trailing * matches a word's start
    ("Cyber*", "Der Anti-Cyberangriff", "", True),
    ("Cyber*", "Hypercyber", "", False),
    ("KI|artificial intelligence", "Artificial Intelligence at work", "", True),  # both languages
    ("KI|artificial intelligence", "Intelligence report", "", False),
    ("a.b", "axb", "", False),  # regex characters are literal
    ("C++", "Why C++ still matters", "", True),
])
def test_keyword_matching(pattern: str, title: str, text: str, hit: bool) -> None:
    assert matches(rule(1, "block", "keyword", check_rule("block", "keyword", pattern).pattern),
                   text_item(1, title, text)) is hit


def test_source_author_and_area_matching() -> None:
    it = replace(item(1, source="heise", areas=("technology", "work")), author="Jana  Frey")
    assert matches(rule(1, "block", "source", "heise"), it)
    assert not matches(rule(1, "block", "source", "heise-de"), it)
    assert matches(rule(1, "block", "author", "jana frey"), it)
    assert not matches(rule(1, "block", "author", "Jana"), it)  # the whole name
    assert not matches(rule(1, "block", "author", "jana frey"), replace(it, author=None))
    assert matches(rule(1, "boost", "area", "work"), it)
    assert not matches(rule(1, "boost", "area", "society"), it)


def test_check_rule_normalises_and_refuses() -> None:
    boost = check_rule(" Boost ", "KEYWORD", "  KI |  | künstliche   Intelligenz ", note="  Hamburg  AI week ")
    assert (boost.action, boost.match, boost.pattern) == ("boost", "keyword", "KI|künstliche Intelligenz")
    assert boost.strength == DEFAULT_BOOST and boost.note == "Hamburg AI week"
    assert check_rule("block", "area", "Work", strength=3).strength == 0.0  # a block has no strength
    assert check_rule("boost", "area", "work", strength=2.5).strength == 2.5
    for args, kw, message in [
        (("hide", "keyword", "x"), {}, "action"),
        (("block", "title", "x"), {}, "match"),
        (("block", "keyword", "  "), {}, "empty"),
        (("block", "keyword", "| * |"), {}, "at least one"),
        (("block", "area", "sports"), {}, "unknown area"),
        (("boost", "keyword", "x"), {"strength": 0}, "strength"),
        (("boost", "keyword", "x"), {"strength": 99}, "strength"),
        (("boost", "keyword", "x"), {"strength": float("nan")}, "strength"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            check_rule(*args, **kw)


def test_score_changes_add_boosts_and_a_block_wins() -> None:
    rules = [rule(1, "boost", "area", "work", 1.0, "HR week"), rule(2, "boost", "area", "technology", 2.0, "AI"),
             rule(3, "block", "source", "spam"), rule(4, "boost", "area", "society", 4.0, enabled=False)]
    matched = {1: frozenset({10, 11}), 2: frozenset({11, 12}), 3: frozenset({12}), 4: frozenset({13})}
    assert score_changes(rules, matched) == {10: 1.0, 11: 3.0, 12: BLOCKED}
    assert boost_notes(rules, matched) == {10: "HR week", 11: "AI"}  # the strongest boost explains
    assert score_changes([], matched) == {}


def test_boosting_rule_and_is_blocked_on_items() -> None:
    it = replace(item(1, source="spam", areas=("work",)), title="KI im Personalwesen")
    boost = rule(1, "boost", "keyword", "KI", 1.5, "KI-Woche")
    stronger = rule(2, "boost", "area", "work", 3.0, "HR")
    block = rule(3, "block", "source", "spam")
    assert boosting_rule([boost, stronger], it) == stronger
    assert boosting_rule([boost, stronger, block], it) is None
    assert is_blocked([boost, block], it) and not is_blocked([boost], it)
    assert not is_blocked([replace(block, enabled=False)], it)


def test_match_memo_agrees_and_keys_on_content() -> None:
    memo = MatchMemo(size=2)
    r = rule(1, "block", "keyword", "KI")
    a, b = text_item(1, "KI heute"), text_item(2, "Kinder heute")
    assert memo(r, a) and not memo(r, b) and memo(r, a)
    changed = replace(b, title="KI morgen", content_hash="h2-new")
    assert memo(r, changed)  # a changed item is matched again, also after the memo was cleared
    assert memo(rule(2, "block", "area", "work"), item(3, areas=("work",)))


def test_matched_items_examples_and_languages() -> None:
    items = [text_item(1, "KI a", age_days=3), text_item(2, "Kinder", age_days=1),
             replace(text_item(3, "KI b", age_days=0), lang="de")]
    found = matched_items([rule(7, "block", "keyword", "KI")], items)
    assert found == {7: frozenset({1, 3})}
    mixed = [rule(1, "block", "keyword", "kinder|b"), rule(2, "boost", "area", "work"),
             rule(3, "boost", "keyword", "KI*")]
    assert matched_items(mixed, items) == {r.id: frozenset(i.id for i in items if matches(r, i)) for r in mixed}
    assert matched_items(mixed, items)[3] == frozenset({1, 2, 3})  # "KI*" starts "Kinder" too
    hit = [i for i in items if i.id in found[7]]
    assert [e.item_id for e in examples(hit)] == [3, 1]  # newest first
    assert by_language(hit) == {"de": 1, "en": 1}


def test_ranking_takes_blocked_items_out_and_lifts_boosted_ones() -> None:
    rng = np.random.default_rng(7)
    pool = pool_of(rng, 40)
    batch = make_batch(rng, [member(0), member(1)])
    plain = rank(pool, batch, k=40)
    last = int(plain.items[0][plain.items[0] >= 0][-1])
    first = int(plain.items[0][0])
    changes = [{first: BLOCKED, last: 50.0}, {}]
    ruled = rank(pool, batch, k=40, changes=changes)
    assert first not in ruled.items[0].tolist()
    assert int(ruled.items[0][0]) == last  # the boost lifted the last item to the top
    assert ruled.items[1].tolist() == plain.items[1].tolist()  # a member without rules is unchanged


def test_a_rule_on_a_duplicate_copy_acts_on_that_copy_only() -> None:
    rng = np.random.default_rng(3)
    dup: list[int | None] = [None] * 10
    dup[5] = 2  # item 6 duplicates item 2 (item 2 represents the story)
    pool = pool_of(rng, 10, duplicate_of=dup)
    batch = make_batch(rng, [member(0)])
    kept = rank(pool, batch, k=10, changes=[{6: BLOCKED}]).items[0].tolist()
    assert 2 in kept  # blocking one source's copy does not hide another source's story
    assert 2 not in rank(pool, batch, k=10, changes=[{2: BLOCKED}]).items[0].tolist()
