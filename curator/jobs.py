"""Job functions for the scheduler (jobs/schedule.yaml) and for cron-like use by hand.

Each takes plain values (a settings file path and simple arguments), builds its own Curator,
calls ONE facade method and returns a small JSON-able summary. They are referenced by import
path, never pickled, so any worker can run any of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

from .errors import ConfigError


@contextmanager
def _curator(config_file: str | None) -> Iterator[Any]:
    from .config import load_settings
    from .core import make_curator

    cur = make_curator(load_settings(config_file))
    try:
        yield cur
    finally:
        cur.close()


def collect(config_file: str | None = None) -> dict[str, Any]:
    """Collect every due source."""
    with _curator(config_file) as cur:
        results = list(cur.sources.collect())
    return {"sources": len(results), "new": sum(r.new for r in results),
            "errors": [r.source_id for r in results if r.error]}


def tag(config_file: str | None = None) -> dict[str, Any]:
    """Tag new and changed items with subject areas."""
    with _curator(config_file) as cur:
        for name in ("tag_items", "tag_new_items", "tag"):
            fn = getattr(cur, name, None)
            if callable(fn):
                result = fn()
                return {"result": str(result)[:500]}
    raise ConfigError("this curator has no tagging capability installed (no tag_items method)")


def refresh_profiles(config_file: str | None = None) -> dict[str, Any]:
    """Fold new feedback into member profiles."""
    with _curator(config_file) as cur:
        return {"profiles": cur.feedback.refresh_profiles(None)}


def draft_weekly_digests(config_file: str | None = None, segments: Sequence[str] = ("everyone",)) -> dict[str, Any]:
    """Draft this week's digest for each segment (existing drafts are kept)."""
    with _curator(config_file) as cur:
        issues = cur.digests.draft_weekly(list(segments))
    return {"issues": [i.id for i in issues]}


def send_due_issues(config_file: str | None = None) -> dict[str, Any]:
    """Send approved issues whose time has come and resume interrupted sends."""
    with _curator(config_file) as cur:
        reports = cur.digests.send_due()
    return {"reports": [asdict(r) for r in reports]}
