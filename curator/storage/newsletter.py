"""Queries for digest issues, deliveries and suppressions.

The delivery state machine is enforced here, in single-statement guarded updates, so that two
senders (threads, processes, machines sharing PostgreSQL) can work on one issue at once:

- ``claim_batch`` hands pending rows to one sender for a while (``claimed_until``). SQLite
  serialises writers with ``BEGIN IMMEDIATE``; PostgreSQL uses ``FOR UPDATE SKIP LOCKED``.
- ``mark_sending`` is committed BEFORE the message is handed to the mail server; ``mark_sent``
  only AFTER the server's ``250``. A row found in ``sending`` after its claim ran out belongs to a
  sender that died mid-message: ``sweep_stale`` turns it into ``uncertain``, and nothing ever
  resends an uncertain row except an editor (RELIABILITY 3E S04/S05).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from ..errors import NotFound, WorkflowError
from ..newsletter import workflow
from ..types import Delivery, DigestEntry, DigestIssue, Segment
from . import schema as t
from .database import Database

EDITABLE_STATES = workflow.allowed_from("edit")
FINAL_DELIVERY_STATES = ("sent", "failed", "uncertain", "skipped")


@dataclass(frozen=True)
class FrozenRecipient:
    """A recipient as written into the delivery records when sending starts."""

    member_id: int
    email: str
    message_id: str


def email_key(address: str) -> str:
    """The comparison key of a mailbox: trimmed and lower-cased (S11: ``Foo@X.org`` == ``foo@x.org``)."""
    return address.strip().lower()


HASHED_KEY_PREFIX = "sha256:"


def hashed_email_key(address: str) -> str:
    """The suppression key an erased person leaves behind: ``sha256:`` and the hex SHA-256 of the
    address's :func:`email_key`. It matches the same address if it is imported again, and names
    nobody otherwise (as the hashed lists of mailing services that forget deleted contacts)."""
    return HASHED_KEY_PREFIX + hashlib.sha256(email_key(address).encode()).hexdigest()


class NewsletterQueries(Database):
    """Newsletter persistence on top of a :class:`Storage` (its engine and transactions)."""


    # ----------------------------------------------------------------- issues

    @staticmethod
    def _segment(data: dict[str, Any]) -> Segment:
        flt = {k: tuple(v) for k, v in (data.get("filter") or {}).items()}
        return Segment(kind=data.get("kind", "everyone"), value=data.get("value"), name=data.get("name", ""),
                       filter=flt)

    @staticmethod
    def _segment_json(segment: Segment) -> dict[str, Any]:
        return {"kind": segment.kind, "value": segment.value, "name": segment.name,
                "filter": {k: list(v) for k, v in segment.filter.items()}}

    def _issue(self, row: Any, entries: Sequence[Any] = ()) -> DigestIssue:
        return DigestIssue(
            id=row.id, kind=row.kind, segment=self._segment(row.segment), period=row.period,
            period_start=row.period_start, period_end=row.period_end, texts=dict(row.texts),
            options=dict(row.options), state=row.state, revision=row.revision,
            approved_revision=row.approved_revision, approved_by=row.approved_by, approved_at=row.approved_at,
            scheduled_for=row.scheduled_for, hold_reason=row.hold_reason, created_by=row.created_by,
            created_at=row.created_at, updated_at=row.updated_at, finished_at=row.finished_at,
            entries=tuple(DigestEntry(e.item_id, e.status, e.position, e.note) for e in entries),
        )

    def _load_issue(self, conn: Connection, issue_id: int, *, lock: bool = False) -> DigestIssue:
        q = select(t.digest_issues).where(t.digest_issues.c.id == issue_id)
        if lock and self.dialect == "postgresql":
            q = q.with_for_update()
        row = conn.execute(q).first()
        if row is None:
            raise NotFound(f"no digest issue with id {issue_id}; see `curator digest show`")
        entries = conn.execute(select(t.digest_entries).where(t.digest_entries.c.issue_id == issue_id)
                               .order_by(t.digest_entries.c.position, t.digest_entries.c.item_id)).all()
        return self._issue(row, entries)

    def create_issue(self, *, kind: str, segment: Segment, period: str | None, period_start: datetime | None,
                     period_end: datetime | None, texts: dict[str, dict[str, str]], options: dict[str, int],
                     created_by: str, now: datetime,
                     entries: Sequence[DigestEntry] = ()) -> tuple[DigestIssue, bool]:
        """Create an issue in state ``draft``. For a given (kind, segment, period) this happens once:
        a second call returns the existing issue and False (two workers drafting the same week)."""
        with self.write() as conn:
            if period is not None:
                existing = conn.execute(select(t.digest_issues.c.id).where(
                    t.digest_issues.c.kind == kind, t.digest_issues.c.segment_key == segment.key,
                    t.digest_issues.c.period == period)).first()
                if existing is not None:
                    return self._load_issue(conn, existing.id), False
            stmt = self._insert(t.digest_issues).values(
                kind=kind, segment=self._segment_json(segment), segment_key=segment.key, period=period,
                period_start=period_start, period_end=period_end, texts=texts, options=options,
                state="draft", revision=1, created_by=created_by, created_at=now, updated_at=now,
            ).on_conflict_do_nothing().returning(t.digest_issues.c.id)
            row = conn.execute(stmt).first()
            if row is None:  # lost a race with another drafter (PostgreSQL)
                existing = conn.execute(select(t.digest_issues.c.id).where(
                    t.digest_issues.c.kind == kind, t.digest_issues.c.segment_key == segment.key,
                    t.digest_issues.c.period == period)).one()
                return self._load_issue(conn, existing.id), False
            self._write_entries(conn, row.id, entries)
            return self._load_issue(conn, row.id), True

    @staticmethod
    def _write_entries(conn: Connection, issue_id: int, entries: Sequence[DigestEntry]) -> None:
        conn.execute(t.digest_entries.delete().where(t.digest_entries.c.issue_id == issue_id))
        seen: set[int] = set()
        for e in entries:
            if e.item_id in seen:
                continue
            seen.add(e.item_id)
            conn.execute(t.digest_entries.insert().values(issue_id=issue_id, item_id=e.item_id, status=e.status,
                                                          position=e.position, note=e.note))

    def get_issue(self, issue_id: int) -> DigestIssue:
        with self.read() as conn:
            return self._load_issue(conn, issue_id)

    def list_issues(self, states: Sequence[str] | None = None, limit: int = 50) -> list[DigestIssue]:
        q = select(t.digest_issues.c.id)
        if states:
            q = q.where(t.digest_issues.c.state.in_(list(states)))
        with self.read() as conn:
            ids = [r.id for r in conn.execute(q.order_by(t.digest_issues.c.id.desc()).limit(limit))]
            return [self._load_issue(conn, i) for i in ids]

    def edit_issue(self, issue_id: int, *, now: datetime, texts: dict[str, dict[str, str]] | None = None,
                   options: dict[str, int] | None = None,
                   entries: Sequence[DigestEntry] | None = None) -> DigestIssue:
        """Change an issue's content. Any edit bumps the revision; an approved or scheduled issue goes
        back to ``in_review`` (its approval no longer covers what would be sent)."""
        with self.write() as conn:
            issue = self._load_issue(conn, issue_id, lock=True)
            target = workflow.next_state("edit", issue.state)
            if target is None:
                raise WorkflowError(f"digest issue {issue_id} is {issue.state} and can no longer be edited")
            values: dict[str, Any] = {"revision": issue.revision + 1, "updated_at": now}
            if texts is not None:
                values["texts"] = texts
            if options is not None:
                values["options"] = options
            if target != issue.state:
                values["state"] = target
            conn.execute(update(t.digest_issues).where(t.digest_issues.c.id == issue_id).values(**values))
            if entries is not None:
                self._write_entries(conn, issue_id, entries)
            return self._load_issue(conn, issue_id)

    def transition(self, issue_id: int, *, action: workflow.Action, now: datetime,
                   expect_revision: int | None = None, **values: Any) -> DigestIssue:
        """Apply ``action`` of the workflow table (:mod:`curator.newsletter.workflow`) to an issue
        if its state allows it (and, if given, it is still at ``expect_revision``), atomically,
        setting ``values`` too. Raises WorkflowError naming the current state otherwise."""
        with self.write() as conn:
            issue = self._load_issue(conn, issue_id, lock=True)
            to = workflow.require(action, issue_id, issue.state)
            if expect_revision is not None and issue.revision != expect_revision:
                raise WorkflowError(f"digest issue {issue_id} was edited meanwhile (revision {issue.revision}, "
                                    f"you saw {expect_revision}); look at it again before approving")
            conn.execute(update(t.digest_issues).where(t.digest_issues.c.id == issue_id)
                         .values(state=to, updated_at=now, **values))
            return self._load_issue(conn, issue_id)

    def set_hold(self, issue_id: int, reason: str | None, now: datetime) -> None:
        with self.write() as conn:
            conn.execute(update(t.digest_issues).where(t.digest_issues.c.id == issue_id)
                         .values(hold_reason=reason, updated_at=now))

    # ----------------------------------------------------------------- deliveries

    @staticmethod
    def _delivery(row: Any) -> Delivery:
        return Delivery(id=row.id, issue_id=row.issue_id, member_id=row.member_id, email=row.email,
                        state=row.state, message_id=row.message_id, message_date=row.message_date,
                        attempts=row.attempts, last_error=row.last_error, sent_at=row.sent_at,
                        updated_at=row.updated_at)

    def start_sending(self, issue_id: int, recipients: Sequence[FrozenRecipient], *, now: datetime,
                      expect_revision: int) -> DigestIssue:
        """Move an approved or scheduled issue to ``sending`` AND write its frozen recipient list, in
        one transaction: there is never a sending issue without its delivery records. Raises
        WorkflowError if the issue is in another state or was edited since ``expect_revision``."""
        with self.write() as conn:
            issue = self._load_issue(conn, issue_id, lock=True)
            to = workflow.next_state("start_sending", issue.state)
            if to is None:
                raise WorkflowError(f"digest issue {issue_id} is {workflow.human(issue.state)}, not approved")
            if issue.revision != expect_revision or not issue.is_approved:
                raise WorkflowError(f"digest issue {issue_id} was edited after approval; approve it again")
            conn.execute(update(t.digest_issues).where(t.digest_issues.c.id == issue_id)
                         .values(state=to, send_started_at=now, hold_reason=None, updated_at=now))
            for r in recipients:
                conn.execute(self._insert(t.deliveries).values(
                    issue_id=issue_id, member_id=r.member_id, email_key=email_key(r.email), email=r.email,
                    state="pending", message_id=r.message_id, message_date=now, attempts=0,
                    created_at=now, updated_at=now,
                ).on_conflict_do_nothing())
            return self._load_issue(conn, issue_id)

    def claim_batch(self, issue_id: int, *, owner: str, now: datetime, claim_for: timedelta,
                    limit: int) -> list[Delivery]:
        """Give up to ``limit`` due ``pending`` rows to ``owner`` until ``now + claim_for``. Rows
        claimed by a live sender are never handed out twice."""
        d = t.deliveries
        q = (select(d).where(
            d.c.issue_id == issue_id, d.c.state == "pending",
            or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at <= now),
            or_(d.c.claimed_until.is_(None), d.c.claimed_until < now, d.c.claimed_by == owner),
        ).order_by(d.c.id).limit(limit))
        if self.dialect == "postgresql":
            q = q.with_for_update(skip_locked=True)
        with self.write() as conn:
            rows = conn.execute(q).all()
            if not rows:
                return []
            ids = [r.id for r in rows]
            conn.execute(update(d).where(d.c.id.in_(ids)).values(claimed_by=owner, claimed_until=now + claim_for))
            rows = conn.execute(select(d).where(d.c.id.in_(ids)).order_by(d.c.id)).all()
        return [self._delivery(r) for r in rows]

    def mark_sending(self, delivery_id: int, *, owner: str, now: datetime, until: datetime) -> bool:
        """Record intent before handing the message over. False if the row is no longer ours."""
        d = t.deliveries
        with self.write() as conn:
            res = conn.execute(update(d).where(d.c.id == delivery_id, d.c.state == "pending", d.c.claimed_by == owner)
                               .values(state="sending", attempts=d.c.attempts + 1, claimed_until=until,
                                       updated_at=now))
        return res.rowcount == 1

    def _finish(self, delivery_id: int, owner: str, state: str, now: datetime, **values: Any) -> bool:
        d = t.deliveries
        with self.write() as conn:
            res = conn.execute(update(d).where(d.c.id == delivery_id, d.c.claimed_by == owner,
                                               d.c.state.in_(("pending", "sending")))
                               .values(state=state, updated_at=now, claimed_until=None, **values))
        return res.rowcount == 1

    def mark_sent(self, delivery_id: int, *, owner: str, now: datetime) -> bool:
        return self._finish(delivery_id, owner, "sent", now, sent_at=now, last_error=None)

    def mark_failed(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        return self._finish(delivery_id, owner, "failed", now, last_error=error[:2000])

    def mark_uncertain(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        return self._finish(delivery_id, owner, "uncertain", now, last_error=error[:2000])

    def mark_skipped(self, delivery_id: int, *, owner: str, now: datetime, reason: str) -> bool:
        return self._finish(delivery_id, owner, "skipped", now, last_error=reason[:2000])

    def mark_deferred(self, delivery_id: int, *, owner: str, now: datetime, error: str,
                      next_attempt_at: datetime) -> bool:
        """A temporary failure: the message was NOT accepted, so it goes back to ``pending``."""
        d = t.deliveries
        with self.write() as conn:
            res = conn.execute(update(d).where(d.c.id == delivery_id, d.c.claimed_by == owner,
                                               d.c.state.in_(("pending", "sending")))
                               .values(state="pending", claimed_by=None, claimed_until=None,
                                       next_attempt_at=next_attempt_at, last_error=error[:2000], updated_at=now))
        return res.rowcount == 1

    def mark_unreached(self, delivery_id: int, *, owner: str, now: datetime, error: str) -> bool:
        """The mail server could not be reached, so nothing was handed over: back to ``pending``,
        and the attempt ``mark_sending`` counted is taken back (an outage is not the recipient's
        fault). ``error`` is kept as the row's last error. False if the row is no longer ours."""
        d = t.deliveries
        with self.write() as conn:
            res = conn.execute(update(d).where(d.c.id == delivery_id, d.c.claimed_by == owner, d.c.state == "sending")
                               .values(state="pending", attempts=d.c.attempts - 1, claimed_by=None,
                                       claimed_until=None, last_error=error[:2000], updated_at=now))
        return res.rowcount == 1

    def postpone_pending(self, issue_id: int, *, now: datetime, until: datetime) -> int:
        """No ``pending`` delivery of the issue is due before ``until`` (the whole send waits for
        the mail server); one already waiting longer keeps its time. No attempt is counted.
        Returns how many rows were postponed."""
        d = t.deliveries
        with self.write() as conn:
            res = conn.execute(update(d).where(
                d.c.issue_id == issue_id, d.c.state == "pending",
                or_(d.c.next_attempt_at.is_(None), d.c.next_attempt_at < until),
            ).values(next_attempt_at=until, updated_at=now))
        return res.rowcount or 0

    def last_accepted(self, issue_id: int) -> datetime | None:
        """When the mail server last accepted a message of the issue; before the first one, when
        its send started (the Date of its messages). None if the issue has no deliveries."""
        d = t.deliveries
        with self.read() as conn:
            row = conn.execute(select(func.max(d.c.sent_at).label("sent"), func.min(d.c.message_date).label("start"))
                               .where(d.c.issue_id == issue_id)).one()
        found: datetime | None = row.sent or row.start
        return found

    def release_claims(self, issue_id: int, owner: str, now: datetime) -> None:
        d = t.deliveries
        with self.write() as conn:
            conn.execute(update(d).where(d.c.issue_id == issue_id, d.c.claimed_by == owner, d.c.state == "pending")
                         .values(claimed_by=None, claimed_until=None, updated_at=now))

    def sweep_stale(self, issue_id: int, now: datetime) -> int:
        """Rows left in ``sending`` past their claim belong to a sender that stopped mid-message:
        flag them ``uncertain`` for an editor. Returns how many."""
        d = t.deliveries
        with self.write() as conn:
            res = conn.execute(update(d).where(d.c.issue_id == issue_id, d.c.state == "sending",
                                               d.c.claimed_until < now)
                               .values(state="uncertain", claimed_until=None, updated_at=now,
                                       last_error="the sender stopped while handing this message to the mail "
                                                  "server; it may or may not have arrived. An editor decides "
                                                  "whether to resend it (`curator digest resend`)."))
        return res.rowcount or 0

    def resend(self, issue_id: int, member_id: int, now: datetime) -> Delivery:
        """An editor's decision: put an ``uncertain`` or ``failed`` delivery back to ``pending``. It
        keeps its Message-ID, so a receiving system can spot the duplicate."""
        d = t.deliveries
        with self.write() as conn:
            row = conn.execute(select(d).where(d.c.issue_id == issue_id, d.c.member_id == member_id)).first()
            if row is None:
                raise NotFound(f"member {member_id} has no delivery record for digest issue {issue_id}")
            if row.state not in ("uncertain", "failed"):
                raise WorkflowError(f"the delivery to member {member_id} is {row.state}; only uncertain or "
                                    "failed deliveries can be resent")
            conn.execute(update(d).where(d.c.id == row.id).values(
                state="pending", claimed_by=None, claimed_until=None, next_attempt_at=None, updated_at=now))
            reopen = workflow.TRANSITIONS["reopen"]
            conn.execute(update(t.digest_issues).where(t.digest_issues.c.id == issue_id,
                                                       t.digest_issues.c.state.in_(list(reopen)))
                         .values(state=case(dict(reopen), value=t.digest_issues.c.state), finished_at=None,
                                 updated_at=now))
            return self._delivery(conn.execute(select(d).where(d.c.id == row.id)).one())

    def deliveries(self, issue_id: int, states: Sequence[str] | None = None) -> list[Delivery]:
        d = t.deliveries
        q = select(d).where(d.c.issue_id == issue_id)
        if states:
            q = q.where(d.c.state.in_(list(states)))
        with self.read() as conn:
            return [self._delivery(r) for r in conn.execute(q.order_by(d.c.id))]

    def delivery_counts(self, issue_id: int) -> dict[str, int]:
        d = t.deliveries
        with self.read() as conn:
            rows = conn.execute(select(d.c.state, func.count().label("n")).where(d.c.issue_id == issue_id)
                                .group_by(d.c.state)).all()
        return {r.state: int(r.n) for r in rows}

    def finish_if_done(self, issue_id: int, now: datetime) -> str:
        """When no delivery is pending or in flight, close the issue: ``sent`` if everyone got it
        (or was skipped), ``partially_sent`` if some failed or are uncertain. Returns the state."""
        d = t.deliveries
        with self.write() as conn:
            issue = self._load_issue(conn, issue_id, lock=True)
            counts = {r.state: int(r.n) for r in conn.execute(
                select(d.c.state, func.count().label("n")).where(d.c.issue_id == issue_id).group_by(d.c.state))}
            if issue.state != "sending" or counts.get("pending", 0) or counts.get("sending", 0):
                return issue.state
            state = workflow.finished_state(
                any_failed_or_uncertain=bool(counts.get("failed", 0) or counts.get("uncertain", 0)))
            conn.execute(update(t.digest_issues).where(t.digest_issues.c.id == issue_id)
                         .values(state=state, finished_at=now, updated_at=now))
            return state

    # ----------------------------------------------------------------- suppressions

    def suppress(self, *, email: str, member_id: int | None, scope: str, reason: str, now: datetime,
                 detail: str | None = None) -> bool:
        """Stop ``scope`` mail to a mailbox. True the first time; repeating it changes nothing."""
        with self.write() as conn:
            # RETURNING, not rowcount: psycopg counts a row that ON CONFLICT DO NOTHING skipped
            res = conn.execute(self._insert(t.suppressions).values(
                email_key=email_key(email), scope=scope, member_id=member_id, reason=reason, detail=detail,
                created_at=now).on_conflict_do_nothing().returning(t.suppressions.c.email_key))
            return res.first() is not None

    def suppressed(self, scope: str, *, email: str | None = None, member_id: int | None = None) -> bool:
        """Whether ``scope`` mail to this mailbox or member is suppressed (also by the hashed
        entry an erased person left, should the address come back)."""
        s = t.suppressions
        conds: list[ColumnElement[bool]] = []
        if email:
            conds.append(s.c.email_key.in_([email_key(email), hashed_email_key(email)]))
        if member_id is not None:
            conds.append(s.c.member_id == member_id)
        if not conds:
            return False
        with self.read() as conn:
            return conn.execute(select(s.c.email_key).where(s.c.scope == scope, or_(*conds)).limit(1)).first() is not None

    def suppressed_keys(self, scope: str) -> tuple[set[str], set[int]]:
        """(email keys, member ids) suppressed for ``scope``. A hashed entry of an erased person
        appears as the email key of the member who has that address now, if any."""
        s = t.suppressions
        with self.read() as conn:
            rows = conn.execute(select(s.c.email_key, s.c.member_id).where(s.c.scope == scope)).all()
            hashed = {r.email_key for r in rows if r.email_key.startswith(HASHED_KEY_PREFIX)}
            emails = conn.execute(select(t.members.c.email)).scalars().all() if hashed else []
        keys = {r.email_key for r in rows if not r.email_key.startswith(HASHED_KEY_PREFIX)}
        keys |= {email_key(e) for e in emails if hashed_email_key(e) in hashed}
        return keys, {r.member_id for r in rows if r.member_id is not None}

    def resubscribe(self, *, email: str, member_id: int, scope: str, source: str, now: datetime) -> bool:
        """Remove the member's own ``unsubscribed`` suppressions of ``scope`` (by mailbox or id)
        and record when and from where (``subscription_changes``), in one transaction. True if
        one was removed. Bounces, complaints, an editor's block and an erased person's hashed
        entry stay: only the member's own choice is theirs to undo."""
        s = t.suppressions
        with self.write() as conn:
            removed = conn.execute(delete(s).where(
                s.c.scope == scope, s.c.reason == "unsubscribed",
                or_(s.c.email_key == email_key(email), s.c.member_id == member_id)).returning(s.c.email_key)).all()
            if removed:
                conn.execute(t.subscription_changes.insert().values(
                    member_id=member_id, scope=scope, action="resubscribed", source=source, created_at=now))
            return bool(removed)

    def last_digest_sent(self, member_ids: Sequence[int]) -> dict[int, datetime]:
        """{member id: when the newest ``digest`` (not a special newsletter) was sent to them};
        members who never got one are absent."""
        d, i = t.deliveries, t.digest_issues
        out: dict[int, datetime] = {}
        with self.read() as conn:
            for start in range(0, len(member_ids), 500):
                rows = conn.execute(
                    select(d.c.member_id, func.max(d.c.sent_at).label("at"))
                    .select_from(d.join(i, i.c.id == d.c.issue_id))
                    .where(d.c.state == "sent", i.c.kind == "digest", d.c.sent_at.is_not(None),
                           d.c.member_id.in_(list(member_ids[start:start + 500])))
                    .group_by(d.c.member_id))
                out.update({r.member_id: r.at for r in rows})
        return out

    def digests_sent_since(self, member_ids: Sequence[int], since: datetime) -> dict[int, set[int]]:
        """{member id: ids of the ``digest`` issues sent to them at or after ``since``}; members
        who got none are absent."""
        d, i = t.deliveries, t.digest_issues
        out: dict[int, set[int]] = {}
        with self.read() as conn:
            # the few digests that can have sent anything since then (not finished before it),
            # so the deliveries are found through their (issue, member) index
            issues = [r.id for r in conn.execute(select(i.c.id).where(
                i.c.kind == "digest", i.c.state.in_(("sending", "paused", "sent", "partially_sent")),
                or_(i.c.finished_at.is_(None), i.c.finished_at >= since)))]
            if not issues or not member_ids:
                return out
            for start in range(0, len(member_ids), 500):
                rows = conn.execute(
                    select(d.c.member_id, d.c.issue_id)
                    .where(d.c.issue_id.in_(issues), d.c.state == "sent", d.c.sent_at >= since,
                           d.c.member_id.in_(list(member_ids[start:start + 500]))))
                for r in rows:
                    out.setdefault(r.member_id, set()).add(r.issue_id)
        return out

    def last_sent_issue(self, segment_key: str, kind: str = "digest") -> DigestIssue | None:
        """The issue of ``kind`` for the segment whose period ends last among those that started
        sending (sending, paused, sent, partially sent); None if there is none."""
        i = t.digest_issues
        with self.read() as conn:
            row = conn.execute(
                select(i.c.id).where(i.c.kind == kind, i.c.segment_key == segment_key,
                                     i.c.state.in_(("sending", "paused", "sent", "partially_sent")),
                                     i.c.period_end.is_not(None))
                .order_by(i.c.period_end.desc(), i.c.id.desc()).limit(1)).first()
            return self._load_issue(conn, row.id) if row is not None else None

    def suppression_time(self, scope: str, email: str) -> datetime | None:
        s = t.suppressions
        with self.read() as conn:
            row = conn.execute(select(s.c.created_at).where(s.c.scope == scope,
                                                            s.c.email_key == email_key(email))).first()
        return row.created_at if row else None


ERASED_DELIVERY = "the member's data was erased before this message was sent"


def erase_newsletter_rows(conn: Connection, insert: Callable[[Any], Any], *, email: str, member_id: int | None,
                          now: datetime, detail: str) -> None:
    """Erase a person from the newsletter tables, in the caller's transaction.

    Their delivery rows keep issue, state and times (the issue's counts stay right) but lose both
    address columns and the error text, which may quote the address; a row still ``pending`` is
    ``skipped``. Every suppression of theirs is replaced by its hashed key without member id, and
    a hashed ``erased`` newsletter suppression is added, so importing the address again does not
    restart newsletters (RELIABILITY T06). ``insert`` is the dialect's insert construct."""
    key = email_key(email)
    d, s = t.deliveries, t.suppressions
    mine = d.c.email_key == key if member_id is None else or_(d.c.email_key == key, d.c.member_id == member_id)
    if member_id is not None:
        conn.execute(delete(t.subscription_changes).where(t.subscription_changes.c.member_id == member_id))
    conn.execute(update(d).where(mine, d.c.state != "pending").values(email=None, email_key=None, last_error=None))
    conn.execute(update(d).where(mine, d.c.state == "pending").values(
        state="skipped", email=None, email_key=None, last_error=ERASED_DELIVERY, claimed_by=None,
        claimed_until=None, updated_at=now))
    own = s.c.email_key == key if member_id is None else or_(s.c.email_key == key, s.c.member_id == member_id)
    rows = conn.execute(select(s).where(own)).all()
    conn.execute(delete(s).where(own))
    hashed = [(r.email_key if r.email_key.startswith(HASHED_KEY_PREFIX) else hashed_email_key(r.email_key),
               r.scope, r.reason, r.created_at) for r in rows]
    hashed.append((hashed_email_key(key), "newsletter", "erased", now))
    for h, scope, reason, created in hashed:
        conn.execute(insert(s).values(email_key=h, scope=scope, member_id=None, reason=reason,
                                      detail=detail if reason == "erased" else None, created_at=created)
                     .on_conflict_do_nothing())


__all__ = ["EDITABLE_STATES", "ERASED_DELIVERY", "FrozenRecipient", "NewsletterQueries", "email_key",
           "erase_newsletter_rows", "hashed_email_key"]
