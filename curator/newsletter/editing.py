"""What an editor's draft or edit changes in an issue: its texts, its pinned and removed items,
its section sizes. Checked here; stored by the feature layer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from ..errors import InvalidInput
from ..types import DigestEntry, DigestIssue, Item, Segment
from .texts import ISSUE_LANGUAGES

DEFAULT_OPTIONS: Final[Mapping[str, int]] = {"editor_picks": 3, "personal_picks": 5, "posts": 3, "events": 3}
"""Section sizes of a new issue: editor picks pre-filled, personal picks, member posts, events."""

ISSUE_KINDS: Final = ("digest", "special", "invitation")
EDITOR_PICK_KINDS: Final = ("article", "member_news")


def check_kind(kind: str) -> None:
    """Raises InvalidInput unless ``kind`` is one of :data:`ISSUE_KINDS`."""
    if kind not in ISSUE_KINDS:
        raise InvalidInput(f"kind must be digest, special or invitation, not {kind!r}")


def default_editor_picks(pool: Sequence[Item], segment: Segment, limit: int) -> list[int]:
    """Ids of the newest tagged articles of the period that everyone in ``segment`` may see
    (public, members, and the segment's own club), newest first, at most ``limit``: the editor
    starts from these and changes them."""
    base = {"public", "members", *([f"club:{segment.value}"] if segment.kind == "club" else [])}
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


def edited_entries(issue: DigestIssue, *, pins: Sequence[int] | None,
                   remove: Sequence[int]) -> list[DigestEntry] | None:
    """The issue's entries after pinning ``pins`` (in this order; None keeps the pinned items)
    and removing ``remove`` (removals add up across edits; a removed item is never pinned).
    None when neither is given (the entries stay as they are)."""
    if pins is None and not remove:
        return None
    removed = {e.item_id for e in issue.entries if e.status == "removed"} | set(remove)
    pinned = [e.item_id for e in issue.entries if e.status == "pinned"] if pins is None else list(pins)
    entries = pinned_entries([p for p in pinned if p not in removed])
    entries += [DigestEntry(i, "removed", 0) for i in sorted(removed)]
    return entries


def edited_options(options: Mapping[str, int], changes: Mapping[str, int] | None) -> dict[str, int] | None:
    """``options`` with ``changes`` applied, or None when there are none."""
    return {**options, **changes} if changes else None


__all__ = ["DEFAULT_OPTIONS", "EDITOR_PICK_KINDS", "ISSUE_KINDS", "check_kind", "default_editor_picks",
           "edited_entries", "edited_options", "edited_texts", "pinned_entries"]
