"""``Store``: every query the rest of curator may run, grouped by topic.

The feature layer (``curator/features``) and the delivery loop depend on this Protocol, never on
the concrete class; ``make_curator()`` passes :class:`curator.storage.Storage`, which implements
it on SQLite and PostgreSQL (``tests/storage/test_protocol.py`` checks that the two agree, and the
``tests/storage/test_contract_*.py`` files check each topic's contracts on both databases).

Each method names the facade methods that call it ("Used by"), so a change here shows at once
what it touches. Conventions that hold for every method:

- Results are the frozen dataclasses of :mod:`curator.types` (or the few small ones of this
  package); no database row leaves storage.
- ``now`` is passed in (the caller's clock); storage never reads the time.
- A missing thing that the caller named raises :class:`curator.errors.NotFound`; a state that
  forbids the change raises :class:`curator.errors.WorkflowError`; anything the database
  refuses becomes :class:`curator.errors.StorageError` (``StorageBusy`` when SQLite is locked).
- Every method is one transaction: it happens completely or not at all.

Not part of the Protocol: the connection plumbing of :class:`curator.storage.database.Database`
(``read``, ``write``, ``engine``, ``dialect``, ``url``; ``reading`` is in the Protocol), which hands out SQLAlchemy connections
and exists for the query modules of this package only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, Protocol

from ..newsletter import workflow
from ..types import (
    ApiToken,
    Club,
    ClubMembership,
    Delivery,
    DigestEntry,
    DigestIssue,
    EditorRule,
    EngagementEvent,
    EventConfidence,
    FeedbackEvent,
    Item,
    ItemClicks,
    ItemQuery,
    JobRunCounts,
    Member,
    MemberPost,
    MemberProfile,
    MemberRecord,
    OperationsCounts,
    ParsedItem,
    PersonaSuggestion,
    RecipientEngagement,
    SearchHit,
    Segment,
    Source,
    SourceHealth,
    SourceImportResult,
    TopicTrends,
    WebSession,
    WebUser,
)
from .feeds import FeedPool, MemberFeed, MemberFeedState, PersonaFeed
from .items import UpsertCounts
from .members import MemberUpsert, StoredFeedback
from .newsletter import FrozenRecipient
from .sources import SourceState
from .tagging import Correction, TagRow


class Store(Protocol):
    """Persistence for every capability of curator (see the module docstring)."""

    # ------------------------------------------------------------------ schema and lifecycle

    def migrate(self) -> tuple[str | None, str]:
        """Bring the schema to the newest revision; safe on every start and from several
        processes at once. Returns (revision before, revision after); MigrationError on failure.
        Used by: make_curator, Curator.init."""
        ...

    def ensure_schema(self) -> None:
        """MigrationError naming ``curator init`` unless the schema is at the newest revision.
        Used by: tests (a tool's check that changes nothing)."""
        ...

    def head_revision(self) -> str:
        """The newest schema revision this version of curator knows.
        Used by: migrate, ensure_schema; tests."""
        ...

    def close(self) -> None:
        """Close every pooled connection. Used by: Curator.close."""
        ...

    def reading(self) -> AbstractContextManager[None]:
        """Within the block, this thread's reads share one connection and one transaction (one
        consistent snapshot) until the thread's next write, which ends it first so later reads
        see the write; each method stays atomic. Used by: Curator.reading (the web app wraps
        every request in it)."""
        ...

    # ------------------------------------------------------------------ sources

    def sync_sources(self, sources: Sequence[Source], now: datetime) -> tuple[int, int, int]:
        """Make the ``file`` sources match the feeds file's ``sources``, leaving console and
        internal sources alone: add, change (a new URL resets the fetch state; a new visibility
        applies to stored items), bring back the ones listed again and retire (disable, keeping
        their items) the ones no longer listed. The file's ``enabled`` applies only when the file
        changes it. A console source whose id and URL the file lists becomes a file source;
        WorkflowError (nothing changed) when the file lists the id of an internal source or of a
        console source with another URL. Returns (added, changed, retired); a second identical
        call returns (0, 0, 0). Used by: sources.sync, Curator.init."""
        ...

    def add_source(self, source: Source, now: datetime) -> None:
        """Store a new ``console`` source; InvalidInput when the id is taken or another source
        has the URL. Used by: sources.add, sources.import_opml."""
        ...

    def update_source(self, source: Source, now: datetime) -> bool:
        """Change the definition of the ``console`` source ``source.id`` (not its ``enabled``),
        as sync does; whether anything changed. NotFound for an unknown id, WorkflowError for a
        file or internal source, InvalidInput when another source has the URL.
        Used by: sources.update."""
        ...

    def import_sources(self, sources: Sequence[Source], now: datetime) -> list[SourceImportResult]:
        """Add or update ``sources`` (definition and ``enabled``) as ``console`` sources in one
        transaction, one result per source in order; skipped with a reason: ids of file (not
        retired) or internal sources, URLs of other sources. A retired file source is taken
        over. Used by: sources.import_yaml."""
        ...

    def set_source_enabled(self, source_id: str, enabled: bool, now: datetime) -> Source:
        """Switch a file or console source on (due at once) or off and return it; switching on a
        retired file source makes it a console source. NotFound for an unknown id, WorkflowError
        for an internal source. Used by: sources.set_enabled."""
        ...

    def ensure_internal_source(self, source: Source, now: datetime) -> None:
        """Create an ``internal`` source (member posts, imports), never collected; an existing
        one is left as it is. Used by: items.import_jsonl, posts.approve."""
        ...

    def source_states(self, only_enabled: bool = True) -> list[SourceState]:
        """The collector's state of the file and console sources that are not retired, by id
        (only enabled ones unless ``only_enabled`` is False). Used by: sources.collect,
        sources.sync (what an empty file would retire)."""
        ...

    def source_health(self) -> list[SourceHealth]:
        """Every source, internal and retired ones too, with its last fetch outcome and item
        count, by id. Used by: sources.health, sources.add, sources.export_yaml, sources.export_opml,
        sources.import_opml, digests.view/render_for/send (source names), rules.add (source rules)."""
        ...

    def record_fetch_success(self, source_id: str, parsed: Sequence[ParsedItem], *, etag: str | None,
                             last_modified: str | None, feed_title: str | None, unconditional: bool,
                             now: datetime, warning: str | None = None,
                             moved_to: str | None = None) -> UpsertCounts:
        """Store a fetch's items AND its validators in one transaction and mark the source healthy
        (error count 0). NotFound if the source was deleted meanwhile (nothing is stored).
        Used by: sources.collect_one (and sources.collect)."""
        ...

    def record_not_modified(self, source_id: str, *, etag: str | None, last_modified: str | None,
                            now: datetime) -> None:
        """A fetch answered "not modified": store the validators, mark the source healthy.
        Used by: sources.collect_one."""
        ...

    def record_fetch_failure(self, source_id: str, error: str, *, now: datetime,
                             next_attempt: datetime | None, broken_after: int,
                             disable: bool = False) -> int:
        """Count a failed fetch (atomically: concurrent failures all count), marking the source
        broken from ``broken_after`` failures in a row and disabling it if ``disable``. Returns the
        consecutive error count, 0 for an unknown source. Used by: sources.collect_one."""
        ...

    def delete_source(self, source_id: str) -> None:
        """Delete a source with its items; NotFound if there is none.
        Used by: tests (a source removed while it is being collected)."""
        ...

    # ------------------------------------------------------------------ items

    def upsert_items(self, source: Source, parsed: Sequence[ParsedItem], now: datetime,
                     kind: str | None = None) -> UpsertCounts:
        """Store entries under ``source`` keyed by (source, key): new keys are inserted, a changed
        content hash updates the item in place (same id), the rest is counted unchanged; the first
        of several entries with one key wins. Used by: items.import_jsonl."""
        ...

    def list_items(self, query: ItemQuery | None = None) -> list[Item]:
        """Items matching ``query``, newest published first (ties: higher id first), with tags.
        Used by: items.list, feeds.browse, feeds.member_feed, feeds.recommend_many, tagging.tag,
        tagging.refresh_duplicates, tagging.to_teach, digests.draft/view/send (the period's items),
        rules.preview."""
        ...

    def get_item(self, item_id: int) -> Item:
        """The item with this id, with its tags; NotFound if there is none.
        Used by: items.get, members.item_visible_to, tagging.correct."""
        ...

    def get_items(self, item_ids: Sequence[int]) -> list[Item]:
        """The items with these ids in the order given; unknown ids are left out.
        Used by: items.get_many, feeds.recommend_many, feeds.saved, tagging.tag, tagging.to_teach, digests.edit,
        digests.view/render_for/send, feedback.refresh_profiles, feeds.refresh (a stored pool's
        items an editor rule is matched against)."""
        ...

    def search_items_text(self, query: str, *, visible_to: Collection[str] | None, area: str | None = None,
                          lang: str | None = None, limit: int = 20) -> list[SearchHit]:
        """Full-text matches of any word of ``query`` (word boundaries; German items in the German
        configuration, others in English on PostgreSQL), best first, at most ``limit``, restricted to
        ``visible_to`` (None: no restriction) and the ``area`` and ``lang`` filters; snippets are
        HTML-escaped with the words in ``<mark>``. Used by: items.search."""
        ...

    def find_item(self, ref: str) -> int | None:
        """The id of the item whose key, URL or canonical URL is ``ref`` (the oldest if several),
        None if none. Used by: feedback.import_jsonl."""
        ...

    def set_item_visibility(self, item_id: int, visibility: str) -> None:
        """Restrict or open one item; NotFound if there is none.
        Used by: tests and tools (editors restrict whole sources through the sources file)."""
        ...

    # ------------------------------------------------------------------ member posts

    def add_post(self, *, title: str, text: str, link: str | None, author_name: str,
                 author_email: str | None, organisation: str | None, lang: str | None,
                 visibility: str, now: datetime) -> MemberPost:
        """Store a submitted post as ``pending``. Used by: posts.submit."""
        ...

    def get_post(self, post_id: int) -> MemberPost:
        """The post with this id; NotFound if there is none. Used by: posts.approve."""
        ...

    def list_posts(self, status: str | None = None, limit: int = 100) -> list[MemberPost]:
        """Posts (of ``status``, or all), newest submitted first. Used by: posts.list,
        accounts.export_data."""
        ...

    def decide_post(self, post_id: int, *, approve: bool, editor: str, reason: str | None,
                    now: datetime, item_source: Source | None = None,
                    item: ParsedItem | None = None) -> MemberPost:
        """Approve (publishing ``item`` under ``item_source`` with the post's visibility) or
        reject a pending post, atomically: of two concurrent decisions one wins, the other gets
        WorkflowError. NotFound for an unknown post. Used by: posts.approve, posts.reject."""
        ...

    def posts_by_author(self, email: str) -> list[int]:
        """Ids of the posts submitted with this email (any case), oldest first.
        Used by: accounts.export_data."""
        ...

    # ------------------------------------------------------------------ tagging

    def items_to_tag(self, version: str, *, retag_all: bool = False, limit: int | None = None) -> list[Item]:
        """Items never tagged, tagged by another ``version`` or changed since (all if
        ``retag_all``), by id. Used by: tagging.tag."""
        ...

    def save_tags(self, rows: Sequence[TagRow], version: str, now: datetime) -> None:
        """Store tagger output; an item an editor corrected keeps the editor's areas (its scores
        update). Saving the same rows twice changes nothing. Used by: tagging.tag."""
        ...

    def add_correction(self, item_id: int, areas: Sequence[str], editor: str, now: datetime) -> None:
        """An editor sets an item's areas: kept in the corrections history and made the item's
        tags, which later tagger runs keep. NotFound for an unknown item. Used by: tagging.correct."""
        ...

    def corrections(self) -> list[Correction]:
        """The latest correction of each corrected item, items in the order they were first
        corrected. Used by: tagging.tag (the tagger's editor examples), tagging.to_teach."""
        ...

    def set_duplicates(self, groups: Sequence[Sequence[int]]) -> int:
        """Mark every item of a group but the first as its duplicate and clear every other mark.
        Returns how many items are marked. Used by: tagging.refresh_duplicates."""
        ...

    def area_counts(self) -> tuple[dict[str, int], int]:
        """({area: items carrying it}, items carrying no area), counted in the database.
        Used by: tagging.tag."""
        ...

    def duplicates_of(self, item_id: int) -> list[Item]:
        """The items marked as duplicates of ``item_id`` (empty for an unknown id).
        Used by: tagging.duplicates_of."""
        ...

    def set_item_areas(self, item_id: int, scores: Mapping[str, float], now: datetime,
                       version: str = "manual") -> None:
        """Write an item's tags directly: its areas are those scoring >= 0.5. InvalidInput for an
        unknown area, NotFound for an unknown item. Used by: tests and benchmarks (arranging tags)."""
        ...

    # ------------------------------------------------------------------ members and clubs

    def get_member(self, email: str) -> Member:
        """The member with this email (any case, trimmed); NotFound naming ``import-members``.
        Used by: members.get (and through it feedback.record, members.grant_club...)."""
        ...

    def get_members_by_id(self, member_ids: Sequence[int]) -> list[Member]:
        """The members with these ids, by id; unknown ids are left out.
        Used by: members.of_user, accounts.rss_user, digests.send (RankedDirectory.get_member),
        feedback.share."""
        ...

    def list_members(self) -> list[Member]:
        """Every member, by id. Used by: members.list, feeds.recommend_many, personas.suggest,
        feedback.refresh_profiles, rules.preview (who a segment holds)."""
        ...

    def member_id_for_email(self, email: str) -> int | None:
        """The id of the member with this email (any case), None if none.
        Used by: accounts.create, accounts.request_signin_link, accounts.signin_with_link,
        members.erase_person."""
        ...

    def upsert_member(self, rec: MemberRecord, now: datetime, *, grant_clubs_by: str | None = None) -> MemberUpsert:
        """Insert or update a member by email, keeping its id. Withdrawing tracking consent deletes
        its view/click events and profile in the same transaction; clubs are granted only when
        ``grant_clubs_by`` names the vouching editor (existing grants stay). Storing the same
        record twice answers ``unchanged``. Used by: members.import_file, members.update_preferences."""
        ...

    def set_tracking_consent(self, email: str, consent: bool, now: datetime) -> Member:
        """Change a member's consent; withdrawing deletes stored view/click events and the profile.
        NotFound for an unknown email. Used by: members.set_tracking_consent,
        members.update_preferences."""
        ...

    def set_colleague_mail(self, member_id: int, accept: bool, now: datetime) -> None:
        """Store whether the member accepts items sent by colleagues (an import never changes it).
        Used by: members.update_preferences."""
        ...

    def set_member_digest_frequency(self, member_id: int, frequency: str, now: datetime) -> None:
        """Store how often the member wants the digest (``types.DIGEST_FREQUENCIES``);
        InvalidInput for another value. An import changes it only when its record says
        (``MemberRecord.digest_frequency``). Used by: members.set_digest_frequency."""
        ...

    def erase_person(self, email: str, *, now: datetime, detail: str) -> bool:
        """Erase the person with this email in one transaction: member record, feedback, profile,
        clubs, account, sessions, tokens, unpublished posts go; published posts, delivery rows and
        others' sends stay without them; suppressions become hashed and a hashed ``erased``
        newsletter suppression (``detail``: who asked) stops a re-import from restarting
        newsletters. False when no member or account has the email.
        Used by: members.erase_by_email, accounts.erase."""
        ...

    def ensure_club(self, club: Club, now: datetime) -> None:
        """Create the club if missing; an existing club is left as it is.
        Used by: members.ensure_clubs."""
        ...

    def list_clubs(self) -> list[Club]:
        """Every club, by id. Used by: members.clubs, members.ensure_clubs, members.import_file."""
        ...

    def grant_club(self, email: str, club_id: str, editor: str, now: datetime) -> ClubMembership:
        """Admit a member to a club, recording the editor (granting twice keeps the first grant).
        NotFound for an unknown member or club; WorkflowError for a registered non-member.
        Used by: members.grant_club."""
        ...

    def revoke_club(self, email: str, club_id: str) -> bool:
        """End a membership; True if there was one. NotFound for an unknown member.
        Used by: members.revoke_club."""
        ...

    def club_memberships(self, club_id: str | None = None) -> list[ClubMembership]:
        """Memberships (of one club, or all), by club then email. Used by: members.club_memberships."""
        ...

    # ------------------------------------------------------------------ feedback and profiles

    def add_feedback(self, events: Sequence[tuple[FeedbackEvent, str | None]]) -> tuple[int, int]:
        """Store (event, dedupe key) pairs; an event whose key is already stored is skipped.
        Returns (stored, duplicates). Consent is the caller's check. Used by: feedback.record,
        feedback.give, feedback.share, feedback.import_jsonl."""
        ...

    def hidden_item_ids(self, member_id: int) -> set[int]:
        """The items the member hid (feedback ``hide``), read alone: a feed page needs only these.
        Used by: feeds.member_feed, feeds.hidden_item_ids."""
        ...

    def feedback(self, member_ids: Sequence[int] | None = None, *, after_id: int = 0,
                 item_ids: Sequence[int] | None = None) -> list[StoredFeedback]:
        """Feedback events with ids above ``after_id`` (of these members and/or items; None: all),
        oldest first, each with its item's source and visibility. Used by: feedback.of_member,
        feedback.of_user, feeds.recommend_many, feedback.refresh_profiles."""
        ...

    def source_feedback_counts(self) -> dict[str, tuple[int, int]]:
        """Per source: (positive, negative) explicit feedback counts.
        Used by: feeds.recommend_many, personas.suggest (source quality in ranking)."""
        ...

    def get_profiles(self, member_ids: Sequence[int] | None = None) -> dict[int, MemberProfile]:
        """Stored interest profiles by member id (of these members; None: all).
        Used by: feedback.refresh_profiles, feeds.recommend_many, personas.suggest."""
        ...

    def save_profiles(self, profiles: Sequence[MemberProfile]) -> None:
        """Insert or replace the profiles of their members.
        Used by: feedback.refresh_profiles, feeds.recommend_many, personas.suggest."""
        ...

    # ------------------------------------------------------------------ pins and personas

    def pin_item(self, item_id: int, scope: str, editor: str, now: datetime, until: datetime | None) -> None:
        """Pin an item in ``scope`` (``all``, ``club:<id>``, ``persona:<id>``) until ``until``
        (None: for good); pinning again replaces the pin. NotFound for an unknown item.
        Used by: feeds.pin."""
        ...

    def unpin_item(self, item_id: int, scope: str) -> bool:
        """Remove a pin; True if there was one. Used by: feeds.unpin."""
        ...

    def active_pins(self, now: datetime) -> dict[int, set[str]]:
        """Item id -> scopes of the pins still in force at ``now``.
        Used by: feeds.recommend_many, personas.suggest."""
        ...

    def add_persona_suggestions(self, suggestions: Sequence[Mapping[str, Any]], now: datetime) -> list[int]:
        """Store suggestions (kind, persona, name, definition, size) as ``open``; earlier open ones
        become ``superseded``. Returns the new ids in order. Used by: personas.suggest."""
        ...

    def persona_suggestions(self, status: str | None = "open") -> list[PersonaSuggestion]:
        """Suggestions of ``status`` (None: all), by id. Used by: personas.suggest,
        personas.suggestions."""
        ...

    def suggestion_definition(self, suggestion_id: int) -> tuple[PersonaSuggestion, dict[str, Any]]:
        """A suggestion with its stored definition; NotFound if there is none.
        Used by: personas.accept."""
        ...

    def accept_persona(self, suggestion_id: int, persona_id: str, definition: Mapping[str, Any], editor: str,
                       now: datetime) -> None:
        """Mark an open suggestion accepted and store the persona, atomically. NotFound for an
        unknown suggestion, WorkflowError if it is not open. Used by: personas.accept."""
        ...

    def reject_persona(self, suggestion_id: int, editor: str, now: datetime) -> None:
        """Mark an open suggestion rejected. NotFound for an unknown suggestion, WorkflowError if
        it is not open. Used by: personas.reject."""
        ...

    def accepted_personas(self) -> dict[str, dict[str, Any]]:
        """Persona id -> definition of every accepted persona, by id. Used by: personas.all."""
        ...

    # ------------------------------------------------------------------ newsletter issues

    def create_issue(self, *, kind: str, segment: Segment, period: str | None, period_start: datetime | None,
                     period_end: datetime | None, texts: dict[str, dict[str, str]], options: dict[str, int],
                     created_by: str, now: datetime,
                     entries: Sequence[DigestEntry] = ()) -> tuple[DigestIssue, bool]:
        """Create a ``draft`` issue at revision 1: (issue, True). With a ``period`` this happens once
        per (kind, segment, period): a second call, also a concurrent one, returns the existing
        issue and False. Used by: digests.draft, digests.draft_weekly."""
        ...

    def get_issue(self, issue_id: int) -> DigestIssue:
        """The issue with its entries; NotFound if there is none.
        Used by: digests.get, digests.send."""
        ...

    def list_issues(self, states: Sequence[str] | None = None, limit: int = 50) -> list[DigestIssue]:
        """Issues (in these states, or all), newest first. Used by: digests.list, digests.send_due."""
        ...

    def edit_issue(self, issue_id: int, *, now: datetime, texts: dict[str, dict[str, str]] | None = None,
                   options: dict[str, int] | None = None,
                   entries: Sequence[DigestEntry] | None = None) -> DigestIssue:
        """Change an issue's content and bump its revision; an approved or scheduled issue goes back
        to review. WorkflowError once it is sending or finished; NotFound for an unknown issue.
        Used by: digests.edit."""
        ...

    def transition(self, issue_id: int, *, action: workflow.Action, now: datetime,
                   expect_revision: int | None = None, **values: Any) -> DigestIssue:
        """Apply ``action`` of the workflow table, setting ``values`` too, if the issue's state
        allows it and (if given) it is still at ``expect_revision``; WorkflowError naming the state
        otherwise. Used by: digests.submit, digests.approve, digests.schedule, digests.pause,
        digests.resume, digests.cancel."""
        ...

    def set_hold(self, issue_id: int, reason: str | None, now: datetime) -> None:
        """Record why sending waits (None: it no longer does). Used by: digests.send."""
        ...

    def start_sending(self, issue_id: int, recipients: Sequence[FrozenRecipient], *, now: datetime,
                      expect_revision: int) -> DigestIssue:
        """Move an approved issue to ``sending`` AND write one pending delivery per recipient, in
        one transaction. WorkflowError if it is not approved or was edited since
        ``expect_revision``. Used by: digests.send."""
        ...

    def finish_if_done(self, issue_id: int, now: datetime) -> str:
        """Close a sending issue when nothing is pending or in flight (``sent``, or
        ``partially_sent`` if some failed or are uncertain); returns the issue's state.
        Used by: digests.send."""
        ...

    def deliveries(self, issue_id: int, states: Sequence[str] | None = None) -> list[Delivery]:
        """An issue's delivery records (in these states, or all), by id. Used by: digests.deliveries."""
        ...

    def delivery_counts(self, issue_id: int) -> dict[str, int]:
        """Delivery state -> number of records of an issue. Used by: digests.delivery_counts."""
        ...

    def resend(self, issue_id: int, member_id: int, now: datetime) -> Delivery:
        """Put an ``uncertain`` or ``failed`` delivery back to pending (same Message-ID) and reopen
        a finished issue. NotFound without a record, WorkflowError in another state.
        Used by: digests.resend."""
        ...

    # ------------------------------------------------------------------ delivery ledger

    def claim_batch(self, issue_id: int, *, owner: str, now: datetime, claim_for: timedelta,
                    limit: int) -> list[Delivery]:
        """Give up to ``limit`` due pending records to ``owner`` until ``now + claim_for``, by id;
        a record claimed by another live sender is never handed out twice.
        Used by: digests.send (delivery.loop.deliver_issue)."""
        ...

    def mark_sending(self, delivery_id: int, *, owner: str, now: datetime, until: datetime) -> bool:
        """Record intent (``sending``, one more attempt) before the hand-over; False if the record
        is no longer ``owner``'s pending one. Used by: digests.send (delivery loop)."""
        ...

    def mark_sent(self, delivery_id: int, *, owner: str, now: datetime) -> bool:
        """The server accepted the message; False if the record is not ``owner``'s or already
        final. Used by: digests.send (delivery loop)."""
        ...

    def mark_failed(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        """A permanent failure; False if the record is not ``owner``'s or already final.
        Used by: digests.send (delivery loop)."""
        ...

    def mark_uncertain(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        """The message may or may not have arrived: only an editor may resend it. False if the
        record is not ``owner``'s or already final. Used by: digests.send (delivery loop)."""
        ...

    def mark_skipped(self, delivery_id: int, *, owner: str, now: datetime, reason: str) -> bool:
        """The recipient is no longer eligible; False if the record is not ``owner``'s or already
        final. Used by: digests.send (delivery loop)."""
        ...

    def mark_deferred(self, delivery_id: int, *, owner: str, now: datetime, error: str,
                      next_attempt_at: datetime) -> bool:
        """A temporary failure: back to pending, unclaimed, due at ``next_attempt_at``. False if
        the record is not ``owner``'s or already final. Used by: digests.send (delivery loop)."""
        ...

    def mark_unreached(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        """The mail server could not be reached: back to pending and the attempt taken back (an
        outage is not the recipient's fault). False if the record is not ``owner``'s ``sending``
        one. Used by: digests.send (delivery loop)."""
        ...

    def postpone_pending(self, issue_id: int, *, now: datetime, until: datetime) -> int:
        """Make no pending record of the issue due before ``until`` (one due later keeps its
        time), counting no attempt; returns how many moved. Used by: digests.send (delivery loop,
        waiting for the mail server)."""
        ...

    def last_accepted(self, issue_id: int) -> datetime | None:
        """When the mail server last accepted a message of the issue, else when its send started;
        None without deliveries. Used by: digests.send (delivery loop, how long to wait)."""
        ...

    def release_claims(self, issue_id: int, owner: str, now: datetime) -> None:
        """Hand back ``owner``'s claimed pending records of an issue.
        Used by: digests.send (delivery loop, when it stops)."""
        ...

    def sweep_stale(self, issue_id: int, now: datetime) -> int:
        """Turn records left ``sending`` past their claim (a sender died mid-message) into
        ``uncertain``; returns how many. Used by: digests.send (delivery loop)."""
        ...

    # ------------------------------------------------------------------ suppressions

    def suppress(self, *, email: str, member_id: int | None, scope: str, reason: str, now: datetime,
                 detail: str | None = None) -> bool:
        """Stop ``scope`` mail to a mailbox (compared trimmed and lower-cased). True the first time;
        repeating it changes nothing and returns False. Used by: digests.unsubscribe."""
        ...

    def suppressed(self, scope: str, *, email: str | None = None, member_id: int | None = None) -> bool:
        """Whether the mailbox or the member is suppressed for ``scope`` (False when neither is
        given); the hashed key an erased person left counts for their address.
        Used by: digests.is_unsubscribed."""
        ...

    def suppressed_keys(self, scope: str) -> tuple[set[str], set[int]]:
        """(email keys, member ids) suppressed for ``scope``; the hashed key an erased person left
        appears as the email key of the member who has that address now. Used by:
        digests.recipients, feedback.colleagues, feedback.share."""
        ...

    def resubscribe(self, *, email: str, member_id: int, scope: str, source: str, now: datetime) -> bool:
        """Remove the member's own ``unsubscribed`` suppressions of ``scope`` (by mailbox or id)
        and record when and from where, in one transaction; True if one was removed. Bounces,
        complaints, editor blocks and erased entries stay. Used by: digests.resubscribe."""
        ...

    def last_digest_sent(self, member_ids: Sequence[int]) -> dict[int, datetime]:
        """{member id: when the newest digest (kind ``digest``) was sent to them}; members who
        never got one are absent. Used by: digests.recipients and the send run's re-check."""
        ...

    def digests_sent_since(self, member_ids: Sequence[int], since: datetime) -> dict[int, set[int]]:
        """{member id: ids of the ``digest`` issues sent to them at or after ``since``}; members
        who got none are absent. Used by: digests.recipients and the send run's re-check (one
        subject per member and week)."""
        ...

    def last_sent_issue(self, segment_key: str, kind: str = "digest") -> DigestIssue | None:
        """The issue of ``kind`` for the segment whose period ends last among those that started
        sending (sending, paused, sent, partially sent); None if there is none. Used by:
        digests.draft (the next period starts where it ended)."""
        ...

    def suppression_time(self, scope: str, email: str) -> datetime | None:
        """When the mailbox was first suppressed for ``scope``, None if it is not.
        Used by: tests (an unsubscribe repeated keeps its first time)."""
        ...

    # ------------------------------------------------------------------ scheduled jobs

    def start_job_run(self, job: str, slot: str, *, owner: str, now: datetime, ttl: timedelta) -> str | None:
        """Claim one slot of a job under the lease ``job:<job>`` (until ``now + ttl``): None when
        ``owner`` may run it, else why not (another worker holds the lease, or the slot already
        ran). A failed or abandoned run may be taken over. Used by: jobs.run_slot."""
        ...

    def finish_job_run(self, job: str, slot: str, *, owner: str, now: datetime, ok: bool,
                       detail: str | None = None) -> None:
        """Record the end of ``owner``'s run (``done`` or ``failed``, ``detail`` cut to 2,000
        characters) and release the job's lease. Used by: jobs.run_slot."""
        ...

    def job_runs(self, job: str | None = None) -> list[dict[str, Any]]:
        """The recorded runs (of ``job``, or all), oldest start first, as column dicts.
        Used by: jobs.runs."""
        ...

    def lease_holder(self, name: str, now: datetime) -> str | None:
        """The owner of the unexpired lease ``name`` at ``now``, None if nobody holds it.
        Used by: jobs.lease_holder."""
        ...

    # ------------------------------------------------------------------ accounts

    def user_by_email(self, email: str) -> WebUser | None:
        """The account of this email (any case, trimmed), None if none. Used by: accounts.user_by_email,
        accounts.set_role, accounts.set_password, accounts.check_password, accounts.request_signin_link."""
        ...

    def user_by_id(self, user_id: int) -> WebUser | None:
        """The account with this id, None if none. Used by: accounts.user, accounts.create."""
        ...

    def list_users(self) -> list[WebUser]:
        """Every account, by id. Used by: accounts.users, feeds.member_feed."""
        ...

    def password_hash(self, user_id: int) -> str | None:
        """The stored password hash, None without a password (or account).
        Used by: accounts.check_password."""
        ...

    def ensure_user(self, email: str, *, now: datetime, role: str = "member", member_id: int | None = None,
                    password_hash: str | None = None) -> tuple[WebUser, bool]:
        """The account of ``email``, created with ``role`` if missing: (user, created). An existing
        account keeps its role and gains ``member_id`` if it had none. InvalidInput for an unknown
        role. Used by: accounts.create, accounts.signin_with_link, accounts.rss_user."""
        ...

    def set_role(self, user_id: int, role: str, now: datetime) -> WebUser:
        """Change an account's role. InvalidInput for an unknown role, NotFound for an unknown
        account. Used by: accounts.set_role, accounts.create."""
        ...

    def set_password_hash(self, user_id: int, password_hash: str | None, now: datetime) -> None:
        """Store a new password hash and end every session of the account.
        Used by: accounts.set_password."""
        ...

    def set_digest_frequency(self, user_id: int, frequency: str, now: datetime) -> None:
        """How often the account wants the digest; InvalidInput for an unknown frequency.
        Used by: members.update_preferences."""
        ...

    def add_signin_token(self, token_hash: str, email: str, purpose: str, now: datetime, expires_at: datetime) -> None:
        """Store a sign-in link's hash for ``email`` and ``purpose``.
        Used by: accounts.request_signin_link."""
        ...

    def peek_signin_token(self, token_hash: str, purpose: str, now: datetime) -> str | None:
        """The email of a live, unused token of ``purpose``, None otherwise; changes nothing.
        Used by: accounts.signin_link_email."""
        ...

    def use_signin_token(self, token_hash: str, purpose: str, now: datetime) -> str | None:
        """Use a live, unused token once and return its email; None if it is not usable. Of two
        concurrent uses at most one succeeds. Used by: accounts.signin_with_link."""
        ...

    def add_api_token(self, user_id: int, token_hash: str, name: str, now: datetime) -> ApiToken:
        """Store an API token's hash for the account. Used by: accounts.create_api_token."""
        ...

    def api_token_user(self, token_hash: str) -> tuple[ApiToken, WebUser] | None:
        """The unrevoked token with this hash and its account, None otherwise.
        Used by: accounts.api_user."""
        ...

    def api_tokens(self, user_id: int) -> list[ApiToken]:
        """The account's tokens, revoked ones included, by id.
        Used by: accounts.api_tokens, accounts.export_data."""
        ...

    def revoke_api_token(self, user_id: int, token_id: int, now: datetime) -> bool:
        """Revoke one of the account's own live tokens; False for anyone else's, an unknown or an
        already revoked one. Used by: accounts.revoke_api_token."""
        ...

    def rss_version(self, member_id: int) -> int | None:
        """The live private-feed token version of a member, None if none or revoked.
        Used by: accounts.rss_token, accounts.rss_user."""
        ...

    def new_rss_version(self, member_id: int, now: datetime) -> int:
        """Issue the next token version (1 for the first); the previous one stops working.
        Used by: accounts.rss_token."""
        ...

    def revoke_rss(self, member_id: int, now: datetime) -> None:
        """Stop the member's private-feed token from working. Used by: accounts.revoke_rss_token."""
        ...

    # ------------------------------------------------------------------ sessions

    def get_session(self, id_hash: str, now: datetime) -> WebSession | None:
        """The session with this id hash if it expires after ``now``, else None.
        Used by: accounts.get_session."""
        ...

    def save_session(self, id_hash: str, *, user_id: int | None, role: str | None, data: dict[str, Any],
                     now: datetime, expires_at: datetime, replaces: str | None = None) -> None:
        """Insert or update a session; ``replaces`` (an old id hash) is deleted in the same
        transaction, so a rotated id never works again. Used by: accounts.start_session,
        accounts.save_session."""
        ...

    def delete_session(self, id_hash: str) -> None:
        """End a session (nothing for an unknown one). Used by: accounts.delete_session."""
        ...

    def purge_expired(self, now: datetime) -> int:
        """Delete expired sessions and sign-in tokens (returns how many) and throttle windows
        older than a day. Used by: accounts.purge_expired."""
        ...

    # ------------------------------------------------------------------ throttle

    def hit(self, key: str, now: datetime, window: timedelta) -> int:
        """Count one attempt for ``key`` in a fixed ``window`` and return the count, this one
        included; concurrent hits get distinct counts. Used by: accounts.throttle_hit
        (sign-in links)."""
        ...

    def reserve_attempt(self, key: str, *, limit: int, now: datetime, window: timedelta) -> bool:
        """Take one of the ``limit`` attempts of ``key`` per fixed ``window``: True and counted
        while fewer were taken, else False and nothing changes. Atomic: of any number of
        concurrent reservations at most ``limit`` succeed. Used by: accounts.signin_with_password,
        feedback.share (colleague mail per day)."""
        ...

    def release_attempt(self, key: str, now: datetime, window: timedelta) -> None:
        """Give back one attempt of ``key`` taken in the current window (nothing if there is none).
        Used by: accounts.signin_with_password."""
        ...

    def clear(self, key: str) -> None:
        """Forget every attempt of ``key``. Used by: accounts.throttle_clear,
        accounts.signin_with_password."""
        ...

    # ------------------------------------------------------------------ statistics

    def trend_counts(self, since: datetime, visible: Sequence[str] | None = None) -> list[tuple[str, str, int]]:
        """(ISO week start, area, items) for items published since ``since`` that are not
        duplicates (and have one of the ``visible`` visibilities), sorted. Used by: stats.trends."""
        ...

    def engagement_counts(self, since: datetime) -> list[tuple[str, str, str, int]]:
        """(ISO week start, area, persona or "-", events) of feedback other than hide/less since
        ``since``, sorted; no person is named. Used by: stats.trends."""
        ...

    # ------------------------------------------------------------------ operations

    def schema_revisions(self) -> tuple[str | None, str]:
        """(the database's schema revision, None before the first migration; the newest revision
        this version of curator knows): equal when the migrations are current. StorageError when
        the database cannot be reached. Used by: stats.health, stats.doctor."""
        ...

    def operations_counts(self) -> OperationsCounts:
        """What is waiting and what went wrong, in one transaction: consecutive fetch errors of
        each collected, enabled source and how many are broken; items never tagged or changed since
        tagged; members whose stored feed is missing, marked stale, ranked against an older pool or
        older than their latest feedback (all members while the pool is marked stale); when the
        pool was built; deliveries per state (every state, 0 included). No person is named.
        Used by: stats.operations."""
        ...

    def job_run_counts(self) -> list[JobRunCounts]:
        """The record of each job that has run at least once, by job id: runs per state, the
        latest run by start, the first start and the latest successful finish.
        Used by: stats.health, stats.operations."""
        ...

    # ------------------------------------------------------------------ stored feeds

    def feed_candidates(self, since: datetime | None, limit: int) -> list[Item]:
        """Tagged items, newest first, published since ``since`` (None: of any age), at most
        ``limit``; an untagged item is in no feed yet. Used by: feeds.refresh (the pool)."""
        ...

    def feed_inputs_fingerprint(self, now: datetime) -> str:
        """A digest of what the stored pool is built from and editors may change (items, tags,
        areas, duplicates, visibilities, corrections, pins in force at ``now``, sources); it
        changes with each of them. Aggregates only. Used by: feeds.refresh."""
        ...

    def latest_feedback_ids(self) -> dict[int, int]:
        """Member id -> id of their latest feedback event (none: left out).
        Used by: feeds.refresh (which stored feeds miss feedback)."""
        ...

    def save_feed_pool(self, *, inputs_digest: str, model_id: str, items: int, data: bytes, now: datetime) -> int:
        """Store a new candidate pool, drop older ones, return its id (ids only grow).
        Used by: feeds.refresh."""
        ...

    def feed_pool(self) -> FeedPool | None:
        """The newest stored pool without its data; None before the first refresh.
        Used by: feeds.refresh, feeds.forget (one member's re-rank)."""
        ...

    def feed_pool_data(self, pool_id: int) -> bytes:
        """The data of pool ``pool_id``; NotFound once a newer pool replaced it.
        Used by: feeds.forget (one member's re-rank)."""
        ...

    def mark_feeds_stale(self, member_ids: Sequence[int] | None = None) -> None:
        """Mark the stored feeds of ``member_ids`` for the worker; None: the pool, and so every
        feed. Used by: feeds.forget, feeds.pin, feeds.unpin."""
        ...

    def save_member_feeds(self, feeds: Sequence[MemberFeed]) -> int:
        """Store ranked member feeds in one transaction; a stored feed that folds in a later
        feedback event is kept, a feed of a member who no longer exists is skipped. Returns how
        many were written. Used by: feeds.refresh, feeds.forget."""
        ...

    def member_feed(self, member_id: int) -> MemberFeed | None:
        """The member's stored ranked feed; None if they have none yet.
        Used by: feeds.member_feed, digests.candidates (the segment's members' feeds)."""
        ...

    def member_feed_states(self) -> dict[int, MemberFeedState]:
        """What produced each stored member feed, by member id, without the entries.
        Used by: feeds.refresh."""
        ...

    def replace_persona_feeds(self, feeds: Sequence[PersonaFeed]) -> None:
        """Replace every stored persona feed with ``feeds`` in one transaction.
        Used by: feeds.refresh."""
        ...

    def persona_feeds(self, persona: str, lang: str) -> list[PersonaFeed]:
        """The stored feeds of ``persona`` ("" for none) in ``lang``, one per set of
        visibilities. Used by: feeds.member_feed."""
        ...

    # ------------------------------------------------------------------ engagement with sent issues

    def record_shown(self, issue_id: int, member_id: int, items: Sequence[tuple[int, str]]) -> None:
        """Replace the (item id, section) pairs of the member's copy of the issue; they count as
        shown once the delivery is sent or uncertain. Used by: digests.send."""
        ...

    def shown_items(self, member_id: int, *, exclude_issue: int | None = None) -> set[int]:
        """Ids of items in the member's sent (or uncertain) copies of issues other than
        ``exclude_issue``. Used by: digests.view, digests.shown_to."""
        ...

    def delivered_at(self, issue_id: int, member_id: int) -> datetime | None:
        """When the member's copy was accepted by the mail server; None if not (yet).
        Used by: digests.track_click, digests.track_open."""
        ...

    def record_open(self, issue_id: int, member_id: int, *, confidence: EventConfidence, reason: str | None,
                    now: datetime) -> bool:
        """Count an open (one row per issue, member and confidence; a repeat raises its hits).
        True if it was the first. Used by: digests.track_open."""
        ...

    def record_click(self, issue_id: int, member_id: int, item_id: int, *, confidence: EventConfidence,
                     reason: str | None, now: datetime) -> bool:
        """Count a click (one row per issue, member, item and confidence; a repeat raises its
        hits). True if it was the first. Used by: digests.track_click."""
        ...

    def recipient_engagement(self, issue_id: int) -> list[RecipientEngagement]:
        """Each delivery record of the issue with language, consent, high-confidence open/click
        and unsubscribe after the send started, by member id. Used by: digests.report."""
        ...

    def item_clicks(self, issue_id: int) -> list[ItemClicks]:
        """Unique high-confidence clickers and total clicks per item, most clickers first.
        Used by: digests.report."""
        ...

    def low_confidence_counts(self, issue_id: int) -> tuple[int, int]:
        """(low-confidence opens, low-confidence clicks) of the issue. Used by: digests.report."""
        ...

    # ------------------------------------------------------------------ editor rules

    def add_rule(self, rule: EditorRule, now: datetime) -> EditorRule:
        """Store ``rule`` (its id is ignored) as created and updated ``now``; returns it with its
        new id (ids never come back after a delete). Used by: rules.add."""
        ...

    def get_rule(self, rule_id: int) -> EditorRule:
        """The rule with this id; NotFound if there is none. Used by: rules.get, rules.preview."""
        ...

    def list_rules(self, *, enabled_only: bool = False) -> list[EditorRule]:
        """Every rule, or only the enabled ones, oldest first. Used by: rules.list, rules.for_feeds,
        rules.for_member (feeds.member_feed, feeds.recommend_many, digests.view, digests.draft)."""
        ...

    def set_rule_enabled(self, rule_id: int, enabled: bool, now: datetime) -> EditorRule:
        """Switch a rule on or off and return it; NotFound for an unknown rule.
        Used by: rules.disable, rules.enable."""
        ...

    def delete_rule(self, rule_id: int) -> bool:
        """Delete a rule; False if there was none. Used by: rules.delete."""
        ...

    # ------------------------------------------------------------------ topic trends

    def store_topic_trends(self, trends: TopicTrends) -> int:
        """Store one computation with its topics in their order; returns its id. Only the newest
        computations of the same period length are kept. Used by: trends.compute."""
        ...

    def latest_topic_trends(self, period_days: int) -> TopicTrends | None:
        """The newest stored computation for ``period_days``-day periods, None if there is none.
        Used by: trends.latest, trends.topics_block."""
        ...

    def engagement_events(self, since: datetime, until: datetime) -> list[EngagementEvent]:
        """Members' actions on items in ``[since, until)`` (feedback other than hide and less; email
        clicks of confidence high at their first click), each with the member's clubs, persona,
        organisation type and language but no member. Oldest first. Used by: trends.compute."""
        ...
