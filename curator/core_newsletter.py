"""Facade methods for digests: drafting, review workflow, rendering, delivery, scheduling (issue 5).

Mixed into ``curator.core.Curator``; uses ``self.storage``, ``self.settings``, ``self.clock``.

Workflow of an issue::

    draft -> in_review -> approved -> scheduled -> sending -> sent | partially_sent
      (any state before sending) -> cancelled;  sending <-> paused (editor, between batches)
    an edit of an approved or scheduled issue -> in_review (approval is per revision)

Who may see what comes from ONE function, :func:`curator.profiles.access.visible_to`; this module
never decides visibility itself.
"""

from __future__ import annotations

import html as html_lib
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from .errors import CuratorError, InvalidInput, NotFound, WorkflowError
from .types import (
    AREA_IDS,
    Delivery,
    DigestEntry,
    DigestIssue,
    Item,
    Member,
    ScoredItem,
    Segment,
    SendReport,
)

if TYPE_CHECKING:
    from .clock import Clock
    from .config import Settings
    from .delivery import Sender, TokenSigner
    from .delivery.loop import DeliveryPolicy, Prepared, Skip
    from .rendering import DigestView, EmailRenderer, RenderedEmail
    from .storage import Storage
    from .storage.newsletter import NewsletterStore

log = logging.getLogger("curator.newsletter")

NEWSLETTER_SCOPE = "newsletter"
DEFAULT_OPTIONS = {"editor_picks": 3, "personal_picks": 5, "posts": 3, "events": 3}


class MemberDirectory(Protocol):
    """Where the newsletter finds members and their personal picks. The default asks the members
    facade (issue 4); tests and tools may inject another one (``Curator.member_directory``)."""

    def all_members(self) -> Sequence[Member]: ...

    def get_member(self, member_id: int) -> Member | None: ...

    def personal_picks(self, member: Member, candidates: Sequence[Item], limit: int) -> Sequence[Item | ScoredItem]:
        """Up to ``limit`` of ``candidates`` (all visible to ``member``), best first."""
        ...


def newest_in_member_areas(member: Member, candidates: Sequence[Item], limit: int) -> list[Item]:
    """Fallback picks without a ranking model: items in the member's declared areas first, newest first."""
    wanted = set(member.declared_areas)
    return sorted(candidates, key=lambda i: (-len(wanted.intersection(i.areas)), -i.published.timestamp(),
                                             -i.id))[:limit]


class _FacadeDirectory:
    """Members and personal picks from the members capability (issue 4) of the same Curator.

    Personal picks come from its ranking (``recommend_many`` once per send run for everyone,
    ``recommend`` for a single preview), restricted to the issue's candidates; while no ranking
    is available (or it fails), :func:`newest_in_member_areas` stands in and a warning is logged."""

    def __init__(self, cur: Any, *, batch: bool = False) -> None:
        from .storage.members import MemberStore

        self.cur = cur
        self.store = MemberStore(cur.storage)
        self.batch = batch
        self._ranked: dict[str, list[ScoredItem]] | None = None

    def all_members(self) -> Sequence[Member]:
        fn = getattr(self.cur, "members", None)
        return list(fn()) if callable(fn) else self.store.list_members()

    def get_member(self, member_id: int) -> Member | None:
        found = self.store.get_members_by_id([member_id])
        return found[0] if found else None

    def _ranking_for(self, member: Member, depth: int) -> list[ScoredItem] | None:
        try:
            if self.batch:
                if self._ranked is None:
                    self._ranked = self.cur.recommend_many(None, depth)
                return self._ranked.get(member.email)
            return list(self.cur.recommend(member.email, depth))
        except Exception as exc:  # the digest still goes out, with the simpler picks; logged loudly
            log.exception("personal ranking unavailable, using newest items in the member's areas: %s", exc)
            self._ranked = {}
            return None

    def personal_picks(self, member: Member, candidates: Sequence[Item], limit: int) -> Sequence[Item | ScoredItem]:
        allowed = {c.id for c in candidates}
        ranked = self._ranking_for(member, max(30, limit * 6))
        picks: list[Item | ScoredItem] = []
        picks.extend(s for s in ranked or [] if s.item.id in allowed)
        del picks[limit:]
        if len(picks) < limit:
            taken = {p.item.id if isinstance(p, ScoredItem) else p.id for p in picks}
            picks += newest_in_member_areas(member, [c for c in candidates if c.id not in taken], limit - len(picks))
        return picks


def parse_segment(text: str | Segment) -> Segment:
    """``everyone``, ``club:<id>``, ``persona:<id>``, ``area:<id>`` or
    ``filter:<name>?languages=de&areas_any=work,company&clubs_any=..&personas=..``."""
    if isinstance(text, Segment):
        return text
    text = (text or "everyone").strip()
    if text == "everyone":
        return Segment("everyone", None, "everyone")
    kind, _, rest = text.partition(":")
    if kind in ("club", "persona", "area") and re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", rest):
        if kind == "area" and rest not in AREA_IDS:
            raise InvalidInput(f"unknown area {rest!r} in segment {text!r}; areas are {', '.join(AREA_IDS)}")
        return Segment(kind, rest, text)  # type: ignore[arg-type]
    if kind == "filter" and rest:
        name, _, query = rest.partition("?")
        allowed = {"languages", "areas_any", "clubs_any", "personas"}
        flt: dict[str, tuple[str, ...]] = {}
        for key, values in parse_qs(query).items():
            if key not in allowed:
                raise InvalidInput(f"segment filter {text!r}: unknown condition {key!r} (use {', '.join(sorted(allowed))})")
            flt[key] = tuple(v for value in values for v in value.split(",") if v)
        return Segment("filter", None, name, flt)
    raise InvalidInput(f"segment {text!r} is not one of: everyone, club:<id>, persona:<id>, area:<id>, "
                       "filter:<name>?languages=..&areas_any=..")


def in_segment(member: Member, segment: Segment) -> bool:
    """Whether ``member`` belongs to ``segment``. Club segments use the access rule, so a member
    is in a club's segment exactly when they may see that club's items."""
    from .profiles.access import can_see

    if segment.kind == "everyone":
        return True
    if segment.kind == "club":
        return can_see(member, f"club:{segment.value}")
    if segment.kind == "persona":
        return member.persona == segment.value
    if segment.kind == "area":
        return segment.value in member.declared_areas
    f = segment.filter
    checks = [
        not f.get("languages") or member.language in f["languages"],
        not f.get("areas_any") or bool(set(f["areas_any"]) & set(member.declared_areas)),
        not f.get("clubs_any") or any(can_see(member, f"club:{c}") for c in f["clubs_any"]),
        not f.get("personas") or member.persona in f["personas"],
    ]
    return all(checks)


@dataclass(frozen=True)
class _IssueContent:
    """Items an issue draws from, loaded once per send run."""

    pinned: tuple[Item, ...]
    removed: frozenset[int]
    candidates: tuple[Item, ...]
    source_titles: dict[str, str]


class NewsletterFacade:
    """Digests and newsletters. See the module docstring for the workflow."""

    settings: Settings
    storage: Storage
    clock: Clock

    member_directory: MemberDirectory | None = None
    """Injected member source; None means the members facade of this Curator."""
    send_max_lateness: timedelta = timedelta(hours=2)
    """A scheduled issue found more than this late is held for an editor instead of sent (S13)."""
    delivery_policy: DeliveryPolicy | None = None

    # ------------------------------------------------------------------ collaborators

    @cached_property
    def newsletter_store(self) -> NewsletterStore:
        from .storage.newsletter import NewsletterStore

        return NewsletterStore(self.storage)

    @cached_property
    def email_renderer(self) -> EmailRenderer:
        from .rendering import EmailRenderer

        return EmailRenderer(self.settings.templates_dir)

    @cached_property
    def token_signer(self) -> TokenSigner:
        from .delivery import TokenSigner

        return TokenSigner(self.settings.secret_key)

    def _directory(self) -> MemberDirectory:
        return self.member_directory or _FacadeDirectory(self)

    # ------------------------------------------------------------------ drafting

    def draft_digest(self, segment: str | Segment = "everyone", *, period: str | None = None,
                     period_start: datetime | None = None, period_end: datetime | None = None,
                     kind: str = "digest", editor: str = "curator", texts: dict[str, dict[str, str]] | None = None,
                     pins: Sequence[int] | None = None, options: dict[str, int] | None = None) -> DigestIssue:
        """Draft an issue for ``segment``. A digest covers the seven days before now unless ``period_start``/``period_end`` say otherwise; drafting the same
        (kind, segment, period) again returns the existing issue. Editor picks are pre-filled with
        the newest tagged items of the period (``pins`` overrides them); special newsletters and
        invitations (``kind``) start with the given pins only."""
        if kind not in ("digest", "special", "invitation"):
            raise InvalidInput(f"kind must be digest, special or invitation, not {kind!r}")
        seg = parse_segment(segment)
        now = self.clock.now()
        tz = ZoneInfo(self.settings.timezone)
        if period_end is None:
            period_end = now
        if period_start is None:
            period_start = period_end - timedelta(days=7)
        if period is None and kind == "digest":
            year, week, _ = now.astimezone(tz).isocalendar()
            period = f"{year}-W{week:02d}"
        opts = {**DEFAULT_OPTIONS, **(options or {})}
        if texts is None:
            texts = self._default_texts(seg, period)
        if pins is None and kind == "digest":
            pool = self._window_items(period_start, period_end)
            base = {"public", "members", *([f"club:{seg.value}"] if seg.kind == "club" else [])}
            pins = [i.id for i in sorted((i for i in pool if i.visibility in base and i.areas
                                          and i.kind in ("article", "member_news")),
                                         key=lambda i: (-i.published.timestamp(), -i.id))][:opts["editor_picks"]]
        entries = [DigestEntry(item_id=i, status="pinned", position=n) for n, i in enumerate(pins or [])]
        issue, _ = self.newsletter_store.create_issue(
            kind=kind, segment=seg, period=period, period_start=period_start, period_end=period_end, texts=texts,
            options=opts, created_by=editor, now=now, entries=entries)
        return issue

    def _default_texts(self, seg: Segment, period: str | None) -> dict[str, dict[str, str]]:
        from .rendering.labels import labels

        out = {}
        for lang in ("de", "en"):
            lab = labels(lang)
            week = f" · {period.replace('-W', (' KW ' if lang == 'de' else ' week '))}" if period else ""
            out[lang] = {"subject": f"{lab['default_subject']}{week}", "preheader": lab["default_preheader"],
                         "intro": ""}
        return out

    def draft_weekly_digests(self, segments: Sequence[str] = ("everyone",), *, editor: str = "curator") -> list[DigestIssue]:
        """The Monday job: one draft per segment for the past week (a no-op if it exists)."""
        return [self.draft_digest(s, editor=editor) for s in segments]

    # ------------------------------------------------------------------ reading

    def digest_issue(self, issue_id: int) -> DigestIssue:
        return self.newsletter_store.get_issue(issue_id)

    def digest_issues(self, states: Sequence[str] | None = None, limit: int = 50) -> list[DigestIssue]:
        return self.newsletter_store.list_issues(states, limit)

    def deliveries(self, issue_id: int, states: Sequence[str] | None = None) -> list[Delivery]:
        """Delivery records of an issue; ``states=("uncertain",)`` is the editor's list to reconcile."""
        return self.newsletter_store.deliveries(issue_id, states)

    def delivery_counts(self, issue_id: int) -> dict[str, int]:
        return self.newsletter_store.delivery_counts(issue_id)

    # ------------------------------------------------------------------ workflow

    def edit_digest(self, issue_id: int, *, lang: str | None = None, subject: str | None = None,
                    preheader: str | None = None, intro: str | None = None, pins: Sequence[int] | None = None,
                    remove: Sequence[int] = (), options: dict[str, int] | None = None) -> DigestIssue:
        """Change texts (of ``lang``, default both), the pinned items (in order), removed items or
        section sizes. An approved or scheduled issue returns to review."""
        issue = self.digest_issue(issue_id)
        texts = None
        if subject is not None or preheader is not None or intro is not None:
            texts = {k: dict(v) for k, v in issue.texts.items()}
            for lg in ([lang] if lang else ["de", "en"]):
                if lg not in ("de", "en"):
                    raise InvalidInput(f"language must be de or en, not {lg!r}")
                t = texts.setdefault(lg, {})
                for key, value in (("subject", subject), ("preheader", preheader), ("intro", intro)):
                    if value is not None:
                        if key == "subject" and not value.strip():
                            raise InvalidInput("the subject line cannot be empty")
                        t[key] = value.strip()
        entries = None
        if pins is not None or remove:
            removed = {e.item_id for e in issue.entries if e.status == "removed"} | set(remove)
            pinned = [e.item_id for e in issue.entries if e.status == "pinned"] if pins is None else list(pins)
            if pins is not None:
                known = {i.id for i in self.storage.get_items(list(pins))}
                missing = [p for p in pins if p not in known]
                if missing:
                    raise NotFound(f"no item with id {', '.join(map(str, missing))}; see `curator items list`")
            entries = [DigestEntry(i, "pinned", n) for n, i in enumerate(p for p in pinned if p not in removed)]
            entries += [DigestEntry(i, "removed", 0) for i in sorted(removed)]
        opts = {**issue.options, **options} if options else None
        return self.newsletter_store.edit_issue(issue_id, now=self.clock.now(), texts=texts, options=opts,
                                                entries=entries)

    def submit_digest(self, issue_id: int) -> DigestIssue:
        """Send a draft to review."""
        return self.newsletter_store.transition(issue_id, allowed=("draft",), to="in_review", now=self.clock.now())

    def approve_digest(self, issue_id: int, *, editor: str, revision: int | None = None) -> DigestIssue:
        """Approve the issue as it is now (or only if it is still at ``revision``). Records who and
        when. A draft passes through review in the same step."""
        if not (editor or "").strip():
            raise InvalidInput("approval needs the editor's name or email")
        issue = self.digest_issue(issue_id)
        now = self.clock.now()
        return self.newsletter_store.transition(
            issue_id, allowed=("draft", "in_review"), to="approved", now=now,
            expect_revision=revision if revision is not None else issue.revision,
            approved_by=editor.strip(), approved_at=now, approved_revision=issue.revision, hold_reason=None)

    def schedule_digest(self, issue_id: int, at: datetime) -> DigestIssue:
        """Send the approved issue at ``at`` (aware datetime) via the worker's send job."""
        if at.tzinfo is None:
            raise InvalidInput("the send time needs a time zone")
        issue = self.digest_issue(issue_id)
        if not issue.is_approved:
            raise WorkflowError(f"digest issue {issue_id} must be approved before it is scheduled")
        return self.newsletter_store.transition(issue_id, allowed=("approved", "scheduled"), to="scheduled",
                                                now=self.clock.now(), expect_revision=issue.revision,
                                                scheduled_for=at, hold_reason=None)

    def cancel_digest(self, issue_id: int) -> DigestIssue:
        return self.newsletter_store.transition(issue_id, allowed=("draft", "in_review", "approved", "scheduled"),
                                                to="cancelled", now=self.clock.now())

    def pause_digest(self, issue_id: int) -> DigestIssue:
        """Stop a send between batches (within one batch, at most 50 messages). Members who got it
        keep it; resuming sends only to the rest (S10)."""
        return self.newsletter_store.transition(issue_id, allowed=("sending",), to="paused", now=self.clock.now())

    def resume_digest(self, issue_id: int) -> DigestIssue:
        """Let a paused send continue (by the worker's send job, or `send_issue`)."""
        return self.newsletter_store.transition(issue_id, allowed=("paused",), to="sending", now=self.clock.now())

    def resend_delivery(self, issue_id: int, member_id: int) -> Delivery:
        """An editor decides to resend an uncertain or failed delivery (same Message-ID)."""
        return self.newsletter_store.resend(issue_id, member_id, self.clock.now())

    # ------------------------------------------------------------------ audience

    def digest_recipients(self, issue_id: int | DigestIssue) -> list[Member]:
        """Members who would get the issue now: in its segment, not unsubscribed or bounced, one
        per mailbox (the first by member id)."""
        issue = issue_id if isinstance(issue_id, DigestIssue) else self.digest_issue(issue_id)
        keys, ids = self.newsletter_store.suppressed_keys(NEWSLETTER_SCOPE)
        seen: set[str] = set()
        out = []
        for m in sorted(self._directory().all_members(), key=lambda m: m.id):
            key = (m.email or "").strip().lower()
            if not key or key in seen or key in keys or m.id in ids or not in_segment(m, issue.segment):
                continue
            seen.add(key)
            out.append(m)
        return out

    # ------------------------------------------------------------------ rendering

    def _window_items(self, start: datetime | None, end: datetime | None) -> list[Item]:
        from .storage import ItemQuery

        items = self.storage.list_items(ItemQuery(limit=5000, since=start))
        return [i for i in items if i.duplicate_of is None and (end is None or i.published <= end)]

    def _issue_content(self, issue: DigestIssue) -> _IssueContent:
        pinned_ids = [e.item_id for e in issue.entries if e.status == "pinned"]
        removed = frozenset(e.item_id for e in issue.entries if e.status == "removed")
        pinned = tuple(self.storage.get_items(pinned_ids)) if pinned_ids else ()
        if issue.kind == "digest":
            pool = self._window_items(issue.period_start, issue.period_end)
            candidates = tuple(i for i in pool if i.id not in removed and i.id not in set(pinned_ids))
        else:
            candidates = ()
        titles = {h.source.id: h.source.title for h in self.storage.source_health()}
        return _IssueContent(pinned, removed, candidates, titles)

    def digest_view(self, issue: DigestIssue, member: Member, content: _IssueContent | None = None,
                    directory: MemberDirectory | None = None) -> DigestView:
        """What ``member`` sees in ``issue``: only items the access rule lets them see."""
        from .profiles.access import visible_to
        from .rendering import DigestView, ItemView, SectionView
        from .rendering.labels import area_names, labels

        content = content or self._issue_content(issue)
        lang = member.language if member.language in ("de", "en") else "en"
        lab = labels(lang)
        visible = visible_to(member)
        opts = issue.options
        names = area_names(self.settings.models_dir)
        tz = ZoneInfo(self.settings.timezone)

        def may_see(i: Item) -> bool:
            return i.visibility in visible

        def view(i: Item, why: str = "") -> ItemView:
            return ItemView(
                item_id=i.id, title=i.title, summary=_summary(i), url=self._item_link(issue, member, i),
                source=i.author or content.source_titles.get(i.source_id, i.source_id), why=why,
                areas=tuple(names.get(a, {}).get(lang, a) for a in i.areas),
                date=_date_label(i.published.astimezone(tz), lang))

        sections = []
        picks = [i for i in content.pinned if may_see(i)]
        if picks:
            sections.append(SectionView("editor_picks", lab["editor_picks"], tuple(view(i) for i in picks)))
        if issue.kind == "digest":
            shown = {i.id for i in picks}
            visible_candidates = [i for i in content.candidates if may_see(i)]
            articles = [i for i in visible_candidates if i.kind in ("article", "member_news", "tender")]
            personal: list[ItemView] = []
            n = int(opts.get("personal_picks", 5))
            if n > 0 and articles:
                for pick in (directory or self._directory()).personal_picks(member, articles, n):
                    item, why = (pick.item, pick.explanation) if isinstance(pick, ScoredItem) else (pick, "")
                    if item.id in shown or not may_see(item):  # defence in depth: same rule again
                        continue
                    shown.add(item.id)
                    personal.append(view(item, why))
                    if len(personal) >= n:
                        break
            if personal:
                sections.append(SectionView("personal", lab["personal"], tuple(personal)))
            for key, kinds in (("posts", ("member_post",)), ("events", ("event",))):
                chosen = [i for i in visible_candidates if i.kind in kinds and i.id not in shown]
                chosen = chosen[: int(opts.get(key, 3))]
                if chosen:
                    shown.update(i.id for i in chosen)
                    sections.append(SectionView(key, lab[key], tuple(view(i) for i in chosen)))
        texts = issue.texts.get(lang) or issue.texts.get("en") or issue.texts.get("de") or {}
        base = self.settings.base_url.rstrip("/")
        return DigestView(
            lang=lang, subject=texts.get("subject") or lab["default_subject"],
            preheader=texts.get("preheader") or lab["default_preheader"], intro=texts.get("intro", ""),
            greeting=lab["greeting"].format(name=member.name.strip()),
            segment_name=_segment_label(issue.segment), sections=tuple(sections),
            unsubscribe_url=f"{base}/u/{self.unsubscribe_token(member)}",
            preferences_url=f"{base}/preferences/{self.token_signer.dumps('preferences', {'m': member.id})}",
            web_url="", footer=lab["why_footer"])

    def _item_link(self, issue: DigestIssue, member: Member, item: Item) -> str:
        base = self.settings.base_url.rstrip("/")
        url = item.url if item.url and re.match(r"^https?://", item.url, re.I) else f"{base}/items/{item.id}"
        if member.tracking_consent:  # signed click tracking only with consent (T04)
            token = self.token_signer.dumps("click", {"i": issue.id, "m": member.id, "it": item.id, "u": url})
            return f"{base}/t/c/{token}"
        return url

    def render_for(self, issue_id: int | DigestIssue, member: Member | int, *, compile_once: bool = True) -> RenderedEmail:
        """The email ``member`` would get (HTML and plain text): the editor's preview."""
        issue = issue_id if isinstance(issue_id, DigestIssue) else self.digest_issue(issue_id)
        if isinstance(member, int):
            found = self._directory().get_member(member)
            if found is None:
                raise NotFound(f"no member with id {member}")
            member = found
        return self.email_renderer.render(self.digest_view(issue, member), compile_once=compile_once)

    # ------------------------------------------------------------------ tokens and unsubscribe

    def unsubscribe_token(self, member: Member) -> str:
        return self.token_signer.dumps("unsubscribe", {"m": member.id, "s": NEWSLETTER_SCOPE})

    def unsubscribe_target(self, token: str) -> Member | None:
        """The member an unsubscribe token names, or None for any invalid token (no oracle)."""
        data = self.token_signer.loads("unsubscribe", token)
        if not data or not isinstance(data.get("m"), int) or data.get("s") != NEWSLETTER_SCOPE:
            return None
        return self._directory().get_member(data["m"])

    def unsubscribe(self, token: str) -> bool:
        """One-click unsubscribe (RFC 8058). True if the token is valid (also when the member was
        already unsubscribed: repeating it changes nothing). Only newsletter mail stops."""
        member = self.unsubscribe_target(token)
        if member is None:
            return False
        self.newsletter_store.suppress(email=member.email, member_id=member.id, scope=NEWSLETTER_SCOPE,
                                       reason="unsubscribed", now=self.clock.now(), detail="one-click link")
        return True

    def is_unsubscribed(self, member: Member) -> bool:
        return self.newsletter_store.suppressed(NEWSLETTER_SCOPE, email=member.email, member_id=member.id)

    def click_target(self, token: str) -> str | None:
        """Where a signed click link goes, or None if the token is not valid."""
        data = self.token_signer.loads("click", token)
        url = data.get("u") if data else None
        return url if isinstance(url, str) and re.match(r"^https?://", url, re.I) else None

    # ------------------------------------------------------------------ sending

    def default_sender(self) -> Sender:
        """SMTP when ``smtp_host`` is set, otherwise .eml files in ``outbox_dir``."""
        from .delivery import OutboxSender, SmtpSender

        s = self.settings
        if s.smtp_host:
            return SmtpSender(s.smtp_host, s.smtp_port, security=s.smtp_security, user=s.smtp_user,
                              password=s.smtp_password)
        return OutboxSender(s.outbox_dir)

    def send_issue(self, issue_id: int, *, sender: Sender | None = None, confirm_late: bool = False,
                   should_stop: Callable[[], bool] = lambda: False, owner: str | None = None,
                   sleep: Callable[[float], None] | None = None) -> SendReport:
        """Send an approved (or scheduled, or interrupted) issue to every eligible member, once.

        Safe to run again, after a crash, and from two workers at once: each (issue, member) is
        sent at most once; a message whose outcome is unknown is flagged ``uncertain`` and left
        for an editor (`deliveries(issue, ("uncertain",))`, `resend_delivery`). A scheduled issue
        more than ``send_max_lateness`` late is held unless ``confirm_late``.
        Raises WorkflowError if the issue is not approved in its current revision."""
        import time

        from .delivery.loop import DeliveryPolicy, deliver_issue
        from .delivery.message import message_id_for, split_from
        from .storage.newsletter import FrozenRecipient

        store = self.newsletter_store
        issue = store.get_issue(issue_id)
        now = self.clock.now()
        if issue.state in ("approved", "scheduled"):
            if not issue.is_approved:
                raise WorkflowError(f"digest issue {issue_id} was edited after approval; approve it again")
            if (issue.state == "scheduled" and issue.scheduled_for is not None and not confirm_late
                    and now - issue.scheduled_for > self.send_max_lateness):
                reason = (f"scheduled for {issue.scheduled_for:%Y-%m-%d %H:%M} UTC, now more than "
                          f"{self.send_max_lateness} late: an editor must confirm (`curator digest send "
                          f"{issue_id} --confirm-late`)")
                store.set_hold(issue_id, reason, now)
                return SendReport(issue_id, state=issue.state, message=reason)
            _, domain = split_from(self.settings.mail_from)
            domain = domain.rsplit("@", 1)[1]
            secret = self.settings.secret_key
            self.token_signer  # noqa: B018 - fail early on a missing secret key
            frozen = [FrozenRecipient(m.id, m.email, message_id_for(issue_id, m.id, secret=secret, domain=domain))
                      for m in self.digest_recipients(issue)]
            try:
                issue = store.start_sending(issue_id, frozen, now=now, expect_revision=issue.revision)
            except WorkflowError:
                issue = store.get_issue(issue_id)
                if issue.state != "sending":  # someone else changed it meanwhile
                    raise
        elif issue.state == "paused":
            raise WorkflowError(f"digest issue {issue_id} is paused; resume it first (`curator digest resume "
                                f"{issue_id}`)")
        elif issue.state != "sending":
            raise WorkflowError(f"digest issue {issue_id} is {issue.state.replace('_', ' ')}; only an approved, "
                                "scheduled or interrupted issue can be sent")
        content = self._issue_content(issue)
        from_name, from_addr = split_from(self.settings.mail_from)
        directory = self.member_directory or _FacadeDirectory(self, batch=True)
        prepare = self._preparer(issue, content, directory, from_addr)
        result = deliver_issue(issue_id, ledger=store, prepare=prepare, sender=sender or self.default_sender(),
                               clock=self.clock, policy=self.delivery_policy or DeliveryPolicy(), owner=owner,
                               should_stop=should_stop, sleep=sleep or time.sleep,
                               still_active=lambda: store.get_issue(issue_id).state == "sending")
        state = store.finish_if_done(issue_id, self.clock.now())
        msg = result.stopped or ""
        if result.swept:
            msg = (msg + "; " if msg else "") + f"{result.swept} interrupted message(s) flagged uncertain"
        return SendReport(issue_id, sent=result.sent, failed=result.failed, uncertain=result.uncertain,
                          skipped=result.skipped, deferred=result.deferred, state=state, message=msg)

    def _preparer(self, issue: DigestIssue, content: _IssueContent, directory: MemberDirectory,
                  from_addr: str) -> Callable[[Delivery], Prepared | Skip]:
        from .delivery.loop import Prepared, Skip
        from .delivery.message import build_message

        base = self.settings.base_url.rstrip("/")
        list_domain = re.sub(r"^https?://", "", base).split("/")[0].split(":")[0] or "curator.invalid"

        def prepare(d: Delivery) -> Prepared | Skip:
            # State is re-checked for every member at send time (S12, U09).
            member = directory.get_member(d.member_id)
            if member is None:
                return Skip("the member no longer exists")
            if self.is_unsubscribed(member):
                return Skip("unsubscribed before their turn")
            if not in_segment(member, issue.segment):
                return Skip("no longer in the issue's segment")
            if (member.email or "").strip().lower() != (d.email or "").strip().lower():
                return Skip("the member's address changed after the recipients were frozen")
            view = self.digest_view(issue, member, content, directory)
            if view.item_count == 0:  # never a blank newsletter (S17)
                return Skip("no items this member may see")
            rendered = self.email_renderer.render(view)
            if rendered.over_budget:
                log.warning("digest %s for member %s is %d bytes of HTML (over the clipping budget)",
                            issue.id, member.id, len(rendered.html))
            data = build_message(
                mail_from=self.settings.mail_from, to_name=member.name, to_email=member.email,
                subject=rendered.subject, text=rendered.text, html=rendered.html, message_id=d.message_id,
                date=d.message_date, list_id=f"{_segment_label(issue.segment)} <{_slug(issue.segment.key)}.digest.{list_domain}>",
                unsubscribe_url=view.unsubscribe_url, lang=view.lang)
            return Prepared(envelope_from=from_addr, recipient=member.email.strip(), data=data)

        return prepare

    def send_due_issues(self, *, sender: Sender | None = None) -> list[SendReport]:
        """The worker's send job: scheduled issues whose time has come (within the maximum
        lateness) and interrupted sends. One issue's failure does not stop the others."""
        now = self.clock.now()
        reports = []
        for issue in self.newsletter_store.list_issues(("scheduled", "sending"), limit=200):
            if issue.state == "scheduled" and (issue.scheduled_for is None or issue.scheduled_for > now):
                continue
            if issue.state == "scheduled" and issue.hold_reason:
                continue
            try:
                reports.append(self.send_issue(issue.id, sender=sender))
            except CuratorError as exc:
                log.error("sending digest issue %s failed: %s", issue.id, exc)
                reports.append(SendReport(issue.id, state=issue.state, message=str(exc)))
        return reports


def _summary(item: Item, limit: int = 280) -> str:
    text = item.summary or item.text or ""
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",.;:") + " …"


def _date_label(when: datetime, lang: str) -> str:
    if lang == "de":
        return when.strftime("%d.%m.%Y")
    return when.strftime("%d %b %Y").lstrip("0")


def _segment_label(seg: Segment) -> str:
    if seg.kind == "everyone":
        return "DigitalCluster"
    return seg.name or seg.key


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "all"


__all__ = ["MemberDirectory", "NewsletterFacade", "in_segment", "newest_in_member_areas", "parse_segment"]
