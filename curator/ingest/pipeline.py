"""The decisions of collecting one source, without the network or the database.

The feature layer (``curator.features.sources``) loads a source's state, asks here what to
request, fetches, hands the fetch outcome to :func:`collect_one` (or a failure to
:func:`failure_of`) and stores what comes back. Everything here is pure: time is passed in.

Terms: *validators* are the ETag / Last-Modified pair a server gave for a feed; a *conditional*
request sends them back so the server can answer 304 Not Modified.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from curator.errors import FetchError, HTTPStatusError, ParseError
from curator.ingest.backoff import next_attempt_after_failure
from curator.ingest.normalise import ascii_host
from curator.ingest.parse import parse_feed
from curator.types import FetchResult, ParsedItem

__all__ = [
    "Request",
    "Collected",
    "Failure",
    "is_due",
    "plan_request",
    "collect_one",
    "failure_of",
    "group_by_host",
    "MAX_WARNING_CHARS",
]

MAX_WARNING_CHARS = 2000
"""The joined parse warnings stored on a source are cut here."""

S = TypeVar("S")


def is_due(*, now: datetime, last_attempt: datetime | None, next_attempt: datetime | None,
           poll_minutes: int) -> bool:
    """Whether a source should be fetched at ``now``: after an error only once its back-off
    (``next_attempt``) has passed; otherwise when never tried or ``poll_minutes`` have passed
    since the last attempt."""
    if next_attempt is not None:  # backing off after errors
        return next_attempt <= now
    if last_attempt is None:
        return True
    return now - last_attempt >= timedelta(minutes=poll_minutes)


def group_by_host(sources: Sequence[S], url_of: Callable[[S], str], per_host: int) -> list[list[S]]:
    """Split ``sources`` into groups that are fetched one after another, groups in parallel.

    Sources on the same host share at most ``per_host`` groups (politeness: a host never sees
    more than ``per_host`` requests at once); the sources of one host are dealt round-robin over
    its groups in input order. Groups come in order of first appearance and keep
    the input order inside.
    """
    per_host = max(1, per_host)
    seen: dict[str, int] = defaultdict(int)  # sources of each host dealt so far
    groups: dict[tuple[str, int], list[S]] = defaultdict(list)
    for source in sources:
        host = ascii_host(urlsplit(url_of(source)).hostname or "") or ""  # straße.de is xn--strae-oqa.de
        groups[(host, seen[host] % per_host)].append(source)
        seen[host] += 1
    return list(groups.values())


@dataclass(frozen=True)
class Request:
    """What to send for one fetch: the validators (None: ask unconditionally) and whether this
    is the periodic unconditional fetch (recorded so the next one can be scheduled)."""

    etag: str | None
    last_modified: str | None
    unconditional: bool


def plan_request(*, etag: str | None, last_modified: str | None, last_unconditional: datetime | None,
                 now: datetime, unconditional_every: timedelta) -> Request:
    """The request for a source with the stored validators: conditional, except once every
    ``unconditional_every`` (and when it was never fetched unconditionally), because some servers
    keep answering 304 with stale validators after their feed changed."""
    unconditional = last_unconditional is None or now - last_unconditional >= unconditional_every
    if unconditional:
        return Request(None, None, True)
    return Request(etag, last_modified, False)


@dataclass(frozen=True)
class Collected:
    """What one answered fetch means for the source.

    ``not_modified``: the server answered 304; ``items`` is empty and the validators are the ones
    to keep. Otherwise ``items`` are the parsed entries, ``etag``/``last_modified`` the validators
    to store (None when the server asked not to cache: ``Expires: 0``), ``warnings`` what the
    parser survived, ``moved_to`` the new URL after permanent redirects.
    """

    not_modified: bool
    etag: str | None
    last_modified: str | None
    items: tuple[ParsedItem, ...] = ()
    feed_title: str | None = None
    warnings: tuple[str, ...] = ()
    moved_to: str | None = None

    @property
    def warning(self) -> str | None:
        """The warnings as one text to record on the source (cut to :data:`MAX_WARNING_CHARS`),
        None when there were none."""
        return "; ".join(self.warnings)[:MAX_WARNING_CHARS] or None


def collect_one(result: FetchResult, *, stored_etag: str | None, stored_last_modified: str | None,
                lang_hint: str | None, now: datetime, max_items: int) -> Collected:
    """Turn one fetch outcome into what to store for the source.

    A 304 keeps the stored validators unless the server sent new ones. A body is parsed with
    :func:`~curator.ingest.parse.parse_feed` (``lang_hint``: the source's configured language;
    at most ``max_items`` newest entries). Raises ParseError when the body is not a usable feed.
    """
    if result.not_modified:
        return Collected(True, etag=result.etag or stored_etag,
                         last_modified=result.last_modified or stored_last_modified)
    if result.body is None:
        raise ParseError(f"{result.final_url}: the server sent no body")
    feed = parse_feed(result.body, url=result.final_url, content_type=result.content_type,
                      lang_hint=lang_hint, now=now, max_items=max_items)
    keep_validators = not result.expires_zero
    return Collected(
        False,
        etag=result.etag if keep_validators else None,
        last_modified=result.last_modified if keep_validators else None,
        items=feed.items,
        feed_title=feed.title,
        warnings=feed.warnings,
        moved_to=result.permanent_url,
    )


@dataclass(frozen=True)
class Failure:
    """What a failed fetch means for the source: the message to record and report, when to try
    again, and whether to disable the source (the server said it is gone for good)."""

    message: str
    next_attempt: datetime
    disable: bool


def failure_of(exc: FetchError | ParseError, *, now: datetime, error_count: int, base_minutes: int,
               max_minutes: int) -> Failure:
    """The consequence of the ``error_count``-th failure in a row (this one included).

    Back-off doubles from ``base_minutes`` up to ``max_minutes`` and honours a longer
    Retry-After. HTTP 410 Gone disables the source, and the message says so.
    """
    retry_after = exc.retry_after if isinstance(exc, HTTPStatusError) else None
    disable = isinstance(exc, HTTPStatusError) and exc.status == 410
    message = str(exc) + (" (the source has been disabled: the server says it is gone)" if disable else "")
    next_attempt = next_attempt_after_failure(now, error_count, base_minutes=base_minutes,
                                              max_minutes=max_minutes, retry_after_seconds=retry_after)
    return Failure(message, next_attempt, disable)
