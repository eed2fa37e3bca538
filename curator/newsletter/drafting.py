"""Drafting digests: which segments the weekly job drafts, the period a new issue covers, the
editor's starting picks, and what a draft warns the editor about.

The period of a segment's digest runs from where its last sent issue ended, so that nothing
published in between is lost when a week was skipped, and no draft is empty just because the
sources were quiet for a week: at least :data:`MIN_WINDOW`, at most :data:`MAX_WINDOW`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final

from ..types import DigestIssue, DraftWarning, Item, Segment
from .composition import PERSONAL_KINDS, IssueContent
from .editing import default_editor_picks, segment_visibility

MIN_WINDOW: Final = timedelta(days=7)
"""A digest covers at least a week, also when the segment's last issue went out days ago."""
MAX_WINDOW: Final = timedelta(days=30)
"""... and at most a month: after a long pause, older news is no news. The first issue of a
segment (no issue sent before) covers this much."""

ALL_CLUBS: Final = "club:*"
"""In the segments of the weekly job (jobs/schedule.yaml): one segment per club."""


def expand_segments(segments: Sequence[str], club_ids: Sequence[str]) -> list[str]:
    """``segments`` with :data:`ALL_CLUBS` replaced by ``club:<id>`` for each of ``club_ids``
    (in their order); every segment once, in the order first named."""
    out: list[str] = []
    for s in segments:
        for key in ([f"club:{c}" for c in club_ids] if s.strip() == ALL_CLUBS else [s.strip() or "everyone"]):
            if key not in out:
                out.append(key)
    return out


def digest_window(now: datetime, last_period_end: datetime | None) -> tuple[datetime, datetime]:
    """(start, end) of a new digest drafted ``now``: it ends now and starts where the segment's
    last sent issue ended (``last_period_end``; None: no issue was sent, the longest window),
    but at least :data:`MIN_WINDOW` and at most :data:`MAX_WINDOW` before now."""
    start = last_period_end if last_period_end is not None else now - MAX_WINDOW
    return max(min(start, now - MIN_WINDOW), now - MAX_WINDOW), now


def starting_picks(pool: Sequence[Item], segment: Segment, limit: int, *, exclude: Sequence[int] = ()) -> list[int]:
    """The editor picks a new digest starts with: for a club's digest the club's own articles
    first (what makes it worth a second email), then :func:`default_editor_picks`; never an item
    of ``exclude`` (the segment's previous issue, whose window may overlap this one's)."""
    skip = set(exclude)
    pool = [i for i in pool if i.id not in skip]
    picks: list[int] = []
    if segment.kind == "club":
        own = f"club:{segment.value}"
        picks = default_editor_picks([i for i in pool if i.visibility == own], segment, limit)
    return picks + [i for i in default_editor_picks(pool, segment, limit) if i not in picks][: limit - len(picks)]


def segment_articles(content: IssueContent, segment: Segment) -> list[Item]:
    """The articles (kinds a personal pick is made of) of an issue that everyone in ``segment``
    may see: its pinned ones and its period's others."""
    base = segment_visibility(segment)
    return [i for i in (*content.pinned, *content.candidates) if i.kind in PERSONAL_KINDS and i.visibility in base]


def draft_warnings(issue: DigestIssue, content: IssueContent) -> tuple[DraftWarning, ...]:
    """What the editor should know before approving ``issue`` (none for special newsletters and
    invitations, which carry what the editor pinned): ``few_articles`` when its articles do not
    fill the editor's picks and the personal picks it is set to (members would get fewer
    picks, or the same ones as their colleagues); ``no_articles`` when there are none."""
    if issue.kind != "digest":
        return ()
    wanted = int(issue.options.get("editor_picks", 0)) + int(issue.options.get("personal_picks", 0))
    found = len(segment_articles(content, issue.segment))
    days = ((issue.period_end - issue.period_start).days
            if issue.period_start is not None and issue.period_end is not None else 0)
    if found == 0:
        return (DraftWarning("no_articles", found, wanted, days),)
    if found < wanted:
        return (DraftWarning("few_articles", found, wanted, days),)
    return ()


def without_shown(content: IssueContent, shown: Collection[int]) -> IssueContent:
    """``content`` without the items in ``shown`` (what earlier digests showed one member): a
    member in several segments, or getting an issue whose period overlaps the last one, is not
    shown the same item twice."""
    return replace(content, pinned=tuple(i for i in content.pinned if i.id not in shown),
                   candidates=tuple(i for i in content.candidates if i.id not in shown))


__all__ = ["ALL_CLUBS", "MAX_WINDOW", "MIN_WINDOW", "digest_window", "draft_warnings", "expand_segments",
           "segment_articles", "starting_picks", "without_shown"]
