"""Plain, frozen data objects that cross module boundaries.

Database rows never leave ``curator.storage``; they are turned into these.
All datetimes are timezone-aware UTC unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

AREA_IDS: tuple[str, ...] = ("technology", "company", "work", "society", "government")
"""The five thought-leadership subject areas, in their canonical order."""

LANGUAGES: tuple[str, ...] = ("de", "en")

Visibility = str
"""``"public"``, ``"members"`` or ``"club:<club-id>"``."""

ContentKind = Literal["article", "member_post", "event", "tender", "member_news"]

PostStatus = Literal["pending", "approved", "rejected"]


def club_of(visibility: Visibility) -> str | None:
    """The club id a visibility restricts to, or None for public/members."""
    return visibility[5:] if visibility.startswith("club:") else None


@dataclass(frozen=True)
class Source:
    """One entry of feeds.yaml (desired state)."""

    id: str
    title: str
    url: str
    lang: str | None = None
    areas: tuple[str, ...] = ()
    visibility: Visibility = "public"
    poll_minutes: int = 60
    enabled: bool = True
    kind: ContentKind = "article"


@dataclass(frozen=True)
class SourceHealth:
    """A source with its runtime state from the database."""

    source: Source
    last_attempt: datetime | None
    last_success: datetime | None
    last_error: str | None
    error_count: int
    item_count: int
    next_attempt: datetime | None
    broken: bool


@dataclass(frozen=True)
class FetchResult:
    """What the fetcher got for one URL.

    ``body`` is None exactly when ``not_modified`` is True (HTTP 304).
    ``permanent_url`` is set when every hop of the redirect chain was a 301/308.
    """

    url: str
    final_url: str
    status: int
    body: bytes | None
    content_type: str | None
    etag: str | None
    last_modified: str | None
    not_modified: bool = False
    permanent_url: str | None = None
    expires_zero: bool = False


@dataclass(frozen=True)
class ParsedItem:
    """One entry as read from a feed, after normalisation and sanitising.

    ``content_html`` is already sanitised by the allow-list sanitiser;
    ``text`` is its plain-text form (title not included).
    ``published`` is None when the feed gave no usable date.
    """

    key: str
    """Stable identity within the source (from GUID, link or a hash)."""
    title: str
    url: str | None
    canonical_url: str | None
    summary: str
    content_html: str
    text: str
    author: str | None
    published: datetime | None
    updated: datetime | None
    lang: str | None
    content_hash: str


@dataclass(frozen=True)
class ParsedFeed:
    """A whole feed document: its title and link, the entries, and survivable warnings."""

    title: str | None
    link: str | None
    items: tuple[ParsedItem, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """A stored item: a feed article, an approved member post, an event..."""

    id: int
    source_id: str
    key: str
    kind: str
    title: str
    url: str | None
    canonical_url: str | None
    summary: str
    content_html: str
    text: str
    author: str | None
    published: datetime
    first_seen: datetime
    updated_at: datetime
    lang: str | None
    content_hash: str
    visibility: Visibility
    areas: tuple[str, ...] = ()
    area_scores: dict[str, float] = field(default_factory=dict)
    duplicate_of: int | None = None


@dataclass(frozen=True)
class MemberPost:
    """A member's own post; it becomes an Item once an editor approves it."""

    id: int
    title: str
    text: str
    link: str | None
    author_name: str
    author_email: str | None
    organisation: str | None
    lang: str | None
    visibility: Visibility
    status: PostStatus
    reason: str | None
    submitted_at: datetime
    decided_at: datetime | None
    decided_by: str | None
    item_id: int | None


@dataclass(frozen=True)
class CollectResult:
    """What one source's collection did. ``error`` is None on success."""

    source_id: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    not_modified: bool = False
    skipped: bool = False
    error: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ImportResult:
    """Outcome of a JSONL import: counts and per-line errors (line number, message)."""

    new: int
    updated: int
    unchanged: int
    errors: tuple[tuple[int, str], ...] = ()
