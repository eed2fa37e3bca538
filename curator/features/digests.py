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
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..clock import Clock
from ..config import Settings
from ..delivery import OutboxSender, Sender, SmtpSender, TokenSigner
from ..delivery.loop import DeliveryPolicy, LoopResult, Prepared, Skip, deliver_issue
from ..delivery.message import build_message, check_address, message_id_for, split_from
from ..errors import CuratorError, InvalidInput, NotFound, WorkflowError
from ..ingest.normalise import slugify
from ..newsletter import workflow
from ..newsletter.audience import frequency_skip, recipients, skip_reason
from ..newsletter.composition import (
    IssueContent,
    MemberLinks,
    compose_view,
    in_period,
    issue_content,
    item_url,
    personal_candidates,
    personal_pick_count,
    pinned_ids,
)
from ..newsletter.editing import (
    DEFAULT_OPTIONS,
    check_kind,
    default_editor_picks,
    edited_entries,
    edited_options,
    edited_texts,
    pinned_entries,
)
from ..newsletter.engagement import event_confidence, issue_report
from ..newsletter.picks import MemberDirectory, picks_from_ranking, ranking_depth
from ..newsletter.segments import parse_segment, segment_label
from ..newsletter.texts import default_texts, week_period
from ..rendering import DigestView, EmailRenderer, RenderedEmail
from ..rendering.labels import area_names
from ..storage import FrozenRecipient, Store
from ..types import (
    Delivery,
    DigestIssue,
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

__all__ = ["NEWSLETTER_SCOPE", "Digests", "MemberDirectory", "RankedDirectory", "default_sender"]

log = logging.getLogger("curator.newsletter")

NEWSLETTER_SCOPE = "newsletter"
"""The suppression scope of digests and newsletters; account mail has its own."""

PERIOD_ITEMS_LIMIT = 5000
DUE_SCAN_LIMIT = 200


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
    a click event of the member's profile, as a click in the web feed does."""

    def __init__(self, settings: Settings, storage: Store, clock: Clock, *, renderer: EmailRenderer,
                 token_signer: TokenSigner, sender_factory: Callable[[], Sender],
                 member_directory: MemberDirectory, delivery_policy: DeliveryPolicy, feedback: Feedback,
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
        self._send_max_lateness = send_max_lateness
        self._tz = ZoneInfo(settings.timezone)
        self._base_url = settings.base_url.rstrip("/")

    # ------------------------------------------------------------------ drafting

    def draft(self, segment: str | Segment = "everyone", *, period: str | None = None,
              period_start: datetime | None = None, period_end: datetime | None = None,
              kind: str = "digest", editor: str = "curator", texts: dict[str, dict[str, str]] | None = None,
              pins: Sequence[int] | None = None, options: dict[str, int] | None = None) -> DigestIssue:
        """Draft an issue for ``segment``. A digest covers the seven days before now unless
        ``period_start``/``period_end`` say otherwise; drafting the same (kind, segment, period)
        again returns the existing issue. Editor picks are pre-filled with the newest tagged items
        of the period (``pins`` overrides them); special newsletters and invitations (``kind``)
        start with the given pins only. Raises InvalidInput for a bad kind or segment."""
        check_kind(kind)
        seg = parse_segment(segment)
        now = self._clock.now()
        if period_end is None:
            period_end = now
        if period_start is None:
            period_start = period_end - timedelta(days=7)
        if period is None and kind == "digest":
            period = week_period(now, self._tz)
        opts = {**DEFAULT_OPTIONS, **(options or {})}
        if texts is None:
            texts = default_texts(period)
        if pins is None and kind == "digest":
            pins = default_editor_picks(self._period_items(period_start, period_end), seg, opts["editor_picks"])
        issue, _ = self._storage.create_issue(
            kind=kind, segment=seg, period=period, period_start=period_start, period_end=period_end, texts=texts,
            options=opts, created_by=editor, now=now, entries=pinned_entries(pins or []))
        return issue

    def draft_weekly(self, segments: Sequence[str] = ("everyone",), *, editor: str = "curator") -> list[DigestIssue]:
        """The Monday job: one draft per segment for the past week (a no-op if it exists)."""
        return [self.draft(s, editor=editor) for s in segments]

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
             remove: Sequence[int] = (), options: dict[str, int] | None = None) -> DigestIssue:
        """Change texts (of ``lang``, default both), the pinned items (in order), removed items or
        section sizes. An approved or scheduled issue returns to review. Raises InvalidInput for
        bad texts, NotFound for an unknown pinned item, WorkflowError once sending started."""
        issue = self.get(issue_id)
        texts = edited_texts(issue.texts, lang=lang, subject=subject, preheader=preheader, intro=intro)
        if pins is not None:
            known = {i.id for i in self._storage.get_items(list(pins))}
            missing = [p for p in pins if p not in known]
            if missing:
                raise NotFound(f"no item with id {', '.join(map(str, missing))}; see `curator items list`")
        return self._storage.edit_issue(issue_id, now=self._clock.now(), texts=texts,
                                        options=edited_options(issue.options, options),
                                        entries=edited_entries(issue, pins=pins, remove=remove))

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
        digest frequency wants it (:func:`~curator.newsletter.audience.frequency_skip`), one per
        mailbox (the first by member id)."""
        issue = issue_id if isinstance(issue_id, DigestIssue) else self.get(issue_id)
        mailboxes, member_ids = self._storage.suppressed_keys(NEWSLETTER_SCOPE)
        members = self._directory.all_members()
        if issue.kind == "digest":
            now = self._clock.now()
            choosy = [m.id for m in members if m.digest_frequency != "weekly"]
            last = self._storage.last_digest_sent(choosy) if choosy else {}
            members = [m for m in members if frequency_skip(m, issue.kind, last.get(m.id), now, self._tz) is None]
        return recipients(members, issue.segment, suppressed_mailboxes=mailboxes, suppressed_members=member_ids)

    def _frequency_skip(self, issue: DigestIssue, member: Member) -> str | None:
        """The send run's re-check of the member's digest frequency (they may have changed it, or
        got another segment's digest, since the recipients were frozen)."""
        if issue.kind != "digest" or member.digest_frequency == "weekly":
            return None
        last = self._storage.last_digest_sent([member.id]).get(member.id)
        return frequency_skip(member, issue.kind, last, self._clock.now(), self._tz)

    # ------------------------------------------------------------------ each member's copy

    def view(self, issue: DigestIssue, member: Member, content: IssueContent | None = None,
             directory: MemberDirectory | None = None) -> DigestView:
        """What ``member`` sees in ``issue``: only items the access rule lets them see. ``content``
        and ``directory`` let a send run load the issue's items and rank members once."""
        content = content or self._issue_content(issue)
        candidates = personal_candidates(issue, member, content)
        if candidates:  # what an earlier issue showed the member is not picked for them again
            shown = self._storage.shown_items(member.id, exclude_issue=issue.id)
            candidates = [c for c in candidates if c.id not in shown]
        picks: Sequence[Item | ScoredItem] = ()
        if candidates:
            picks = (directory or self._directory).personal_picks(member, candidates, personal_pick_count(issue))
        links = MemberLinks(
            item=lambda item: self._item_link(issue, member, item),
            unsubscribe=f"{self._base_url}/u/{self.unsubscribe_token(member)}",
            preferences=f"{self._base_url}/preferences/{self._signer.dumps('preferences', {'m': member.id})}",
            open_pixel=(f"{self._base_url}/t/o/{self._signer.dumps('open', {'i': issue.id, 'm': member.id})}.gif"
                        if member.tracking_consent else ""))
        return compose_view(issue, member, content, picks, links=links,
                            area_names=area_names(self._settings.models_dir), tz=self._tz)

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

    def report(self, issue_id: int) -> IssueReport:
        """What the issue did: recipients, sent, failed, uncertain, unique opens (a lower bound),
        unique clicks and unsubscribes since its send, by language and segment, and the most
        clicked items and areas. Raises NotFound for an unknown issue."""
        issue = self.get(issue_id)
        clicks = self._storage.item_clicks(issue_id)
        items = {i.id: i for i in self._storage.get_items([c.item_id for c in clicks])} if clicks else {}
        sent_times = [d.sent_at for d in self._storage.deliveries(issue_id, ("sent",)) if d.sent_at is not None]
        return issue_report(issue, min(sent_times, default=None), self._storage.recipient_engagement(issue_id),
                            clicks, items, self._storage.low_confidence_counts(issue_id))

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

    def _preparer(self, issue: DigestIssue, content: IssueContent, directory: MemberDirectory,
                  from_addr: str) -> Callable[[Delivery], Prepared | Skip]:
        """The per-member step of a send run: re-check the member, compose, render, build the message."""
        list_domain = re.sub(r"^https?://", "", self._base_url).split("/")[0].split(":")[0] or "curator.invalid"
        list_id = (f"{segment_label(issue.segment)} "
                   f"<{slugify(issue.segment.key, max_length=60, fallback='all')}.digest.{list_domain}>")

        def prepare(d: Delivery) -> Prepared | Skip:
            # Eligibility is re-checked for every member when their turn comes, not only when
            # the recipients were frozen.
            member = directory.get_member(d.member_id)
            reason = skip_reason(member, d.email, issue.segment,
                                 unsubscribed=member is not None and self.is_unsubscribed(member))
            if reason is None and member is not None:
                reason = self._frequency_skip(issue, member)
            if reason is not None:
                return Skip(reason)
            assert member is not None  # skip_reason returned a reason otherwise
            view = self.view(issue, member, content, directory)
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
