"""Digests and newsletters (``curator.digests`` on the root): drafting, the editorial workflow,
each member's copy, unsubscribe and click links, and sending.

This class loads issues, items and members, lets :mod:`curator.newsletter` decide (segments,
composition, the workflow table) and :mod:`curator.delivery` send, and stores the outcome. The
workflow is the table in :mod:`curator.newsletter.workflow`; storage applies each transition
atomically. Who may see what comes from ONE function, :func:`curator.profiles.access.visible_to`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..clock import Clock
from ..config import Settings
from ..delivery import OutboxSender, Sender, SmtpSender, TokenSigner
from ..delivery.loop import DeliveryPolicy, LoopResult, Prepared, Skip, deliver_issue
from ..delivery.message import build_message, check_address, message_id_for, split_from
from ..errors import CuratorError, DeliveryError, InvalidInput, NotFound, WorkflowError
from ..i18n import translate
from ..ingest.normalise import slugify
from ..newsletter import workflow
from ..newsletter.audience import frequency_skip, recipients, repeated_subject, skip_reason, week_start
from ..newsletter.composition import (
    IssueContent,
    MemberLinks,
    compose_view,
    in_period,
    issue_content,
    item_url,
    member_language,
    personal_candidates,
    personal_pick_count,
    pinned_ids,
)
from ..newsletter.drafting import (
    ALL_CLUBS,
    digest_window,
    draft_warnings,
    expand_segments,
    starting_picks,
    without_shown,
)
from ..newsletter.editing import (
    DEFAULT_OPTIONS,
    EDITOR_PICK_KINDS,
    check_kind,
    edited_entries,
    edited_options,
    edited_texts,
    moved_pins,
    pinned_entries,
    rank_candidates,
    segment_areas,
    segment_visibility,
    stand_in_reader,
)
from ..newsletter.engagement import NO_SEGMENT, event_confidence, issue_report, segment_lines
from ..newsletter.picks import MemberDirectory, picks_from_ranking, ranking_depth
from ..newsletter.segments import SegmentNames, in_segment, parse_segment, segment_name
from ..newsletter.texts import ISSUE_LANGUAGES, default_texts, week_period
from ..rendering import Brand, DigestView, EmailRenderer, RenderedEmail
from ..rendering.labels import area_names
from ..storage import FrozenRecipient, Store
from ..types import (
    Delivery,
    DigestCandidate,
    DigestIssue,
    DraftWarning,
    IssueReport,
    Item,
    ItemQuery,
    Member,
    ScoredItem,
    Segment,
    SendReport,
)

if TYPE_CHECKING:
    from .feedback import Feedback
    from .feeds import Feeds
    from .members import Members
    from .personas import Personas
    from .rules import RuleBook

__all__ = ["NEWSLETTER_SCOPE", "Digests", "MemberDirectory", "RankedDirectory", "default_sender"]

log = logging.getLogger("curator.newsletter")

NEWSLETTER_SCOPE = "newsletter"
"""The suppression scope of digests and newsletters; account mail has its own."""

PERIOD_ITEMS_LIMIT = 5000
DUE_SCAN_LIMIT = 200
ARCHIVED_STATES = ("sending", "paused", "sent")
"""States of an issue that has gone out (at least to some members): the web archive shows these."""
ARCHIVE_SCAN_LIMIT = 500


def default_sender(settings: Settings) -> Sender:
    """A new sender from the settings: SMTP when ``smtp_host`` is set, otherwise .eml files in
    ``outbox_dir``. ``make_curator`` hands this (bound to its settings) to :class:`Digests`."""
    if settings.smtp_host:
        return SmtpSender(settings.smtp_host, settings.smtp_port, security=settings.smtp_security,
                          user=settings.smtp_user, password=settings.smtp_password)
    return OutboxSender(settings.outbox_dir)


class RankedDirectory:
    """The default :class:`~curator.newsletter.picks.MemberDirectory`: members from the Members
    feature, personal picks from the Feeds feature's ranking restricted to the issue's candidates.

    A preview ranks one member (``Feeds.recommend``); a send run (:meth:`for_send_run`) ranks
    everyone once (``Feeds.recommend_many``) and keeps that for the run. While no ranking is
    available (or it fails), the newest items in the member's areas stand in and the failure
    is logged."""

    def __init__(self, members: Members, feeds: Feeds, storage: Store, *, batch: bool = False) -> None:
        self._members = members
        self._feeds = feeds
        self._storage = storage
        self._batch = batch
        self._ranked: dict[int, list[ScoredItem]] | None = None

    def all_members(self) -> Sequence[Member]:
        return list(self._members.list())

    def get_member(self, member_id: int) -> Member | None:
        found = self._storage.get_members_by_id([member_id])
        return found[0] if found else None

    def for_send_run(self) -> RankedDirectory:
        return RankedDirectory(self._members, self._feeds, self._storage, batch=True)

    def personal_picks(self, member: Member, candidates: Sequence[Item], limit: int) -> Sequence[Item | ScoredItem]:
        return picks_from_ranking(member, self._ranking_for(member, ranking_depth(limit)), candidates, limit)

    def _ranking_for(self, member: Member, depth: int) -> list[ScoredItem] | None:
        try:
            if self._batch:
                if self._ranked is None:
                    self._ranked = self._feeds.recommend_many(None, depth)
                return self._ranked.get(member.id)
            return list(self._feeds.recommend(member, depth))
        except Exception as exc:  # the digest still goes out, with the simpler picks; logged loudly
            log.exception("personal ranking unavailable, using newest items in the member's areas: %s", exc)
            if self._batch:
                self._ranked = {}  # one failure per run is enough: the rest of the run uses the fallback
            return None


class Digests:
    """Digests, special newsletters and invitations. See :mod:`curator.newsletter.workflow`.

    ``sender_factory`` makes the sender of a send run that was given none: one SMTP connection
    per run, never shared between threads. ``member_directory`` is where members and their
    personal picks come from; ``send_max_lateness`` how late a scheduled issue may still go out
    without an editor's confirmation. ``feedback`` is where a tracked click in an email becomes
    a click event of the member's profile, as a click in the web feed does; ``personas`` where
    the areas of a persona segment come from (the editor's candidates and test sends)."""

    def __init__(self, settings: Settings, storage: Store, clock: Clock, *, renderer: EmailRenderer,
                 token_signer: TokenSigner, sender_factory: Callable[[], Sender],
                 member_directory: MemberDirectory, delivery_policy: DeliveryPolicy, feedback: Feedback,
                 personas: Personas, rules: RuleBook,
                 send_max_lateness: timedelta = workflow.DEFAULT_SEND_MAX_LATENESS) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._renderer = renderer
        self._signer = token_signer
        self._sender_factory = sender_factory
        self._directory = member_directory
        self._policy = delivery_policy
        self._feedback = feedback
        self._personas = personas
        self._rules = rules
        self._send_max_lateness = send_max_lateness
        self._tz = ZoneInfo(settings.timezone)
        self._base_url = settings.base_url.rstrip("/")

    # ------------------------------------------------------------------ drafting

    def draft(self, segment: str | Segment = "everyone", *, period: str | None = None,
              period_start: datetime | None = None, period_end: datetime | None = None,
              kind: str = "digest", editor: str = "curator", texts: dict[str, dict[str, str]] | None = None,
              pins: Sequence[int] | None = None, options: dict[str, int] | None = None) -> DigestIssue:
        """Draft an issue for ``segment``. A digest covers the time since the segment's last sent
        issue ended, at least 7 and at most 30 days before now
        (:func:`~curator.newsletter.drafting.digest_window`), unless ``period_start``/``period_end``
        say otherwise; drafting the same (kind, segment, period) again returns the existing issue.
        The default subject names the segment (all but everyone's). Editor picks are pre-filled
        with the newest tagged items of the period, a club's own first, none the segment's last
        issue pinned (``pins`` overrides them); special newsletters and invitations (``kind``)
        start with the given pins only. :meth:`warnings` tells what a draft lacks. Raises
        InvalidInput for a bad kind or segment."""
        check_kind(kind)
        seg = parse_segment(segment)
        now = self._clock.now()
        if period_end is None:
            period_end = now
        last = self._storage.last_sent_issue(seg.key) if kind == "digest" else None
        if period_start is None:
            period_start = (digest_window(period_end, last.period_end if last else None)[0] if kind == "digest"
                            else period_end - timedelta(days=7))
        if period is None and kind == "digest":
            period = week_period(now, self._tz)
        opts = {**DEFAULT_OPTIONS, **(options or {})}
        if texts is None:
            names = self.segment_names() if seg.kind != "everyone" else None
            texts = default_texts(period, None if names is None else
                                  {lang: self.segment_name(seg, lang, names) for lang in ISSUE_LANGUAGES})
        if pins is None and kind == "digest":
            period_items = self._rules.allowed_for_segment(seg, self._period_items(period_start, period_end))
            pins = starting_picks(period_items, seg, opts["editor_picks"], exclude=pinned_ids(last) if last else ())
        issue, _ = self._storage.create_issue(
            kind=kind, segment=seg, period=period, period_start=period_start, period_end=period_end, texts=texts,
            options=opts, created_by=editor, now=now, entries=pinned_entries(pins or []))
        return issue

    def draft_weekly(self, segments: Sequence[str] = ("everyone", ALL_CLUBS), *,
                     editor: str = "curator") -> list[DigestIssue]:
        """The Monday job: this week's draft for each segment (``club:*``: every club), or the
        existing one. A segment that cannot be drafted (a bad segment text) is logged and
        skipped: the other segments still get their drafts."""
        drafted = []
        for key in expand_segments(segments, [c.id for c in self._storage.list_clubs()]):
            try:
                drafted.append(self.draft(key, editor=editor))
            except CuratorError as exc:
                log.error("weekly digest for segment %r not drafted: %s", key, exc)
        return drafted

    def warnings(self, issue: int | DigestIssue) -> tuple[DraftWarning, ...]:
        """What the editor should know about a digest before approving it, e.g. too few articles
        in its period for its segment (:func:`~curator.newsletter.drafting.draft_warnings`);
        empty when nothing is wrong. Raises NotFound for an unknown issue."""
        issue = issue if isinstance(issue, DigestIssue) else self.get(issue)
        return draft_warnings(issue, self._issue_content(issue))

    # ------------------------------------------------------------------ reading

    def get(self, issue_id: int) -> DigestIssue:
        """The issue. Raises NotFound."""
        return self._storage.get_issue(issue_id)

    def deliveries(self, issue_id: int, states: Sequence[str] | None = None) -> list[Delivery]:
        """Delivery records of an issue; ``states=("uncertain",)`` is the editor's list to reconcile."""
        return self._storage.deliveries(issue_id, states)

    def delivery_counts(self, issue_id: int) -> dict[str, int]:
        """{delivery state: how many} of an issue."""
        return self._storage.delivery_counts(issue_id)

    # ------------------------------------------------------------------ workflow

    def edit(self, issue_id: int, *, lang: str | None = None, subject: str | None = None,
             preheader: str | None = None, intro: str | None = None, pins: Sequence[int] | None = None,
             remove: Sequence[int] = (), options: dict[str, int] | None = None,
             restore: Sequence[int] = ()) -> DigestIssue:
        """Change texts (of ``lang``, default both), the pinned items (in order), removed items
        (``restore`` takes removed items back) or section sizes. An approved or scheduled issue
        returns to review. Raises InvalidInput for bad texts, NotFound for an unknown pinned item,
        WorkflowError once sending started."""
        issue = self.get(issue_id)
        texts = edited_texts(issue.texts, lang=lang, subject=subject, preheader=preheader, intro=intro)
        if pins is not None:
            known = {i.id for i in self._storage.get_items(list(pins))}
            missing = [p for p in pins if p not in known]
            if missing:
                raise NotFound(f"no item with id {', '.join(map(str, missing))}; see `curator items list`")
        return self._storage.edit_issue(issue_id, now=self._clock.now(), texts=texts,
                                        options=edited_options(issue.options, options),
                                        entries=edited_entries(issue, pins=pins, remove=remove, restore=restore))

    def submit(self, issue_id: int) -> DigestIssue:
        """Send a draft to review."""
        return self._storage.transition(issue_id, action="submit", now=self._clock.now())

    def approve(self, issue_id: int, *, editor: str, revision: int | None = None) -> DigestIssue:
        """Approve the issue as it is now (or only if it is still at ``revision``). Records who and
        when. A draft passes through review in the same step."""
        if not (editor or "").strip():
            raise InvalidInput("approval needs the editor's name or email")
        issue = self.get(issue_id)
        now = self._clock.now()
        return self._storage.transition(
            issue_id, action="approve", now=now, expect_revision=revision if revision is not None else issue.revision,
            approved_by=editor.strip(), approved_at=now, approved_revision=issue.revision, hold_reason=None)

    def schedule(self, issue_id: int, at: datetime) -> DigestIssue:
        """Send the approved issue at ``at`` (aware datetime) via the worker's send job."""
        if at.tzinfo is None:
            raise InvalidInput("the send time needs a time zone")
        issue = self.get(issue_id)
        if not issue.is_approved:
            raise WorkflowError(f"digest issue {issue_id} must be approved before it is scheduled")
        return self._storage.transition(issue_id, action="schedule", now=self._clock.now(),
                                        expect_revision=issue.revision, scheduled_for=at, hold_reason=None)

    def cancel(self, issue_id: int) -> DigestIssue:
        """Cancel an issue that has not started sending."""
        return self._storage.transition(issue_id, action="cancel", now=self._clock.now())

    def pause(self, issue_id: int) -> DigestIssue:
        """Stop a send between batches (within one batch, at most ``DeliveryPolicy.batch_size``
        messages). Members who got it keep it; resuming sends only to the rest."""
        return self._storage.transition(issue_id, action="pause", now=self._clock.now())

    def resume(self, issue_id: int) -> DigestIssue:
        """Let a paused send continue (by the worker's send job, or :meth:`send`)."""
        return self._storage.transition(issue_id, action="resume", now=self._clock.now())

    def resend(self, issue_id: int, member_id: int) -> Delivery:
        """An editor decides to resend an uncertain or failed delivery (same Message-ID)."""
        return self._storage.resend(issue_id, member_id, self._clock.now())

    # ------------------------------------------------------------------ audience

    def recipients(self, issue_id: int | DigestIssue) -> list[Member]:
        """Members who would get the issue now: in its segment, not unsubscribed or bounced, whose
        digest frequency wants it (:func:`~curator.newsletter.audience.frequency_skip`), who got
        no digest with the same subject this week
        (:func:`~curator.newsletter.audience.repeated_subject`), one per mailbox (the first by
        member id)."""
        issue = issue_id if isinstance(issue_id, DigestIssue) else self.get(issue_id)
        mailboxes, member_ids = self._storage.suppressed_keys(NEWSLETTER_SCOPE)
        members = self._directory.all_members()
        if issue.kind == "digest":
            now = self._clock.now()
            choosy = [m.id for m in members if m.digest_frequency != "weekly"]
            last = self._storage.last_digest_sent(choosy) if choosy else {}
            members = [m for m in members if frequency_skip(m, issue.kind, last.get(m.id), now, self._tz) is None]
            members = [m for m in members if m.id not in self._repeated_subjects(issue, members)]
        return recipients(members, issue.segment, suppressed_mailboxes=mailboxes, suppressed_members=member_ids)

    def _repeated_subjects(self, issue: DigestIssue, members: Sequence[Member],
                           loaded: dict[int, DigestIssue] | None = None) -> dict[int, str]:
        """{member id: why} for the ``members`` who got a digest with the same subject as
        ``issue`` this week (:func:`~curator.newsletter.audience.repeated_subject`)."""
        if issue.kind != "digest" or not members:
            return {}
        sent = self._storage.digests_sent_since([m.id for m in members], week_start(self._clock.now(), self._tz))
        issues = {} if loaded is None else loaded  # a send run keeps the issues it loaded
        for i in {i for ids in sent.values() for i in ids} - {issue.id} - set(issues):
            issues[i] = self._storage.get_issue(i)
        out = {}
        for m in members:
            reason = repeated_subject(issue, member_language(m), [issues[i] for i in sent.get(m.id, ()) if i in issues])
            if reason is not None:
                out[m.id] = reason
        return out

    def _frequency_skip(self, issue: DigestIssue, member: Member,
                        loaded: dict[int, DigestIssue] | None = None) -> str | None:
        """The send run's re-check of the member's digest frequency and of the one-subject-a-week
        rule (they may have changed their frequency, or got another segment's digest, since the
        recipients were frozen)."""
        if issue.kind != "digest":
            return None
        repeated = self._repeated_subjects(issue, [member], loaded).get(member.id)
        if repeated is not None or member.digest_frequency == "weekly":
            return repeated
        last = self._storage.last_digest_sent([member.id]).get(member.id)
        return frequency_skip(member, issue.kind, last, self._clock.now(), self._tz)

    # ------------------------------------------------------------------ the editor's workbench

    CANDIDATE_SAMPLE = 200
    """At most this many segment members' stored feeds rank an issue's candidates."""

    def candidates(self, issue_id: int | DigestIssue, *, area: str | None = None, lang: str | None = None,
                   limit: int = 30) -> list[DigestCandidate]:
        """Items an editor may add to the issue, ranked for its segment, best first, at most
        ``limit``: articles and member news of the issue's period that everyone in the segment
        may see, neither pinned nor removed yet, in ``area`` and ``lang`` when given.

        The order comes from the segment's members: the stored ranked feeds (the worker's
        ``rank_feeds``) of up to :attr:`CANDIDATE_SAMPLE` of them, spread evenly over the segment,
        are combined by :func:`~curator.newsletter.editing.rank_candidates`. Members the worker
        has not ranked yet count for nothing; with no feed at all, items in the segment's areas
        and then the newest come first. Raises NotFound for an unknown issue."""
        issue = issue_id if isinstance(issue_id, DigestIssue) else self.get(issue_id)
        taken = {e.item_id for e in issue.entries}
        base = segment_visibility(issue.segment)
        pool = [i for i in self._period_items(issue.period_start, issue.period_end)
                if i.id not in taken and i.visibility in base and i.kind in EDITOR_PICK_KINDS
                and (not area or area in i.areas) and (not lang or i.lang == lang)]
        pool = self._rules.allowed_for_segment(issue.segment, pool)  # editor rules blocking for the segment
        members = [m for m in self._directory.all_members() if in_segment(m, issue.segment)]
        sample = members[::-(-len(members) // self.CANDIDATE_SAMPLE)] if members else []
        feeds = [f.entries.item_ids for m in sample if (f := self._storage.member_feed(m.id)) is not None]
        ranked = rank_candidates(pool, feeds, areas=segment_areas(issue.segment, self._persona_areas()))
        return [DigestCandidate(item, score, reach, len(feeds)) for item, score, reach in ranked[:limit]]

    def add(self, issue_id: int, item_id: int, *, position: int | None = None) -> DigestIssue:
        """Pin ``item_id`` at the end of the editor's picks, or at ``position`` (1 is the top); an
        item removed earlier comes back. Pinning a pinned item only moves it. Raises NotFound for
        an unknown issue or item, WorkflowError once sending started."""
        issue = self.get(issue_id)
        pins = [p for p in pinned_ids(issue) if p != item_id] + [item_id]
        if position is not None:
            pins = moved_pins(pins, item_id, to=position)
        return self.edit(issue_id, pins=pins, restore=[item_id])

    def move(self, issue_id: int, item_id: int, *, to: int | None = None, step: int = 0) -> DigestIssue:
        """Move a pinned item to position ``to`` (1 is the top) or ``step`` places down (negative:
        up), see :func:`~curator.newsletter.editing.moved_pins`. Raises InvalidInput when the item
        is not pinned, WorkflowError once sending started."""
        return self.edit(issue_id, pins=moved_pins(pinned_ids(self.get(issue_id)), item_id, to=to, step=step))

    def recipient_counts(self, issue_id: int | DigestIssue) -> dict[str, int]:
        """How many members would get the issue if it were sent now (:meth:`recipients`), by the
        language of their copy (``de``, ``en``), and ``total``."""
        counts = dict.fromkeys(ISSUE_LANGUAGES, 0)
        for m in self.recipients(issue_id):
            counts[member_language(m)] += 1
        return {**counts, "total": sum(counts.values())}

    def actions(self, issue: DigestIssue) -> frozenset[str]:
        """The workflow actions the issue's state allows now, by the table of
        :mod:`curator.newsletter.workflow` (``start_sending`` also needs the current revision
        approved): what the console offers."""
        allowed = {a for a, row in workflow.TRANSITIONS.items() if issue.state in row}
        if not issue.is_approved:
            allowed.discard("start_sending")
        return frozenset(allowed)

    def send_test(self, issue_id: int, to: str, *, lang: str, name: str = "") -> str:
        """Send the issue to ``to`` (the editor's own address) as a stand-in reader of its segment
        who reads ``lang`` would get it (:func:`~curator.newsletter.editing.stand_in_reader`),
        through the real sender, the subject marked as a test. Nothing is recorded: no delivery
        (the report does not count it), nothing counts as shown, no tracking. Returns the
        Message-ID. Raises InvalidInput for a bad address or language, DeliveryError when the
        mail server does not accept the message."""
        issue = self.get(issue_id)
        address = check_address(to, "test address")
        reader = stand_in_reader(issue.segment, email=address, name=name, lang=lang,
                                 persona_areas=self._persona_areas())
        view = self.view(issue, reader)
        rendered = self._renderer.render(view)
        _, from_addr = split_from(self._settings.mail_from)
        message_id = make_msgid("digest-test", domain=from_addr.rsplit("@", 1)[1])
        data = build_message(
            mail_from=self._settings.mail_from, to_name=reader.name, to_email=address,
            subject=f"{translate('digest_test_mark', lang)} {rendered.subject}", text=rendered.text,
            html=rendered.html, message_id=message_id, date=self._clock.now(), list_id=self._list_id(issue),
            unsubscribe_url=view.unsubscribe_url, lang=lang)
        sender = self._sender_factory()
        try:
            outcome = sender.send(from_addr, address, data, message_id)
        finally:
            sender.close()
        if outcome.kind != "sent":
            raise DeliveryError(f"the mail server did not accept the test message to {address} "
                                f"({outcome.kind}: {outcome.detail or 'no detail'}); check the smtp_* settings "
                                "with `curator doctor`")
        log.info("test copy of digest issue %s sent to %s (%s)", issue_id, address, message_id)
        return message_id

    def _persona_areas(self) -> dict[str, tuple[str, ...]]:
        return {pid: tuple(p.preferred_areas) for pid, p in self._personas.all().items()}

    # ------------------------------------------------------------------ each member's copy

    def view(self, issue: DigestIssue, member: Member, content: IssueContent | None = None,
             directory: MemberDirectory | None = None, *, names: SegmentNames | None = None,
             web_lang: str | None = None) -> DigestView:
        """What ``member`` sees in ``issue``: only items the access rule lets them see. ``content``,
        ``directory`` and ``names`` let a send run load the issue's items, rank members and read
        the segment names once. ``web_lang`` makes the web copy of the archive in that language:
        no "view in browser" link and no tracking image, a link to all issues instead."""
        content = content or self._issue_content(issue)
        # what an earlier digest showed the member does not come again, in no section (the web
        # copy of a sent issue keeps what it showed, so only its personal picks are filtered)
        shown = self._storage.shown_items(member.id, exclude_issue=issue.id) if issue.kind == "digest" else set()
        if shown and web_lang is None:
            content = without_shown(content, shown)
        candidates = self._rules.allowed(member, personal_candidates(issue, member, content))
        candidates = [c for c in candidates if c.id not in shown]
        picks: Sequence[Item | ScoredItem] = ()
        if candidates:
            picks = (directory or self._directory).personal_picks(member, candidates, personal_pick_count(issue))
        links = MemberLinks(
            item=lambda item: self._item_link(issue, member, item),
            unsubscribe=f"{self._base_url}/u/{self.unsubscribe_token(member)}",
            preferences=f"{self._base_url}/preferences/{self._signer.dumps('preferences', {'m': member.id})}",
            open_pixel=(f"{self._base_url}/t/o/{self._signer.dumps('open', {'i': issue.id, 'm': member.id})}.gif"
                        if member.tracking_consent and web_lang is None else ""),
            web="" if web_lang is not None else self.web_link(issue, member),
            archive=f"{self._base_url}/digests/archive" if web_lang is not None else "")
        return compose_view(issue, member, content, picks, links=links,
                            area_names=area_names(self._settings.models_dir), tz=self._tz,
                            segment_names=names or self.segment_names(), brand=self.brand(), lang=web_lang)

    # ------------------------------------------------------------------ brand, names, web archive

    def brand(self) -> Brand:
        """The sender's brand block, postal address and imprint, from the settings."""
        s = self._settings
        return Brand(name=s.cluster_name, color=s.brand_color, logo_url=s.brand_logo_url,
                     postal_address=tuple(line.strip() for line in s.postal_address.splitlines() if line.strip()),
                     imprint=tuple(line.strip() for line in s.imprint.splitlines() if line.strip()))

    def segment_names(self) -> SegmentNames:
        """The club, persona and area names that :meth:`segment_name` uses, read now."""
        clubs = {c.id: {"en": c.name, "de": c.name_de or c.name} for c in self._storage.list_clubs()}
        personas = {pid: dict(p.names) for pid, p in self._personas.all().items()}
        return SegmentNames(clubs=clubs, personas=personas, areas=area_names(self._settings.models_dir))

    def segment_name(self, segment: Segment | str, lang: str = "en", names: SegmentNames | None = None) -> str:
        """The segment's name for people in ``lang`` ("IT Executive Club", "Alle Mitglieder"): what
        the email, the editor console, the report and the CLI show instead of ``club:<id>``."""
        return segment_name(parse_segment(segment), lang, names or self.segment_names())

    def web_link(self, issue: DigestIssue, member: Member, lang: str | None = None) -> str:
        """The member's "view in browser" link: the issue's web copy for them, signed, so it works
        without sign-in (it shows what their email shows, under today's access rule)."""
        token = self._signer.dumps("view", {"i": issue.id, "m": member.id})
        return f"{self._base_url}/digests/{issue.id}/{lang or member_language(member)}?k={token}"

    def web_link_target(self, issue_id: int, token: str) -> Member | None:
        """The member a "view in browser" token of issue ``issue_id`` names, or None for any invalid
        token or a token of another issue (no oracle)."""
        data = self._signer.loads("view", token)
        if not data or data.get("i") != issue_id or not isinstance(data.get("m"), int):
            return None
        return self._directory.get_member(data["m"])

    def archive(self, member: Member, limit: int = 50) -> list[DigestIssue]:
        """The sent issues ``member`` may read in the web archive, newest first: issues that went
        out (sending, paused or sent) to a segment the member is in now, club segments by the
        access rule. Each one's items are filtered again when it is shown (:meth:`web_copy`)."""
        issues = self._storage.list_issues(ARCHIVED_STATES, limit=ARCHIVE_SCAN_LIMIT)
        return [i for i in issues if in_segment(member, i.segment)][:limit]

    def web_copy(self, issue_id: int, member: Member, lang: str) -> RenderedEmail:
        """The web copy of issue ``issue_id`` for ``member`` in ``lang`` (de or en): the email as
        they get it, composed now, so only items the access rule lets them see today. Raises
        NotFound, the same for every reason (unknown issue, not sent, a segment the member is not
        in, a bad language, nothing they may see), so the answer tells nothing about the issue."""
        issue = self._storage.get_issue(issue_id) if lang in ISSUE_LANGUAGES else None
        if issue is None or issue.state not in ARCHIVED_STATES or not in_segment(member, issue.segment):
            raise NotFound(f"no digest issue {issue_id} for you")
        view = self.view(issue, member, web_lang=lang)
        if view.item_count == 0:
            raise NotFound(f"no digest issue {issue_id} for you")
        return self._renderer.render(view)

    def render_for(self, issue_id: int | DigestIssue, member: Member | int, *,
                   compile_once: bool = True) -> RenderedEmail:
        """The email ``member`` (or the member with this id) would get, HTML and plain text: the
        editor's preview. Raises NotFound for an unknown issue or member."""
        issue = issue_id if isinstance(issue_id, DigestIssue) else self.get(issue_id)
        if isinstance(member, int):
            found = self._directory.get_member(member)
            if found is None:
                raise NotFound(f"no member with id {member}")
            member = found
        return self._renderer.render(self.view(issue, member), compile_once=compile_once)

    def _period_items(self, start: datetime | None, end: datetime | None) -> list[Item]:
        return in_period(self._storage.list_items(ItemQuery(limit=PERIOD_ITEMS_LIMIT, since=start)), end)

    def _issue_content(self, issue: DigestIssue) -> IssueContent:
        """The items ``issue`` draws from, loaded once (a send run reuses it for every member)."""
        ids = pinned_ids(issue)
        pinned = self._storage.get_items(ids) if ids else []
        period = self._period_items(issue.period_start, issue.period_end) if issue.kind == "digest" else []
        titles = {h.source.id: h.source.title for h in self._storage.source_health()}
        return issue_content(issue, pinned, period, titles)

    def _item_link(self, issue: DigestIssue, member: Member, item: Item) -> str:
        url = item_url(item, self._base_url)
        if member.tracking_consent:  # signed click tracking only with consent
            token = self._signer.dumps("click", {"i": issue.id, "m": member.id, "it": item.id, "u": url})
            return f"{self._base_url}/t/c/{token}"
        return url

    # ------------------------------------------------------------------ tokens and unsubscribe

    def unsubscribe_token(self, member: Member) -> str:
        """The signed token of the member's one-click unsubscribe link."""
        return self._signer.dumps("unsubscribe", {"m": member.id, "s": NEWSLETTER_SCOPE})

    def unsubscribe_target(self, token: str) -> Member | None:
        """The member an unsubscribe token names, or None for any invalid token (no oracle)."""
        data = self._signer.loads("unsubscribe", token)
        if not data or not isinstance(data.get("m"), int) or data.get("s") != NEWSLETTER_SCOPE:
            return None
        return self._directory.get_member(data["m"])

    def preferences_target(self, token: str) -> Member | None:
        """The member a preferences-page token names, or None for any invalid token."""
        data = self._signer.loads("preferences", token)
        if not data or not isinstance(data.get("m"), int):
            return None
        return self._directory.get_member(data["m"])

    def unsubscribe(self, token: str) -> bool:
        """One-click unsubscribe (RFC 8058). True if the token is valid (also when the member was
        already unsubscribed: repeating it changes nothing). Only newsletter mail stops."""
        member = self.unsubscribe_target(token)
        if member is None:
            return False
        self.unsubscribe_member(member, source="one-click link")
        return True

    def unsubscribe_member(self, member: Member, *, source: str) -> None:
        """Stop newsletter mail to the member; ``source`` (where they did it) is kept with the
        time. Repeating it changes nothing."""
        self._storage.suppress(email=member.email, member_id=member.id, scope=NEWSLETTER_SCOPE,
                               reason="unsubscribed", now=self._clock.now(), detail=source)

    def is_unsubscribed(self, member: Member) -> bool:
        """Whether newsletter mail to the member (by id or mailbox) is suppressed."""
        return self._storage.suppressed(NEWSLETTER_SCOPE, email=member.email, member_id=member.id)

    def resubscribe(self, member: Member, *, source: str) -> bool:
        """The member subscribes again: their own unsubscribe is undone, with the time and
        ``source`` (where they did it) recorded. False when nothing was undone, either because
        they were subscribed or because mail to them stays stopped for another reason (a bounce,
        a complaint, an editor's block): :meth:`is_unsubscribed` then still says so."""
        return self._storage.resubscribe(email=member.email, member_id=member.id, scope=NEWSLETTER_SCOPE,
                                         source=source, now=self._clock.now())

    def click_target(self, token: str) -> str | None:
        """Where a signed click link goes, or None if the token is not valid."""
        data = self._signer.loads("click", token)
        url = data.get("u") if data else None
        return url if isinstance(url, str) and re.match(r"^https?://", url, re.I) else None

    # ------------------------------------------------------------------ engagement

    def track_click(self, token: str, *, user_agent: str | None, method: str = "GET") -> str | None:
        """Follow a signed click link: where it goes (None for any invalid token, and then nothing
        is recorded). The click is counted for the issue and item only if the member (still) has
        tracking consent; a click that looks like a person (``event_confidence``) also becomes a
        ``click`` feedback event, once per (issue, member, item), unless the member may no longer
        see the item. Links are only signed for members with consent, so without it nothing is
        ever stored."""
        url = self.click_target(token)
        data = self._signer.loads("click", token) if url else None
        if not data or not all(isinstance(data.get(k), int) for k in ("i", "m", "it")):
            return None
        issue_id, member_id, item_id = data["i"], data["m"], data["it"]
        member = self._directory.get_member(member_id)
        if member is None or not member.tracking_consent:
            return url
        now = self._clock.now()
        confidence, reason = event_confidence(user_agent, method, self._storage.delivered_at(issue_id, member_id), now)
        try:
            self._storage.record_click(issue_id, member_id, item_id, confidence=confidence, reason=reason, now=now)
            if confidence == "high":
                self._feedback.record(member.email, item_id, "click", at=now,
                                      dedupe_key=f"email-click:{issue_id}:{member_id}:{item_id}")
        except CuratorError as exc:  # an erased issue or item, or one the member may no longer see
            log.info("email click on issue %s item %s not recorded: %s", issue_id, item_id, exc)
        return url

    def track_open(self, token: str, *, user_agent: str | None, method: str = "GET") -> None:
        """Count the open a tracking pixel reports, for a member who (still) has tracking consent;
        any invalid token records nothing. Opens are a lower bound: many clients load no images."""
        data = self._signer.loads("open", token)
        if not data or not all(isinstance(data.get(k), int) for k in ("i", "m")):
            return
        member = self._directory.get_member(data["m"])
        if member is None or not member.tracking_consent:
            return
        now = self._clock.now()
        confidence, reason = event_confidence(user_agent, method, self._storage.delivered_at(data["i"], member.id), now)
        try:
            self._storage.record_open(data["i"], member.id, confidence=confidence, reason=reason, now=now)
        except CuratorError as exc:  # the issue was deleted meanwhile
            log.info("email open of issue %s not recorded: %s", data["i"], exc)

    def shown_to(self, member: Member) -> set[int]:
        """Ids of the items the member got in sent digests (the web feed marks them)."""
        return self._storage.shown_items(member.id)

    def report(self, issue_id: int, lang: str = "en") -> IssueReport:
        """What the issue did: recipients, sent, failed, uncertain, unique opens (a lower bound),
        unique clicks and unsubscribes since its send, by language and by segment (each club its
        recipients are in now, by the access rule, and those in no club), and the most clicked
        items and areas. Segment names are in ``lang``. Raises NotFound for an unknown issue."""
        issue = self.get(issue_id)
        clicks = self._storage.item_clicks(issue_id)
        items = {i.id: i for i in self._storage.get_items([c.item_id for c in clicks])} if clicks else {}
        sent_times = [d.sent_at for d in self._storage.deliveries(issue_id, ("sent",)) if d.sent_at is not None]
        rows = self._storage.recipient_engagement(issue_id)
        names = self.segment_names()
        clubs = {f"club:{c.id}": self.segment_name(f"club:{c.id}", lang, names) for c in self._storage.list_clubs()}
        members = self._storage.get_members_by_id([r.member_id for r in rows]) if rows else []
        segments_of = {m.id: [k for k in clubs if in_segment(m, parse_segment(k))] for m in members}
        by_segment = segment_lines(rows, segments_of, {**clubs, NO_SEGMENT: translate("report_no_club", lang)})
        return issue_report(issue, min(sent_times, default=None), rows, clicks, items,
                            self._storage.low_confidence_counts(issue_id),
                            segment=self.segment_name(issue.segment, lang, names), by_segment=by_segment)

    # ------------------------------------------------------------------ sending

    def send(self, issue_id: int, *, sender: Sender | None = None, confirm_late: bool = False,
             should_stop: Callable[[], bool] = lambda: False, owner: str | None = None,
             sleep: Callable[[float], None] | None = None) -> SendReport:
        """Send an approved (or scheduled, or interrupted) issue to every eligible member, once.

        Safe to run again, after a crash, and from two workers at once: each (issue, member) is
        sent at most once; a message whose outcome is unknown is flagged ``uncertain`` and left
        for an editor (``deliveries(issue, ("uncertain",))``, :meth:`resend`). A scheduled issue
        more than ``send_max_lateness`` late is held unless ``confirm_late``. ``sender`` None:
        a new one from the sender factory. Raises WorkflowError if the issue is not approved in
        its current revision, paused, or in a state that cannot be sent.

        When the mail server cannot be reached, nobody is charged: every recipient stays pending,
        the whole send waits (doubling waits up to an hour, ``DeliveryPolicy.server_wait``), and
        the issue's ``hold_reason`` and the report's message say so, with the next try time,
        until a later run reaches the server."""
        issue = self._storage.get_issue(issue_id)
        now = self._clock.now()
        if workflow.next_state("start_sending", issue.state) is not None:
            if not issue.is_approved:
                raise WorkflowError(f"digest issue {issue_id} was edited after approval; approve it again")
            reason = None if confirm_late else workflow.late_hold_reason(issue, now, self._send_max_lateness)
            if reason is not None:
                self._storage.set_hold(issue_id, reason, now)
                return SendReport(issue_id, state=issue.state, message=reason)
            issue = self._start_sending(issue, now)
        elif issue.state == "paused":
            raise WorkflowError(f"digest issue {issue_id} is paused; resume it first (`curator digest resume "
                                f"{issue_id}`)")
        elif issue.state != "sending":
            raise WorkflowError(f"digest issue {issue_id} is {workflow.human(issue.state)}; only an approved, "
                                "scheduled or interrupted issue can be sent")
        _, from_addr = split_from(self._settings.mail_from)
        prepare = self._preparer(issue, self._issue_content(issue), self._directory.for_send_run(), from_addr)
        storage = self._storage
        result = deliver_issue(issue_id, ledger=storage, prepare=prepare, sender=sender or self._sender_factory(),
                               clock=self._clock, policy=self._policy, owner=owner, should_stop=should_stop,
                               sleep=sleep or time.sleep,
                               still_active=lambda: storage.get_issue(issue_id).state == "sending")
        state = storage.finish_if_done(issue_id, self._clock.now())
        msg = self._record_server_wait(issue, result, state) or result.stopped
        if result.swept:
            msg = (msg + "; " if msg else "") + f"{result.swept} interrupted message(s) flagged uncertain"
        return SendReport(issue_id, sent=result.sent, failed=result.failed, uncertain=result.uncertain,
                          skipped=result.skipped, deferred=result.deferred, state=state, message=msg)

    def _record_server_wait(self, issue: DigestIssue, result: LoopResult, state: str) -> str:
        """Keep the issue's wait for the mail server up to date after a run: record it (with the
        next try time) when the run found the server unreachable, clear it once a run reached the
        server or the send ended. Returns the wait the issue is in, or ""."""
        now = self._clock.now()
        if result.server_down and result.retry_at is not None:
            pending = self._storage.delivery_counts(issue.id).get("pending", 0)
            wait = workflow.server_wait_reason(result.server_down, tried_at=now, retry_at=result.retry_at,
                                               pending=pending)
            self._storage.set_hold(issue.id, wait, now)
            return wait
        if issue.state == "sending" and issue.hold_reason:  # a send holds nothing but this wait
            if result.reached_server or state not in ("sending", "paused"):
                self._storage.set_hold(issue.id, None, now)
                return ""
            return issue.hold_reason
        return ""

    def _start_sending(self, issue: DigestIssue, now: datetime) -> DigestIssue:
        """Freeze the recipients and move the issue to ``sending``; if another worker got there
        first, join its send."""
        _, domain = split_from(self._settings.mail_from)
        domain = domain.rsplit("@", 1)[1]
        secret = self._settings.secret_key
        frozen = [FrozenRecipient(m.id, m.email, message_id_for(issue.id, m.id, secret=secret, domain=domain))
                  for m in self.recipients(issue)]
        try:
            return self._storage.start_sending(issue.id, frozen, now=now, expect_revision=issue.revision)
        except WorkflowError:
            current = self._storage.get_issue(issue.id)
            if current.state != "sending":  # someone else changed it meanwhile
                raise
            return current

    def _list_id(self, issue: DigestIssue) -> str:
        """The List-Id header of the issue's messages: the segment's name and a key per segment."""
        list_domain = re.sub(r"^https?://", "", self._base_url).split("/")[0].split(":")[0] or "curator.invalid"
        return (f"{self._settings.cluster_name}: {self.segment_name(issue.segment)} "
                f"<{slugify(issue.segment.key, max_length=60, fallback='all')}.digest.{list_domain}>")

    def _preparer(self, issue: DigestIssue, content: IssueContent, directory: MemberDirectory,
                  from_addr: str) -> Callable[[Delivery], Prepared | Skip]:
        """The per-member step of a send run: re-check the member, compose, render, build the message."""
        list_id = self._list_id(issue)
        names = self.segment_names()
        loaded: dict[int, DigestIssue] = {}  # other digests of the week, for the one-subject rule

        def prepare(d: Delivery) -> Prepared | Skip:
            # Eligibility is re-checked for every member when their turn comes, not only when
            # the recipients were frozen.
            member = directory.get_member(d.member_id)
            reason = skip_reason(member, d.email, issue.segment,
                                 unsubscribed=member is not None and self.is_unsubscribed(member))
            if reason is None and member is not None:
                reason = self._frequency_skip(issue, member, loaded)
            if reason is not None:
                return Skip(reason)
            assert member is not None  # skip_reason returned a reason otherwise
            view = self.view(issue, member, content, directory, names=names)
            if view.item_count == 0:  # never a blank newsletter
                return Skip("no items this member may see")
            # what this copy shows; it counts as shown once the delivery is sent (storage joins them)
            self._storage.record_shown(issue.id, member.id, [(i.item_id, s.key) for s in view.sections
                                                             for i in s.items])
            rendered = self._renderer.render(view)
            if rendered.over_budget:
                log.warning("digest %s for member %s is %d bytes of HTML (over the clipping budget)",
                            issue.id, member.id, len(rendered.html))
            data = build_message(
                mail_from=self._settings.mail_from, to_name=member.name, to_email=member.email,
                subject=rendered.subject, text=rendered.text, html=rendered.html, message_id=d.message_id,
                date=d.message_date, list_id=list_id, unsubscribe_url=view.unsubscribe_url, lang=view.lang)
            # The envelope takes the address as the To header does: an international domain as its A-label.
            return Prepared(envelope_from=from_addr, recipient=check_address(member.email, "recipient address"),
                            data=data)

        return prepare

    def send_due(self, *, sender: Sender | None = None) -> list[SendReport]:
        """The worker's send job: scheduled issues whose time has come (within the maximum
        lateness) and interrupted sends. One issue's failure does not stop the others."""
        now = self._clock.now()
        reports = []
        for issue in self._storage.list_issues(("scheduled", "sending"), limit=DUE_SCAN_LIMIT):
            if not workflow.is_due(issue, now):
                continue
            try:
                reports.append(self.send(issue.id, sender=sender))
            except CuratorError as exc:
                log.error("sending digest issue %s failed: %s", issue.id, exc)
                reports.append(SendReport(issue.id, state=issue.state, message=str(exc)))
        return reports

    # ------------------------------------------------------------------ listing (last: the name
    # ``list`` would shadow the builtin in the annotations of the methods above)

    def list(self, states: Sequence[str] | None = None, limit: int = 50) -> list[DigestIssue]:
        """Issues, newest first; only those in ``states`` if given; at most ``limit``."""
        return self._storage.list_issues(states, limit)
