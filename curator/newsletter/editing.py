"""What an editor's draft or edit changes in an issue: its texts, its pinned and removed items,
its section sizes. Checked here; stored by the feature layer."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Final

from ..errors import InvalidInput
from ..types import DigestEntry, DigestIssue, Item, Member, Segment
from .texts import ISSUE_LANGUAGES

DEFAULT_OPTIONS: Final[Mapping[str, int]] = {"editor_picks": 3, "personal_picks": 5, "posts": 3, "events": 3}
"""Section sizes of a new issue: editor picks pre-filled, personal picks, member posts, events."""

ISSUE_KINDS: Final = ("digest", "special", "invitation")
EDITOR_PICK_KINDS: Final = ("article", "member_news")


def check_kind(kind: str) -> None:
    """Raises InvalidInput unless ``kind`` is one of :data:`ISSUE_KINDS`."""
    if kind not in ISSUE_KINDS:
        raise InvalidInput(f"kind must be digest, special or invitation, not {kind!r}")


def segment_visibility(segment: Segment) -> frozenset[str]:
    """What everyone in ``segment`` may see: public, members, and the segment's own club."""
    return frozenset({"public", "members", *([f"club:{segment.value}"] if segment.kind == "club" else [])})


def default_editor_picks(pool: Sequence[Item], segment: Segment, limit: int) -> list[int]:
    """Ids of the newest tagged articles of the period that everyone in ``segment`` may see
    (:func:`segment_visibility`), newest first, at most ``limit``: the editor starts from these
    and changes them."""
    base = segment_visibility(segment)
    chosen = (i for i in pool if i.visibility in base and i.areas and i.kind in EDITOR_PICK_KINDS)
    return [i.id for i in sorted(chosen, key=lambda i: (-i.published.timestamp(), -i.id))][:limit]


def pinned_entries(pins: Sequence[int]) -> list[DigestEntry]:
    """Entries pinning ``pins`` in this order."""
    return [DigestEntry(item_id=i, status="pinned", position=n) for n, i in enumerate(pins)]


def edited_texts(texts: Mapping[str, Mapping[str, str]], *, lang: str | None, subject: str | None,
                 preheader: str | None, intro: str | None) -> dict[str, dict[str, str]] | None:
    """``texts`` with the given fields replaced (trimmed) in ``lang``, or in every issue language
    when ``lang`` is None; None when no field is given (the texts stay as they are).

    Raises InvalidInput for a language other than de/en or an empty subject."""
    if subject is None and preheader is None and intro is None:
        return None
    out = {k: dict(v) for k, v in texts.items()}
    for lg in [lang] if lang else ISSUE_LANGUAGES:
        if lg not in ISSUE_LANGUAGES:
            raise InvalidInput(f"language must be de or en, not {lg!r}")
        t = out.setdefault(lg, {})
        for key, value in (("subject", subject), ("preheader", preheader), ("intro", intro)):
            if value is not None:
                if key == "subject" and not value.strip():
                    raise InvalidInput("the subject line cannot be empty")
                t[key] = value.strip()
    return out


def edited_entries(issue: DigestIssue, *, pins: Sequence[int] | None, remove: Sequence[int],
                   restore: Sequence[int] = ()) -> list[DigestEntry] | None:
    """The issue's entries after pinning ``pins`` (in this order; None keeps the pinned items)
    and removing ``remove`` (removals add up across edits; a removed item is never pinned)
    unless an editor ``restore``s it. None when nothing is given (the entries stay as they are)."""
    if pins is None and not remove and not restore:
        return None
    removed = ({e.item_id for e in issue.entries if e.status == "removed"} | set(remove)) - set(restore)
    pinned = [e.item_id for e in issue.entries if e.status == "pinned"] if pins is None else list(pins)
    entries = pinned_entries([p for p in pinned if p not in removed])
    entries += [DigestEntry(i, "removed", 0) for i in sorted(removed)]
    return entries


def edited_options(options: Mapping[str, int], changes: Mapping[str, int] | None) -> dict[str, int] | None:
    """``options`` with ``changes`` applied, or None when there are none."""
    return {**options, **changes} if changes else None


def moved_pins(pins: Sequence[int], item_id: int, *, to: int | None = None, step: int = 0) -> list[int]:
    """``pins`` with ``item_id`` moved to position ``to`` (1 is the top; beyond the end means the
    end) or ``step`` places down (negative: up), staying within the list.

    Raises InvalidInput when ``item_id`` is not pinned or ``to`` is below 1."""
    if item_id not in pins:
        raise InvalidInput(f"item {item_id} is not among the editor's picks of this issue")
    out = [p for p in pins if p != item_id]
    if to is not None:
        if to < 1:
            raise InvalidInput(f"position {to} is not possible: the first position is 1")
        target = min(to - 1, len(out))
    else:
        target = max(0, min(list(pins).index(item_id) + step, len(out)))
    out.insert(target, item_id)
    return out


def segment_areas(segment: Segment, persona_areas: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The subject areas a segment is about: an area segment's area, a persona's preferred areas
    (``persona_areas``: persona id -> areas), a filter's ``areas_any``; none for everyone or a club."""
    if segment.kind == "area" and segment.value:
        return (segment.value,)
    if segment.kind == "persona" and segment.value:
        return tuple(persona_areas.get(segment.value, ()))
    if segment.kind == "filter":
        return tuple(segment.filter.get("areas_any", ()))
    return ()


CANDIDATE_FEED_TOP: Final = 30
"""A candidate "reaches" a member when it is among the first this many entries of their ranked feed."""


def rank_candidates(pool: Sequence[Item], feeds: Sequence[Sequence[int]], *, areas: Collection[str] = (),
                    top: int = CANDIDATE_FEED_TOP) -> list[tuple[Item, float, int]]:
    """The ``pool`` ranked for a segment whose members' ranked feeds (item ids, best first) are
    ``feeds``: (item, score, reach) best first. The score sums the reciprocal rank of the item in
    every feed (1 for a first place, 1/2 for a second, ...), so an item many members rank high
    comes first; ``reach`` counts the feeds that have it among their first ``top`` entries.
    Items no feed ranks follow, those in more of ``areas`` first, then the newest, then the
    higher id (the same order as a member without a ranking gets)."""
    score: dict[int, float] = {}
    reach: dict[int, int] = {}
    wanted = {i.id for i in pool}
    for feed in feeds:
        for rank, item_id in enumerate(feed):
            if item_id in wanted:
                score[item_id] = score.get(item_id, 0.0) + 1.0 / (rank + 1)
                if rank < top:
                    reach[item_id] = reach.get(item_id, 0) + 1
    focus = set(areas)
    ordered = sorted(pool, key=lambda i: (-score.get(i.id, 0.0), -len(focus.intersection(i.areas)),
                                          -i.published.timestamp(), -i.id))
    return [(i, score.get(i.id, 0.0), reach.get(i.id, 0)) for i in ordered]


def stand_in_reader(segment: Segment, *, email: str, name: str, lang: str,
                persona_areas: Mapping[str, Sequence[str]]) -> Member:
    """A stand-in member of ``segment`` with the editor's ``email`` who reads ``lang``: what a
    test send renders. It is no stored member (id 0), so nothing about it is recorded, and it
    has no tracking consent, so its links are plain. A club segment's reader is in the club, a
    persona's has the persona and its areas, an area segment's follows the area."""
    if lang not in ISSUE_LANGUAGES:
        raise InvalidInput(f"language must be de or en, not {lang!r}")
    return Member(id=0, email=email, name=name or email, organisation=None, language=lang, status="member",
                  persona=segment.value if segment.kind == "persona" else None,
                  declared_areas=segment_areas(segment, persona_areas),
                  clubs=frozenset({segment.value}) if segment.kind == "club" and segment.value else frozenset())


__all__ = ["CANDIDATE_FEED_TOP", "DEFAULT_OPTIONS", "EDITOR_PICK_KINDS", "ISSUE_KINDS", "check_kind",
           "default_editor_picks", "edited_entries", "edited_options", "edited_texts", "moved_pins", "pinned_entries",
           "rank_candidates", "segment_areas", "segment_visibility", "stand_in_reader"]
