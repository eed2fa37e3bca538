"""THE visibility rule. Every surface (ranking, explanations, digests, exports, API) asks
:func:`visible_to` and filters items by it before doing anything else with them.

- anyone (also anonymous and registered non-members): ``public``;
- members of the cluster (``status == "member"``): also ``members``;
- members GRANTED a club by an editor: also ``club:<id>``. Club membership is never inferred and a
  registered non-member gets no club content even if a grant exists (clubs are for members).
"""

from __future__ import annotations

from curator.types import Member, Visibility

PUBLIC_ONLY: frozenset[str] = frozenset({"public"})


def visible_to(member: Member | None) -> frozenset[str]:
    """The set of item visibilities ``member`` may see; ``None`` is an anonymous visitor."""
    if member is None or member.status != "member":
        return PUBLIC_ONLY
    return frozenset({"public", "members", *(f"club:{c}" for c in member.clubs)})


def can_see(member: Member | None, visibility: Visibility) -> bool:
    """Whether ``member`` may see an item or source of ``visibility``."""
    return visibility in visible_to(member)
