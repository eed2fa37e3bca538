"""Job functions for the scheduler (jobs/schedule.yaml).

Each takes the worker's Curator first, then the plain values of its ``args`` in schedule.yaml,
calls ONE facade method and returns a small JSON-able summary, which is recorded on the run.
Jobs are referenced by name (one of ``__all__``) and never pickled, so any worker can run any of
them; ``curator worker`` refuses at start-up a name that is not here, or ``args`` that do not
fit the signature, so the annotations below are part of the contract. By hand, the command of
the same capability does the same work (``curator collect``, ``curator digest send-due``...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

# at run time, not only for type checkers: the scheduler checks ``args`` against these annotations
from .core import Curator

__all__ = ["collect", "compute_topic_trends", "draft_weekly_digests", "rank_feeds", "refresh_profiles",
           "send_due_issues", "tag"]


def collect(cur: Curator) -> dict[str, Any]:
    """Collect every due source."""
    results = list(cur.sources.collect())
    return {"sources": len(results), "new": sum(r.new for r in results),
            "errors": [r.source_id for r in results if r.error]}


def tag(cur: Curator) -> dict[str, Any]:
    """Tag new and changed items with subject areas (and group duplicates)."""
    return asdict(cur.tagging.tag())


def rank_feeds(cur: Curator) -> dict[str, Any]:
    """Bring the stored ranked feeds up to date: everyone after a tag run or an editor's change,
    else only members whose feed is missing or out of date."""
    return asdict(cur.feeds.refresh())


def refresh_profiles(cur: Curator) -> dict[str, Any]:
    """Fold new feedback into member profiles."""
    return {"profiles": cur.feedback.refresh_profiles(None)}


def draft_weekly_digests(cur: Curator, segments: Sequence[str] = ("everyone", "club:*")) -> dict[str, Any]:
    """Draft this week's digest for each segment, ``club:*`` meaning every club (existing
    drafts are kept)."""
    return {"issues": [i.id for i in cur.digests.draft_weekly(list(segments))]}


def send_due_issues(cur: Curator) -> dict[str, Any]:
    """Send approved issues whose time has come and resume interrupted sends."""
    return {"reports": [asdict(r) for r in cur.digests.send_due()]}


def compute_topic_trends(cur: Curator, periods: Sequence[int] = (30,)) -> dict[str, Any]:
    """Topic trends for each period length in days (``curator trends --refresh``)."""
    runs = [cur.trends.compute(days) for days in periods]
    return {"runs": [{"period_days": r.period_days, "topics": len(r.topics), "rising": sum(t.rising for t in r.topics),
                      "falling": sum(t.falling for t in r.topics)} for r in runs]}
