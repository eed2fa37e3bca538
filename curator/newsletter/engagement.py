"""Opens and clicks of a sent issue: which ones to believe, and the per-issue report.

Link scanners (Microsoft Safe Links, Proofpoint, Mimecast, ...) fetch every link of a message
as it arrives, and image proxies (Apple Mail Privacy Protection) fetch every image; neither is a
person reading. :func:`event_confidence` calls an event ``low`` when its user agent names a
scanner or a tool, when it is a HEAD request, or when it comes within :data:`SCANNER_WINDOW` of
the server accepting the message (RELIABILITY T02). Low-confidence events are stored (so the
editor sees how much scanners do) but never feed a profile or the report's unique counts.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Final

from ..types import (
    ClickedItem,
    DigestIssue,
    EventConfidence,
    IssueReport,
    Item,
    ItemClicks,
    RecipientEngagement,
    ReportLine,
)

SCANNER_WINDOW: Final = timedelta(seconds=60)
"""Events this soon after delivery are machines: a person rarely opens and clicks within a minute
of arrival, and scanners and image proxies act within seconds."""

_SCANNER_AGENTS: Final = re.compile(
    r"safe ?links|proofpoint|urldefense|mimecast|barracuda|symantec|messagelabs|trend ?micro|forcepoint|"
    r"sophos|fortinet|cisco|ironport|zscaler|bitdefender|kaspersky|spamassassin|scanner|preview|"
    r"bot\b|bot/|spider|crawl|python-|curl/|wget/|go-http-client|java/|okhttp|libwww|httpclient|headless",
    re.I)

TOP_ITEMS: Final = 10
TOP_AREAS: Final = 8


def event_confidence(user_agent: str | None, method: str, delivered_at: datetime | None,
                     now: datetime) -> tuple[EventConfidence, str | None]:
    """(``high``, None) for an event that looks like a person; (``low``, why) otherwise: why is
    ``head-request``, ``scanner-agent`` (also for no user agent at all) or ``soon-after-delivery``."""
    if method.upper() == "HEAD":
        return "low", "head-request"
    if not user_agent or _SCANNER_AGENTS.search(user_agent):
        return "low", "scanner-agent"
    if delivered_at is not None and now - delivered_at < SCANNER_WINDOW:
        return "low", "soon-after-delivery"
    return "high", None


def _line(label: str, rows: Sequence[RecipientEngagement], key: str = "") -> ReportLine:
    states = Counter(r.state for r in rows)
    return ReportLine(label=label, recipients=len(rows), sent=states["sent"], failed=states["failed"],
                      uncertain=states["uncertain"], opened=sum(r.opened for r in rows),
                      clicked=sum(r.clicked for r in rows), unsubscribed=sum(r.unsubscribed for r in rows),
                      key=key or label)


NO_SEGMENT: Final = "none"
"""The key of the report line of recipients in none of the segments named (members in no club)."""


def segment_lines(rows: Sequence[RecipientEngagement], segments_of: Mapping[int, Sequence[str]],
                  names: Mapping[str, str]) -> tuple[ReportLine, ...]:
    """The report by segment: one line per segment key that a recipient is in (``segments_of``:
    member id -> segment keys, e.g. their clubs), in the order of ``names`` (key -> display
    name; keys missing from it come last, by key), then the recipients in none of them
    (:data:`NO_SEGMENT`, named ``names[NO_SEGMENT]``). A member in two clubs counts in both
    lines; an erased member (no longer in ``segments_of``) in the last."""
    keys = sorted({k for r in rows for k in segments_of.get(r.member_id, ())},
                  key=lambda k: (list(names).index(k) if k in names else len(names), k))
    lines = [_line(names.get(k, k), [r for r in rows if k in segments_of.get(r.member_id, ())], k) for k in keys]
    rest = [r for r in rows if not segments_of.get(r.member_id)]
    if rest:
        lines.append(_line(names.get(NO_SEGMENT, NO_SEGMENT), rest, NO_SEGMENT))
    return tuple(lines)


def issue_report(issue: DigestIssue, first_sent_at: datetime | None, rows: Sequence[RecipientEngagement],
                 clicks: Sequence[ItemClicks], items: Mapping[int, Item], low: tuple[int, int], *,
                 segment: str, by_segment: Sequence[ReportLine] | None = None) -> IssueReport:
    """The report of ``issue`` from its recipients' engagement, the clicks per item (most first)
    and the clicked items as loaded; ``segment`` is the segment's display name
    (:func:`~curator.newsletter.segments.segment_name`). Areas count unique clickers of each
    item in the area. ``by_segment`` (see :func:`segment_lines`) defaults to one line of
    everyone under the issue's segment name."""
    languages = sorted({r.language for r in rows})
    top = [ClickedItem(c.item_id, items[c.item_id].title if c.item_id in items else f"item {c.item_id}",
                       items[c.item_id].url if c.item_id in items else None,
                       tuple(items[c.item_id].areas) if c.item_id in items else (), c.members)
           for c in clicks[:TOP_ITEMS]]
    areas: Counter[str] = Counter()
    for c in clicks:
        for area in items[c.item_id].areas if c.item_id in items else ():
            areas[area] += c.members
    return IssueReport(
        issue_id=issue.id, kind=issue.kind, segment=segment, state=issue.state, first_sent_at=first_sent_at,
        total=_line("all", rows), by_language=tuple(_line(lang, [r for r in rows if r.language == lang])
                                                    for lang in languages),
        by_segment=tuple(by_segment) if by_segment is not None else (_line(segment, rows),), top_items=tuple(top),
        top_areas=tuple(sorted(areas.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_AREAS]),
        tracked=sum(r.tracked for r in rows), low_confidence_opens=low[0], low_confidence_clicks=low[1])


__all__ = ["NO_SEGMENT", "SCANNER_WINDOW", "event_confidence", "issue_report", "segment_lines"]
