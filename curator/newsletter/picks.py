"""Personal picks: where the newsletter finds members and the items picked for each of them.

:class:`MemberDirectory` is the seam: ``make_curator`` passes the default one (members and
ranking of the same Curator, ``curator.features.digests.RankedDirectory``); tests and benchmarks
pass their own through ``make_curator(member_directory=...)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..types import Item, Member, ScoredItem


class MemberDirectory(Protocol):
    """Members and their personal picks, as the newsletter needs them."""

    def all_members(self) -> Sequence[Member]:
        """Every member (the recipient list is drawn from these)."""
        ...

    def get_member(self, member_id: int) -> Member | None:
        """The member with this id as they are now, or None if there is none."""
        ...

    def personal_picks(self, member: Member, candidates: Sequence[Item], limit: int) -> Sequence[Item | ScoredItem]:
        """Up to ``limit`` of ``candidates`` (all visible to ``member``), best first. May raise
        CuratorError for this member only (their digest then fails, the others go out)."""
        ...

    def for_send_run(self) -> MemberDirectory:
        """The directory for one send run, which asks for the picks of many members in a row: it
        may rank everyone at once and keep that for the run. One with nothing to prepare
        returns itself."""
        ...


def newest_in_member_areas(member: Member, candidates: Sequence[Item], limit: int) -> list[Item]:
    """Picks without a ranking model: items in more of the member's declared areas first, then
    the newest, then the higher id; at most ``limit``."""
    wanted = set(member.declared_areas)
    return sorted(candidates, key=lambda i: (-len(wanted.intersection(i.areas)), -i.published.timestamp(),
                                             -i.id))[:limit]


def picks_from_ranking(member: Member, ranked: Sequence[ScoredItem] | None, candidates: Sequence[Item],
                       limit: int) -> list[Item | ScoredItem]:
    """The member's ranking (best first) restricted to ``candidates``, cut to ``limit``, topped up
    by :func:`newest_in_member_areas` from the candidates not yet picked. ``ranked`` None means
    no ranking is available: the fallback alone."""
    allowed = {c.id for c in candidates}
    picks: list[Item | ScoredItem] = []
    picks.extend(s for s in ranked or () if s.item.id in allowed)
    del picks[limit:]
    if len(picks) < limit:
        taken = {p.item.id if isinstance(p, ScoredItem) else p.id for p in picks}
        picks += newest_in_member_areas(member, [c for c in candidates if c.id not in taken], limit - len(picks))
    return picks


def ranking_depth(limit: int) -> int:
    """How deep to rank a member to find ``limit`` picks among an issue's candidates: the ranking
    covers every visible item, most of which are not in this week's issue."""
    return max(30, limit * 6)


__all__ = ["MemberDirectory", "newest_in_member_areas", "picks_from_ranking", "ranking_depth"]
