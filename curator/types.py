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
    moved_to: str | None = None


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
class ItemQuery:
    """Filters for listing items. ``visible_to`` is the set of visibilities the reader may see;
    None means no restriction (editors and internal jobs only)."""

    limit: int = 50
    offset: int = 0
    source_id: str | None = None
    lang: str | None = None
    area: str | None = None
    kind: str | None = None
    since: datetime | None = None
    visible_to: frozenset[str] | None = None
    search: str | None = None
    seen_since: datetime | None = None
    """Only items first collected at or after this time."""


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


# --------------------------------------------------------------------------- members (issue 4)

MemberStatus = Literal["member", "registered"]
"""``member``: works at a member organisation and gets the members' benefits; ``registered``: a
registered user who is not a member and sees public content only."""

FeedbackKind = Literal["view", "click", "rating", "save", "hide", "more", "less", "send", "attend"]


@dataclass(frozen=True)
class Organisation:
    """A member organisation (or the employer of a registered user). ``is_member`` says whether
    its people are cluster members."""

    id: int
    name: str
    is_member: bool = True
    kind: str | None = None


@dataclass(frozen=True)
class Member:
    """A person: a cluster member or a registered user.

    ``clubs`` are the clubs an editor GRANTED (never inferred). ``declared_areas`` and
    ``interests`` are what the person said; ``persona`` names an entry of models/personas.yaml.
    Without ``tracking_consent`` no view/click events are stored or used for this person."""

    id: int
    email: str
    name: str
    organisation: str | None
    language: str
    status: MemberStatus
    persona: str | None = None
    declared_areas: tuple[str, ...] = ()
    interests: str = ""
    tracking_consent: bool = False
    clubs: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Club:
    """A closed focus group. Its items are visible as ``club:<id>`` to granted members only."""

    id: str
    name: str
    name_de: str
    description: str = ""
    admission: str = ""
    """Who may be admitted, in words, for the editor who grants membership."""


@dataclass(frozen=True)
class ClubMembership:
    member_email: str
    club_id: str
    granted_by: str
    granted_at: datetime


@dataclass(frozen=True)
class FeedbackEvent:
    """One thing a member did with an item. ``value`` is the rating (1-5) for ``rating``;
    ``to_member`` and ``note`` are set for ``send``."""

    member_id: int
    item_id: int
    kind: FeedbackKind
    at: datetime
    value: float | None = None
    note: str | None = None
    to_member_id: int | None = None
    id: int = 0


@dataclass(frozen=True)
class Persona:
    """A user model from models/personas.yaml (or accepted from a suggestion).
    Text fields map a language ("de", "en") to text."""

    id: str
    names: dict[str, str]
    description: dict[str, str]
    goals: dict[str, tuple[str, ...]] = field(default_factory=dict)
    preferred_areas: tuple[str, ...] = ()
    example_interests: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MemberProfile:
    """A member's interests in the embedding space of ``model_id``, as decayed sums as of ``as_of``.

    Vectors are little-endian float32 bytes (``numpy.frombuffer(v, "<f4")``): ``declared`` is the
    vector of what the member said (``declared_hash`` identifies that text), ``positive`` and
    ``negative`` are time-decayed sums of the vectors of items with positive / negative feedback,
    ``*_weight`` their decayed weight sums. ``area_affinity`` holds the decayed feedback sums per
    area. ``events_through`` is the last feedback event id folded in (incremental updates)."""

    member_id: int
    model_id: str
    as_of: datetime
    declared: bytes
    positive: bytes
    negative: bytes
    positive_weight: float
    negative_weight: float
    area_affinity: dict[str, float]
    events_through: int
    declared_hash: str


@dataclass(frozen=True)
class MemberRecord:
    """One member as read from a CRM export, validated, before it is stored.
    ``membership`` is ``member`` or ``registered``; ``clubs`` are the clubs the export lists (they
    become grants only when an editor vouches for the export)."""

    email: str
    name: str
    organisation: str | None
    language: str
    clubs: tuple[str, ...] = ()
    declared_areas: tuple[str, ...] = ()
    interests: str = ""
    persona: str | None = None
    tracking_consent: bool = False
    membership: str = "member"


@dataclass(frozen=True)
class FeedbackImportResult:
    """Outcome of a feedback import: events stored, events dropped because the member gave no
    tracking consent, duplicates already stored, and per-line errors (line number, message)."""

    stored: int
    skipped_no_consent: int
    duplicates: int
    errors: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class ScoredItem:
    """One ranked item for one member: the final score, the named stage scores, and a short
    explanation in the member's language."""

    item: Item
    score: float
    components: dict[str, float]
    explanation: str
    pinned: bool = False


@dataclass(frozen=True)
class PersonaSuggestion:
    """A persona refinement or a new persona proposed from clustered profiles, for an editor.
    ``kind`` is ``refine`` (of ``persona``) or ``new``. Never applied without acceptance."""

    id: int
    kind: str
    persona: str | None
    name: str
    preferred_areas: tuple[str, ...]
    size: int
    example_titles: tuple[str, ...]
    status: str
    created_at: datetime
    decided_by: str | None = None


@dataclass(frozen=True)
class MemberImportResult:
    """Outcome of a member import: counts and per-row errors (row number, message)."""

    new: int
    updated: int
    unchanged: int
    errors: tuple[tuple[int, str], ...] = ()
    clubs_granted: int = 0
    clubs_not_granted: int = 0


# --------------------------------------------------------------------------- newsletters (issue 5)

SegmentKind = Literal["everyone", "club", "persona", "area", "filter"]

IssueState = Literal["draft", "in_review", "approved", "scheduled", "sending", "paused", "sent", "partially_sent",
                     "cancelled"]
"""``partially_sent``: the run finished but some deliveries are ``failed`` or ``uncertain``;
``paused``: an editor stopped a send between batches; resuming sends only to the rest."""

DeliveryState = Literal["pending", "sending", "sent", "failed", "uncertain", "skipped"]
"""``pending -> sending -> sent | failed | uncertain``; ``skipped``: no longer eligible at send time
(unsubscribed, left the club, bounced). ``uncertain`` is never resent automatically."""


@dataclass(frozen=True)
class Segment:
    """Who a digest issue is for. ``value`` is the club, persona or area id (None for everyone and
    filters); ``filter`` is a saved filter: ``{"languages": [...], "areas_any": [...],
    "clubs_any": [...], "personas": [...]}`` (all given conditions must hold)."""

    kind: SegmentKind = "everyone"
    value: str | None = None
    name: str = ""
    filter: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Stable text id: ``everyone``, ``club:it-exec``, ``area:work``, ``filter:<name>``."""
        if self.kind == "everyone":
            return "everyone"
        if self.kind == "filter":
            return f"filter:{self.name}"
        return f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class DigestEntry:
    """An editor's decision about one item in an issue: ``pinned`` (shown first, by ``position``)
    or ``removed`` (never shown in this issue)."""

    item_id: int
    status: Literal["pinned", "removed"]
    position: int = 0
    note: str | None = None


@dataclass(frozen=True)
class DigestIssue:
    """One digest, special newsletter or event invitation.

    ``texts`` maps a language to ``{"subject", "preheader", "intro"}``; ``options`` holds per-member
    section sizes (``personal_picks``, ``posts``, ``events``). Only an issue whose
    ``approved_revision == revision`` may be sent: any edit bumps ``revision``."""

    id: int
    kind: Literal["digest", "special", "invitation"]
    segment: Segment
    period: str | None
    period_start: datetime | None
    period_end: datetime | None
    texts: dict[str, dict[str, str]]
    options: dict[str, int]
    state: IssueState
    revision: int
    approved_revision: int | None
    approved_by: str | None
    approved_at: datetime | None
    scheduled_for: datetime | None
    hold_reason: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    entries: tuple[DigestEntry, ...] = ()
    finished_at: datetime | None = None

    @property
    def is_approved(self) -> bool:
        return self.approved_revision is not None and self.approved_revision == self.revision


@dataclass(frozen=True)
class Delivery:
    """One (issue, member) delivery record."""

    id: int
    issue_id: int
    member_id: int
    email: str | None
    state: DeliveryState
    message_id: str
    message_date: datetime
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    updated_at: datetime


@dataclass(frozen=True)
class SendReport:
    """What one send run did for an issue, and where the issue stands afterwards."""

    issue_id: int
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    skipped: int = 0
    deferred: int = 0
    """Temporary failures left ``pending`` for a later run (after back-off)."""
    state: str = ""
    message: str = ""


# --------------------------------------------------------------------------- web (issue 6)

WebRole = Literal["member", "editor", "admin"]
"""``member``: the member area (feed, preferences, own data); ``editor``: also the editor console;
``admin``: also account management. A role never widens which club items a person may see: that
comes from the member record alone (``curator.profiles.access``)."""


@dataclass(frozen=True)
class WebUser:
    """A web account. ``member_id`` links it to the person's member record (None for editors and
    admins who are not members: they see only public items in the member area)."""

    id: int
    email: str
    role: WebRole
    member_id: int | None
    has_password: bool
    digest_frequency: str
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True)
class WebSession:
    """A server-side session. ``id_hash`` is the SHA-256 of the cookie value (the cookie itself is
    never stored). ``role`` is the role the session was issued for: when the account's role
    changes the session is rotated."""

    id_hash: str
    user_id: int | None
    role: str | None
    data: dict[str, object]
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class ApiToken:
    """A bearer token for the JSON API (only its hash is stored)."""

    id: int
    user_id: int
    name: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None
