"""Plain, frozen data objects that cross module boundaries.

Database rows never leave ``curator.storage``; they are turned into these.
All datetimes are timezone-aware UTC unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# ------------------------------------------------------------ tagging vocabulary: subject areas and languages

AREA_IDS: tuple[str, ...] = ("technology", "company", "work", "society", "government")
"""The five thought-leadership subject areas, in their canonical order."""

LANGUAGES: tuple[str, ...] = ("de", "en")

# --------------------------------------------------------------------------- sources and items

Visibility = str
"""``"public"``, ``"members"`` or ``"club:<club-id>"``."""

ContentKind = Literal["article", "member_post", "event", "tender", "member_news"]

PostStatus = Literal["pending", "approved", "rejected"]



SourceOrigin = Literal["file", "console", "internal"]
"""Who defines a source, and so who may change or retire it:

- ``file``: an entry of the feeds file; loading the file adds, changes and retires these only.
- ``console``: added in the editors' console or by ``curator sources import``; changed there
  only, never retired by the feeds file.
- ``internal``: where member posts and imported archives are stored; never collected.
"""

SourceStatus = Literal["ok", "new", "failing", "broken", "disabled", "retired", "internal"]
"""A source's health in one word; see :attr:`SourceHealth.status`."""


@dataclass(frozen=True)
class Source:
    """A source to collect: an entry of the feeds file or of the console (see ``origin``)."""

    id: str
    title: str
    url: str
    lang: str | None = None
    areas: tuple[str, ...] = ()
    visibility: Visibility = "public"
    poll_minutes: int = 60
    enabled: bool = True
    kind: ContentKind = "article"
    origin: SourceOrigin = "file"


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
    retired_at: datetime | None = None
    """When the feeds file stopped listing this ``file`` source (it is then disabled too)."""

    @property
    def status(self) -> SourceStatus:
        """The one word every surface shows. "ok" only for an enabled, collected source whose
        last fetch succeeded; "new" until its first success; a source that is not collected
        (internal, retired, disabled) says so before any fetch outcome."""
        if self.source.origin == "internal":
            return "internal"
        if self.retired_at is not None:
            return "retired"
        if not self.source.enabled:
            return "disabled"
        if self.broken:
            return "broken"
        if self.error_count:
            return "failing"
        return "ok" if self.last_success is not None else "new"


@dataclass(frozen=True)
class SourceImportResult:
    """What ``curator sources import`` did with one entry of the file: ``added``, ``updated``,
    ``unchanged`` or ``skipped`` (``reason`` says why: defined by the feeds file, internal, or
    its URL belongs to another source)."""

    source_id: str
    outcome: Literal["added", "updated", "unchanged", "skipped"]
    reason: str | None = None


@dataclass(frozen=True)
class OpmlImportResult:
    """What importing one feed outline of an OPML file did (in a dry run: would do).

    ``outcome``: ``added`` (as the console source ``source_id``), ``exists`` (its URL is already
    the source ``source_id``, or came earlier in the same file: ``reason`` says which) or
    ``rejected`` (``reason`` says why; nothing stored). ``line`` is the outline's line in the
    file, ``url`` the feed address as checked (as written when it was refused), ``areas`` the
    areas it gets (from its folder, see :mod:`curator.ingest.opml`)."""

    line: int
    title: str
    url: str
    outcome: Literal["added", "exists", "rejected"]
    source_id: str | None = None
    areas: tuple[str, ...] = ()
    reason: str | None = None


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


SearchMethod = Literal["fused", "text", "semantic", "semantic-uncentred", "substring"]
"""How ``Curator.items.search`` ranks: ``fused`` (full text and semantic, the default), one side
alone, the semantic side without per-language centring, or the old substring match (evaluation)."""


@dataclass(frozen=True)
class SearchHit:
    """One search result: the item, its score (higher is better; comparable within one search
    only) and an HTML-safe snippet with the matched words in ``<mark>``."""

    item: Item
    score: float
    snippet: str


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


# ---------------------------------------------------------------------- members, clubs, personas and feedback

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
    Without ``tracking_consent`` no view/click events are stored or used for this person.
    Without ``colleague_mail`` nobody can send them an item ("send to a colleague").
    ``digest_frequency`` (one of :data:`DIGEST_FREQUENCIES`) is how often they want the digest;
    the rule is :func:`curator.newsletter.audience.frequency_skip`."""

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
    colleague_mail: bool = True
    digest_frequency: str = "weekly"


DIGEST_FREQUENCIES: tuple[str, ...] = ("weekly", "monthly", "never")
"""How often a member may want the digest: every issue, the first of each calendar month, none."""


@dataclass(frozen=True)
class Colleague:
    """A member someone may send an item to, as the sender's page shows them: by name and
    organisation, never by address. ``id`` is what the sender's choice sends back."""

    id: int
    name: str
    organisation: str | None


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
    area. ``events_through`` is the last feedback event id folded in (incremental updates).
    ``language_feedback`` maps a language of ``LANGUAGES`` to the decayed (positive, negative)
    feedback weight on items in it; None: folded before languages were recorded (the next
    refresh folds the member's events again from the first)."""

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
    language_feedback: dict[str, tuple[float, float]] | None = None


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
    digest_frequency: str | None = None
    """One of :data:`DIGEST_FREQUENCIES`; None: the export does not say (a stored choice stays)."""


@dataclass(frozen=True)
class FeedbackImportResult:
    """Outcome of a feedback import: events stored, events dropped because the member gave no
    tracking consent, duplicates already stored, and per-line errors (line number, message)."""

    stored: int
    skipped_no_consent: int
    duplicates: int
    errors: tuple[tuple[int, str], ...] = ()


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


# --------------------------------------------------------------------------- ranking

@dataclass(frozen=True)
class ScoredItem:
    """One ranked item for one member: the final score, the named stage scores, and a short
    explanation in the member's language."""

    item: Item
    score: float
    components: dict[str, float]
    explanation: str
    pinned: bool = False


# --------------------------------------------------------------------------- newsletters and delivery

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
class DraftWarning:
    """Something the editor should know before approving a digest: ``key`` names it
    (``few_articles``, ``no_articles``; its words are ``draft_<key>`` in curator/i18n.py),
    ``count`` articles were found for the segment where ``minimum`` were wanted, in a period
    of ``days`` days."""

    key: str
    count: int
    minimum: int
    days: int


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


@dataclass(frozen=True)
class DigestCandidate:
    """An item an editor may add to an issue, ranked for the issue's segment: ``reach`` of the
    ``sampled`` segment members with a ranked feed have it near the top of their feed; ``score``
    sums its reciprocal ranks in those feeds (0: no feed ranks it)."""

    item: Item
    score: float
    reach: int
    sampled: int



EventConfidence = Literal["high", "low"]
"""``high``: an open or click by a person as far as curator can tell; ``low``: probably a link
scanner or an image proxy (a scanner user agent, a HEAD request, or within seconds of delivery).
Only ``high`` events feed profiles and the unique counts of :class:`IssueReport`."""


@dataclass(frozen=True)
class RecipientEngagement:
    """What one recipient of an issue did with it (no address or name: a report never names people).
    ``opened`` and ``clicked`` count high-confidence events only; a click implies an open.
    ``unsubscribed``: from the newsletter after this issue's send started."""

    member_id: int
    language: str
    state: DeliveryState
    tracked: bool
    """The member has tracking consent now (only their opens and clicks are ever recorded)."""
    opened: bool
    clicked: bool
    unsubscribed: bool


@dataclass(frozen=True)
class ItemClicks:
    """Unique (high-confidence) clickers of one item of an issue, and every click on it."""

    item_id: int
    members: int
    hits: int


@dataclass(frozen=True)
class ReportLine:
    """One line of an issue report: every recipient (``key`` ``all``), those of one language
    (``key`` and ``label`` the language code), or those in one segment (``key`` the segment's,
    e.g. ``club:it-exec``, or ``none`` for members in no club; ``label`` its name)."""

    label: str
    recipients: int = 0
    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    opened: int = 0
    clicked: int = 0
    unsubscribed: int = 0
    key: str = ""


@dataclass(frozen=True)
class ClickedItem:
    """An item of an issue and how many recipients clicked it."""

    item_id: int
    title: str
    url: str | None
    areas: tuple[str, ...]
    clicks: int


@dataclass(frozen=True)
class IssueReport:
    """What an issue did (``curator digest report``). ``opened`` is a lower bound: only mail
    clients that load images tell us, and only for members with tracking consent; ``opened`` and
    ``clicked`` count members with tracking consent only, so both are lower bounds of the truth.
    Low-confidence events (scanners, image proxies) are counted apart and nowhere else."""

    issue_id: int
    kind: str
    segment: str
    state: str
    first_sent_at: datetime | None
    """When the server accepted the first copy; None before any was sent."""
    total: ReportLine
    by_language: tuple[ReportLine, ...]
    by_segment: tuple[ReportLine, ...]
    top_items: tuple[ClickedItem, ...]
    top_areas: tuple[tuple[str, int], ...]
    tracked: int
    """Recipients with tracking consent: the most ``opened`` and ``clicked`` could be."""
    low_confidence_opens: int
    low_confidence_clicks: int

    def as_json(self) -> dict[str, object]:
        """The report as plain JSON values (the keys of ``curator digest report --json``)."""
        def line(r: ReportLine) -> dict[str, object]:
            return {"key": r.key, "label": r.label, "recipients": r.recipients, "sent": r.sent, "failed": r.failed,
                    "uncertain": r.uncertain, "opened": r.opened, "clicked": r.clicked, "unsubscribed": r.unsubscribed}

        return {"issue": self.issue_id, "kind": self.kind, "segment": self.segment, "state": self.state,
                "first_sent_at": self.first_sent_at.isoformat() if self.first_sent_at else None,
                **{k: v for k, v in line(self.total).items() if k not in ("key", "label")},
                "opened_is_lower_bound": True, "tracked": self.tracked,
                "low_confidence": {"opens": self.low_confidence_opens, "clicks": self.low_confidence_clicks},
                "by_language": [line(r) for r in self.by_language],
                "by_segment": [line(r) for r in self.by_segment],
                "top_items": [{"item": c.item_id, "title": c.title, "url": c.url, "areas": list(c.areas),
                               "clicks": c.clicks} for c in self.top_items],
                "top_areas": [{"area": a, "clicks": n} for a, n in self.top_areas]}


# --------------------------------------------------------------------------- web accounts

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


# --------------------------------------------------------------------------- scheduled jobs

JobRunState = Literal["running", "done", "failed"]
"""``running`` until the job returns (or for ever, if its worker died: another worker takes the
slot over once the lease has expired); then ``done`` or ``failed``."""


@dataclass(frozen=True)
class JobRun:
    """The record of one slot of a scheduled job (``curator.jobs.runs``). ``slot`` is the slot's
    wall-clock time in the schedule's time zone (``2026-11-23T06:00``); ``owner`` the worker that
    ran it last; ``detail`` the job's JSON summary, or the error of a failed run."""

    job: str
    slot: str
    owner: str
    state: JobRunState
    started_at: datetime
    finished_at: datetime | None
    detail: str | None


@dataclass(frozen=True)
class SlotOutcome:
    """What one attempt to run a slot did here. ``ran`` is False when another worker holds the
    job's lease or the slot already ran (``reason`` says which); a job that raised has ``ran``
    True and ``reason`` ``"failed: ..."``; ``result`` is the summary the job returned."""

    job: str
    slot: str
    ran: bool
    reason: str = ""
    result: object = None


# --------------------------------------------------------------------------- operations

CheckStatus = Literal["ok", "warn", "fail"]
"""``warn``: worth a look, but nothing is broken (``curator doctor`` exits 0, ``/healthz`` is 200)."""


@dataclass(frozen=True)
class Check:
    """One check of ``curator doctor`` or ``/healthz``: what was checked (``name``), its ``status``,
    what was found (``detail``) and what to do about it (``fix``; empty when nothing is to be done).
    Never a secret or a person's data."""

    name: str
    status: CheckStatus
    detail: str
    fix: str = ""


@dataclass(frozen=True)
class JobRunCounts:
    """The record of one job's runs: how many are in each state (``runs``; states without a run
    are left out), its latest run, when its first run started and when its latest successful run
    finished."""

    job: str
    runs: dict[str, int]
    last: JobRun | None
    first_started_at: datetime | None
    last_success_at: datetime | None


@dataclass(frozen=True)
class JobStatus:
    """A job of the schedule against its record. ``due_at`` is the latest fire time that some
    run should have started by now, allowing the job's ``misfire_grace_seconds`` (None: none has
    come due since the workers started); ``overdue`` when no run of the job started at or after
    it and none is running. ``schedule`` is the cron expression in words (``minute=*/30``)."""

    job: str
    schedule: str
    record: JobRunCounts
    due_at: datetime | None
    overdue: bool


@dataclass(frozen=True)
class OperationsCounts:
    """What is waiting and what went wrong, counted in the database (no person is named):
    consecutive failed fetches per collected, enabled source (``source_errors``, 0 included), how
    many of those are broken, items waiting to be tagged (never tagged, or changed since), members
    whose stored feed waits to be ranked, when the stored candidate pool was built (None: never),
    and deliveries per state (every :data:`DeliveryState`, 0 included)."""

    source_errors: dict[str, int]
    sources_broken: int
    items_to_tag: int
    feeds_to_rank: int
    feed_pool_built_at: datetime | None
    deliveries: dict[str, int]


@dataclass(frozen=True)
class OperationsSnapshot:
    """``curator.stats.operations()``: the figures ``/metrics`` reports, the same from any process."""

    taken_at: datetime
    counts: OperationsCounts
    jobs: tuple[JobStatus, ...]


@dataclass(frozen=True)
class Health:
    """``curator.stats.health()``: ``ok`` when no check failed; the checks (database, migrations,
    schedule, one per job) and the status of each scheduled job."""

    ok: bool
    checks: tuple[Check, ...]
    jobs: tuple[JobStatus, ...]


# ----------------------------------------------------------------------------- editor rules

RuleAction = Literal["block", "boost"]
RuleMatch = Literal["source", "keyword", "author", "area"]


@dataclass(frozen=True)
class EditorRule:
    """An editor's standing decision about what feeds and digests show (``curator.rules``).

    ``action``: ``block`` (matching items never appear) or ``boost`` (they rise by ``strength``,
    in units of a typical score spread; 0 for a block). ``match`` says what ``pattern`` is: a
    source id, keywords or phrases (alternatives separated by ``|``, a trailing ``*`` matches a
    word's start; whole words, any case, on title, summary and text), an author's name (whole
    name, any case) or a subject area id. ``segment`` is who the rule applies to, as editors write
    it: ``everyone``, ``club:<id>``, ``persona:<id>``, ``area:<id>``, ``language:<de|en>`` or a
    saved filter. A disabled rule is kept but acts nowhere."""

    id: int
    action: RuleAction
    match: RuleMatch
    pattern: str
    segment: str = "everyone"
    strength: float = 0.0
    note: str = ""
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    enabled: bool = True


@dataclass(frozen=True)
class RuleExample:
    """One item a rule preview names."""

    item_id: int
    title: str
    lang: str | None
    source_id: str
    published: datetime


@dataclass(frozen=True)
class RulePreview:
    """What a rule would do (``curator.rules.preview``): of the ``considered`` items published in
    the last ``days`` days, how many it matches (``matched``, by language in ``by_language``),
    the newest of them as ``examples``, and how many of the ``members_total`` cluster members it
    applies to (``members_in_segment``). ``action`` says whether the matched items would be
    hidden (block) or lifted (boost)."""

    rule: EditorRule
    days: int
    considered: int
    matched: int
    by_language: dict[str, int]
    examples: tuple[RuleExample, ...]
    members_in_segment: int
    members_total: int


# ------------------------------------------------------------------ topic trends

EngagementAction = Literal["read", "rate", "click", "other"]
"""What a member did with an item, for topic trends: ``read`` (a view), ``rate`` (a rating),
``click`` (a click in the member area or in an email), ``other`` (save, more like this, send to a
colleague, attend)."""

SEGMENT_KINDS: tuple[str, ...] = ("club", "persona", "organisation", "language")
"""The segments topic engagement is counted by: clubs, personas, organisation types, languages."""


@dataclass(frozen=True)
class EngagementEvent:
    """One member's action on one item, with the segments the member belongs to and no name:
    ``clubs`` (ids), ``persona`` and ``organisation_kind`` (None: none), ``language``."""

    item_id: int
    at: datetime
    action: EngagementAction
    clubs: tuple[str, ...]
    persona: str | None
    organisation_kind: str | None
    language: str


@dataclass(frozen=True)
class Topic:
    """One topic of recent items (``curator.trends``): labels in English and German from its
    distinctive ``words`` per language, item counts per area and language, ``items`` in the
    current period and ``previous`` in the one before, ``change`` of its share (0.5 = +50 %),
    the test's ``p_value``, ``rising``/``falling`` (only past the threshold, docs/trends.md),
    ``examples`` (item ids, most central first) and ``engagement``: segment kind (``SEGMENT_KINDS``)
    -> segment -> action -> events in the current period."""

    label_en: str
    label_de: str
    words: dict[str, tuple[str, ...]]
    areas: dict[str, int]
    langs: dict[str, int]
    items: int
    previous: int
    change: float
    p_value: float
    rising: bool
    falling: bool
    examples: tuple[int, ...]
    engagement: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        """The label in ``lang`` (German for ``de``, English for anything else)."""
        return self.label_de if lang == "de" else self.label_en

    def main_areas(self, min_share: float = 0.25) -> tuple[str, ...]:
        """Areas of at least ``min_share`` of the topic's items, most items first."""
        total = self.items + self.previous
        return tuple(a for a, n in sorted(self.areas.items(), key=lambda kv: (-kv[1], kv[0]))
                     if total and n / total >= min_share)


@dataclass(frozen=True)
class TopicTrends:
    """One computation of topic trends: the current period ``[current_from, until)`` of
    ``period_days`` days against the same length before it, with ``items_current`` and
    ``items_previous`` items considered, its ``topics`` (rising first, then by size) and the
    parameters used (``detail``)."""

    period_days: int
    computed_at: datetime
    current_from: datetime
    until: datetime
    items_current: int
    items_previous: int
    topics: tuple[Topic, ...]
    detail: dict[str, object] = field(default_factory=dict)
    id: int | None = None


@dataclass(frozen=True)
class TopicsBlock:
    """A "topics" block for a digest or an event idea, in one language: ``text`` (plain) and
    ``html`` (escaped fragment)."""

    lang: str
    text: str
    html: str
