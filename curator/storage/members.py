"""Queries for members, organisations, clubs, feedback, profiles, persona suggestions and pins.

Rows never leave this module (callers get the frozen
dataclasses of ``curator.types``). Club memberships are written only by :meth:`grant_club`, which
records the editor and the time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Connection

from ..errors import InvalidInput, NotFound, WorkflowError
from ..types import (
    DIGEST_FREQUENCIES,
    Club,
    ClubMembership,
    FeedbackEvent,
    Member,
    MemberProfile,
    MemberRecord,
    PersonaSuggestion,
)
from . import schema as t
from .accounts import erase_web_rows
from .newsletter import email_key, erase_newsletter_rows
from .tagging import TaggingQueries

TRACKING_KINDS = ("view", "click")

ERASED_ACTOR = "(erased)"
"""What stands where an erased person's name or address was kept as the author of an act."""
ACTOR_COLUMNS = (t.club_memberships.c.granted_by, t.member_posts.c.decided_by, t.digest_issues.c.approved_by,
                 t.digest_issues.c.created_by, t.editor_pins.c.pinned_by, t.persona_suggestions.c.decided_by,
                 t.accepted_personas.c.accepted_by, t.tag_corrections.c.editor, t.editor_rules.c.created_by)
"""Columns naming who did something (an editor's address, as the web console records it)."""


@dataclass(frozen=True)
class MemberUpsert:
    """What storing one member record did: ``new``, ``updated`` or ``unchanged``, whether the
    tracking consent was withdrawn (tracking events deleted), and the clubs granted now."""

    outcome: str
    member_id: int
    consent_withdrawn: bool = False
    clubs_granted: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredFeedback:
    """One feedback row joined with what ranking needs about its item."""

    event: FeedbackEvent
    source_id: str
    visibility: str


def check_frequency(frequency: str) -> str:
    """``frequency`` if it is one of DIGEST_FREQUENCIES; InvalidInput otherwise."""
    if frequency not in DIGEST_FREQUENCIES:
        raise InvalidInput(f"digest frequency {frequency!r} is not one of {', '.join(DIGEST_FREQUENCIES)}")
    return frequency


class MemberQueries(TaggingQueries):
    """Members and everything hanging off them, on the shared database."""


    # ----------------------------------------------------------------- members

    @staticmethod
    def _member(row: Any, clubs: Iterable[str], organisation: str | None) -> Member:
        return Member(id=row.id, email=row.email, name=row.name, organisation=organisation,
                      language=row.language, status=row.status, persona=row.persona,
                      declared_areas=tuple(row.declared_areas or ()), interests=row.interests or "",
                      tracking_consent=bool(row.tracking_consent), clubs=frozenset(clubs),
                      colleague_mail=bool(row.colleague_mail), digest_frequency=row.digest_frequency)

    def _members_where(self, conn: Connection, cond: Any = None) -> list[Member]:
        q = (select(t.members, t.organisations.c.name.label("org_name"))
             .select_from(t.members.outerjoin(t.organisations,
                                               t.organisations.c.id == t.members.c.organisation_id)))
        if cond is not None:
            q = q.where(cond)
        rows = conn.execute(q.order_by(t.members.c.id)).all()
        clubs: dict[int, list[str]] = defaultdict(list)
        if rows:
            ids = [r.id for r in rows]
            for start in range(0, len(ids), 500):
                for c in conn.execute(select(t.club_memberships.c.member_id, t.club_memberships.c.club_id)
                                      .where(t.club_memberships.c.member_id.in_(ids[start:start + 500]))):
                    clubs[c.member_id].append(c.club_id)
        return [self._member(r, clubs.get(r.id, ()), r.org_name) for r in rows]

    def get_member(self, email: str) -> Member:
        """Raises NotFound when no member has this email (case-insensitive)."""
        with self.read() as conn:
            found = self._members_where(conn, t.members.c.email == email.strip().lower())
        if not found:
            raise NotFound(f"no member with email '{email}'; import members first (`curator import-members`)")
        return found[0]

    def get_members_by_id(self, member_ids: Sequence[int]) -> list[Member]:
        out: list[Member] = []
        with self.read() as conn:
            for start in range(0, len(member_ids), 500):
                out.extend(self._members_where(conn, t.members.c.id.in_(list(member_ids[start:start + 500]))))
        return out

    def list_members(self) -> list[Member]:
        with self.read() as conn:
            return self._members_where(conn)

    def _organisation_id(self, conn: Connection, name: str | None, is_member: bool, now: datetime) -> int | None:
        if not name:
            return None
        row = conn.execute(select(t.organisations).where(t.organisations.c.name == name)).first()
        if row is None:
            conn.execute(self._insert(t.organisations).values(
                name=name, is_member=is_member, created_at=now, updated_at=now,
            ).on_conflict_do_nothing(index_elements=["name"]))
            row = conn.execute(select(t.organisations).where(t.organisations.c.name == name)).one()
        elif is_member and not row.is_member:
            conn.execute(update(t.organisations).where(t.organisations.c.id == row.id)
                         .values(is_member=True, updated_at=now))
        return int(row.id)

    def upsert_member(self, rec: MemberRecord, now: datetime, *, grant_clubs_by: str | None = None) -> MemberUpsert:
        """Insert or update one member by email, keeping its id (and so its feedback). When the
        tracking consent goes from yes to no, its stored view/click events and its profile are
        deleted in the same transaction. Clubs of the record are granted only when
        ``grant_clubs_by`` names the editor vouching for the export; existing grants stay."""
        email = rec.email.strip().lower()
        with self.write() as conn:
            org_id = self._organisation_id(conn, rec.organisation, rec.membership == "member", now)
            values = dict(name=rec.name, organisation_id=org_id, language=rec.language, status=rec.membership,
                          persona=rec.persona, declared_areas=list(rec.declared_areas), interests=rec.interests,
                          tracking_consent=rec.tracking_consent)
            if rec.digest_frequency is not None:  # an export without the column keeps the member's choice
                values["digest_frequency"] = check_frequency(rec.digest_frequency)
            row = conn.execute(select(t.members).where(t.members.c.email == email)).first()
            withdrawn = False
            if row is None:
                member_id = conn.execute(t.members.insert().values(
                    email=email, created_at=now, updated_at=now, consent_changed_at=now, **values,
                ).returning(t.members.c.id)).scalar_one()
                outcome = "new"
            else:
                member_id = row.id
                changed: dict[str, Any] = {k: v for k, v in values.items() if getattr(row, k) != v}
                if changed:
                    if "tracking_consent" in changed:
                        changed["consent_changed_at"] = now
                        withdrawn = bool(row.tracking_consent) and not rec.tracking_consent
                    conn.execute(update(t.members).where(t.members.c.id == member_id)
                                 .values(updated_at=now, **changed))
                    outcome = "updated"
                else:
                    outcome = "unchanged"
            if withdrawn:
                self._forget_tracking(conn, member_id)
            granted: list[str] = []
            if grant_clubs_by and rec.clubs:
                have = {r.club_id for r in conn.execute(select(t.club_memberships.c.club_id)
                                                        .where(t.club_memberships.c.member_id == member_id))}
                for club in rec.clubs:
                    if club not in have:
                        self._grant(conn, member_id, club, grant_clubs_by, now)
                        granted.append(club)
                if granted and outcome == "unchanged":
                    outcome = "updated"
        return MemberUpsert(outcome, member_id, withdrawn, tuple(granted))

    @staticmethod
    def _forget_tracking(conn: Connection, member_id: int) -> None:
        conn.execute(delete(t.feedback_events).where(and_(t.feedback_events.c.member_id == member_id,
                                                           t.feedback_events.c.kind.in_(TRACKING_KINDS))))
        conn.execute(delete(t.member_profiles).where(t.member_profiles.c.member_id == member_id))
        for table in (t.email_opens, t.email_clicks):  # recorded only with consent, so they go with it
            conn.execute(delete(table).where(table.c.member_id == member_id))

    def set_tracking_consent(self, email: str, consent: bool, now: datetime) -> Member:
        """Change consent; withdrawing deletes stored view/click events, email opens and clicks and
        the profile (rebuilt from explicit actions on the next refresh)."""
        member = self.get_member(email)
        with self.write() as conn:
            if member.tracking_consent != consent:
                conn.execute(update(t.members).where(t.members.c.id == member.id).values(
                    tracking_consent=consent, consent_changed_at=now, updated_at=now))
                if not consent:
                    self._forget_tracking(conn, member.id)
        return self.get_member(email)

    def set_colleague_mail(self, member_id: int, accept: bool, now: datetime) -> None:
        """Store whether the member accepts items sent by colleagues (their own preference; a CRM
        re-import through :meth:`upsert_member` never changes it)."""
        with self.write() as conn:
            conn.execute(update(t.members).where(t.members.c.id == member_id)
                         .values(colleague_mail=accept, updated_at=now))

    def set_member_digest_frequency(self, member_id: int, frequency: str, now: datetime) -> None:
        """Store how often the member wants the digest; InvalidInput for an unknown frequency."""
        check_frequency(frequency)
        with self.write() as conn:
            conn.execute(update(t.members).where(t.members.c.id == member_id)
                         .values(digest_frequency=frequency, updated_at=now))

    # ----------------------------------------------------------------- erasure

    def erase_person(self, email: str, *, now: datetime, detail: str) -> bool:
        """Erase everything stored about the person with ``email`` in ONE transaction, so nothing
        is ever half erased. False (nothing changed) when neither a member nor an account has it.

        Deleted: the member record with clubs, feedback and profile; the account with sessions,
        API tokens, sign-in links, throttle counters and private feed token; posts that were
        never published. Kept without the person: published posts (author removed from the post
        and its item), others' sends to them (recipient removed), delivery rows (addresses
        removed, state kept for the issue's counts), a hashed newsletter suppression
        (:func:`~.newsletter.erase_newsletter_rows`, ``detail`` says who asked). Where the person
        acted as an editor (granted a club, approved an issue...) the name becomes ``(erased)``.
        Ids are never reused (migration 0006), so old tokens and rows with their id name nobody."""
        key = email_key(email)
        with self.write() as conn:
            member_id = conn.execute(select(t.members.c.id).where(t.members.c.email == key)).scalar()
            has_account = conn.execute(select(t.web_users.c.id).where(t.web_users.c.email == key)).first()
            if member_id is None and has_account is None:
                return False
            erase_newsletter_rows(conn, self._insert, email=key, member_id=member_id, now=now, detail=detail)
            erase_web_rows(conn, email=key, member_id=member_id)
            self._erase_posts(conn, key)
            for column in ACTOR_COLUMNS:
                conn.execute(update(column.table).where(func.lower(column) == key).values({column: ERASED_ACTOR}))
            if member_id is not None:
                fe = t.feedback_events
                conn.execute(update(fe).where(fe.c.to_member_id == member_id).values(to_member_id=None))
                conn.execute(delete(fe).where(fe.c.member_id == member_id))
                conn.execute(delete(t.member_profiles).where(t.member_profiles.c.member_id == member_id))
                conn.execute(delete(t.club_memberships).where(t.club_memberships.c.member_id == member_id))
                for table in (t.email_opens, t.email_clicks, t.digest_shown):
                    conn.execute(delete(table).where(table.c.member_id == member_id))
                conn.execute(delete(t.members).where(t.members.c.id == member_id))
        return True

    @staticmethod
    def _erase_posts(conn: Connection, key: str) -> None:
        """Unpublished posts go; published ones stay as anonymous posts (the cluster published
        them, members rated and received them), without name, address and organisation on the
        post and without the author line on its item."""
        mp = t.member_posts
        theirs = func.lower(mp.c.author_email) == key
        conn.execute(delete(mp).where(theirs, mp.c.status != "approved"))
        items = [r.item_id for r in conn.execute(select(mp.c.item_id).where(theirs, mp.c.item_id.is_not(None)))]
        if items:
            conn.execute(update(t.items).where(t.items.c.id.in_(items)).values(author=None))
        conn.execute(update(mp).where(theirs).values(author_email=None, author_name=ERASED_ACTOR, organisation=None))

    # ----------------------------------------------------------------- clubs

    def ensure_club(self, club: Club, now: datetime) -> None:
        with self.write() as conn:
            conn.execute(self._insert(t.clubs).values(
                id=club.id, name=club.name, name_de=club.name_de, description=club.description,
                admission=club.admission, created_at=now).on_conflict_do_nothing(index_elements=["id"]))

    def list_clubs(self) -> list[Club]:
        with self.read() as conn:
            rows = conn.execute(select(t.clubs).order_by(t.clubs.c.id)).all()
        return [Club(r.id, r.name, r.name_de, r.description, r.admission) for r in rows]

    def _grant(self, conn: Connection, member_id: int, club_id: str, editor: str, now: datetime) -> None:
        if conn.execute(select(t.clubs.c.id).where(t.clubs.c.id == club_id)).first() is None:
            raise NotFound(f"no club with id '{club_id}'; see `curator clubs list`")
        conn.execute(self._insert(t.club_memberships).values(
            member_id=member_id, club_id=club_id, granted_by=editor, granted_at=now,
        ).on_conflict_do_nothing(index_elements=["member_id", "club_id"]))

    def grant_club(self, email: str, club_id: str, editor: str, now: datetime) -> ClubMembership:
        """An editor admits a member to a club. Registered non-members cannot be admitted."""
        member = self.get_member(email)
        if member.status != "member":
            raise WorkflowError(f"{member.email} is a registered user, not a cluster member; clubs are for "
                                "members only (re-import them as a member first)")
        with self.write() as conn:
            self._grant(conn, member.id, club_id, editor, now)
            row = conn.execute(select(t.club_memberships).where(and_(
                t.club_memberships.c.member_id == member.id, t.club_memberships.c.club_id == club_id))).one()
        return ClubMembership(member.email, club_id, row.granted_by, row.granted_at)

    def revoke_club(self, email: str, club_id: str) -> bool:
        """Remove a membership; True if there was one."""
        member = self.get_member(email)
        with self.write() as conn:
            res = conn.execute(delete(t.club_memberships).where(and_(
                t.club_memberships.c.member_id == member.id, t.club_memberships.c.club_id == club_id)))
        return bool(res.rowcount)

    def club_memberships(self, club_id: str | None = None) -> list[ClubMembership]:
        q = (select(t.club_memberships, t.members.c.email)
             .select_from(t.club_memberships.join(t.members, t.members.c.id == t.club_memberships.c.member_id)))
        if club_id:
            q = q.where(t.club_memberships.c.club_id == club_id)
        with self.read() as conn:
            rows = conn.execute(q.order_by(t.club_memberships.c.club_id, t.members.c.email)).all()
        return [ClubMembership(r.email, r.club_id, r.granted_by, r.granted_at) for r in rows]

    # ----------------------------------------------------------------- feedback

    def add_feedback(self, events: Sequence[tuple[FeedbackEvent, str | None]]) -> tuple[int, int]:
        """Store (event, dedupe key) pairs; an event whose key is already stored is skipped.
        Returns (stored, duplicates). Consent is the caller's check; this stores what it gets."""
        stored = dupes = 0
        with self.write() as conn:
            for ev, key in events:
                stmt = self._insert(t.feedback_events).values(
                    member_id=ev.member_id, item_id=ev.item_id, kind=ev.kind, value=ev.value, note=ev.note,
                    to_member_id=ev.to_member_id, at=ev.at, dedupe_key=key)
                # rowcount is not reliable for ON CONFLICT on every driver; RETURNING is
                res = conn.execute(stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
                                   .returning(t.feedback_events.c.id))
                if res.first() is not None:
                    stored += 1
                else:
                    dupes += 1
        return stored, dupes

    @staticmethod
    def _event(r: Any) -> FeedbackEvent:
        return FeedbackEvent(member_id=r.member_id, item_id=r.item_id, kind=r.kind, at=r.at, value=r.value,
                             note=r.note, to_member_id=r.to_member_id, id=r.id)

    def hidden_item_ids(self, member_id: int) -> set[int]:
        """The items ``member_id`` hid (one indexed read, however long their history)."""
        with self.read() as conn:
            return {int(i) for (i,) in conn.execute(
                select(t.feedback_events.c.item_id).distinct().where(and_(
                    t.feedback_events.c.member_id == member_id, t.feedback_events.c.kind == "hide")))}

    def feedback(self, member_ids: Sequence[int] | None = None, *, after_id: int = 0,
                 item_ids: Sequence[int] | None = None) -> list[StoredFeedback]:
        """Feedback events (oldest first) of the given members (None: all), with ids above
        ``after_id``, optionally only on ``item_ids``; each with its item's source and visibility."""
        q = (select(t.feedback_events, t.items.c.source_id, t.items.c.visibility)
             .select_from(t.feedback_events.join(t.items, t.items.c.id == t.feedback_events.c.item_id))
             .where(t.feedback_events.c.id > after_id))
        out: list[StoredFeedback] = []
        with self.read() as conn:
            def run(extra: Any) -> None:
                qq = q.where(extra) if extra is not None else q
                for r in conn.execute(qq.order_by(t.feedback_events.c.id)):
                    out.append(StoredFeedback(self._event(r), r.source_id, r.visibility))

            if member_ids is None and item_ids is None:
                run(None)
            elif member_ids is not None:
                ids = list(member_ids)
                for start in range(0, len(ids), 500):
                    cond: Any = t.feedback_events.c.member_id.in_(ids[start:start + 500])
                    if item_ids is not None:
                        cond = and_(cond, t.feedback_events.c.item_id.in_(list(item_ids)))
                    run(cond)
            else:
                assert item_ids is not None
                ids = list(item_ids)
                for start in range(0, len(ids), 500):
                    run(t.feedback_events.c.item_id.in_(ids[start:start + 500]))
        out.sort(key=lambda s: s.event.id)
        return out

    def source_feedback_counts(self) -> dict[str, tuple[int, int]]:
        """Per source: (positive, negative) explicit feedback counts, for source quality."""
        pos_kinds = ("save", "more", "send", "attend")
        neg_kinds = ("hide", "less")
        q = (select(t.items.c.source_id, t.feedback_events.c.kind, t.feedback_events.c.value,
                    func.count().label("n"))
             .select_from(t.feedback_events.join(t.items, t.items.c.id == t.feedback_events.c.item_id))
             .group_by(t.items.c.source_id, t.feedback_events.c.kind, t.feedback_events.c.value))
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        with self.read() as conn:
            for r in conn.execute(q):
                if r.kind in pos_kinds or (r.kind == "rating" and (r.value or 0) >= 4):
                    counts[r.source_id][0] += r.n
                elif r.kind in neg_kinds or (r.kind == "rating" and (r.value or 0) <= 2):
                    counts[r.source_id][1] += r.n
        return {k: (v[0], v[1]) for k, v in counts.items()}

    # ----------------------------------------------------------------- profiles

    @staticmethod
    def _profile(r: Any) -> MemberProfile:
        return MemberProfile(member_id=r.member_id, model_id=r.model_id, as_of=r.as_of, declared=bytes(r.declared),
                             positive=bytes(r.positive), negative=bytes(r.negative),
                             positive_weight=r.positive_weight, negative_weight=r.negative_weight,
                             area_affinity=dict(r.area_affinity or {}), events_through=r.events_through,
                             declared_hash=r.declared_hash,
                             language_feedback=(None if r.language_feedback is None else
                                                {k: (float(v[0]), float(v[1])) for k, v in r.language_feedback.items()}))

    def get_profiles(self, member_ids: Sequence[int] | None = None) -> dict[int, MemberProfile]:
        out: dict[int, MemberProfile] = {}
        with self.read() as conn:
            if member_ids is None:
                for r in conn.execute(select(t.member_profiles)):
                    out[r.member_id] = self._profile(r)
            else:
                ids = list(member_ids)
                for start in range(0, len(ids), 500):
                    for r in conn.execute(select(t.member_profiles)
                                          .where(t.member_profiles.c.member_id.in_(ids[start:start + 500]))):
                        out[r.member_id] = self._profile(r)
        return out

    def save_profiles(self, profiles: Sequence[MemberProfile]) -> None:
        if not profiles:
            return
        with self.write() as conn:
            for p in profiles:
                values = dict(model_id=p.model_id, dim=len(p.declared) // 4, as_of=p.as_of, declared=p.declared,
                              positive=p.positive, negative=p.negative, positive_weight=p.positive_weight,
                              negative_weight=p.negative_weight, area_affinity=dict(p.area_affinity),
                              events_through=p.events_through, declared_hash=p.declared_hash,
                              language_feedback=(None if p.language_feedback is None else
                                                 {k: [v[0], v[1]] for k, v in p.language_feedback.items()}))
                stmt = self._insert(t.member_profiles).values(member_id=p.member_id, **values)
                conn.execute(stmt.on_conflict_do_update(index_elements=["member_id"], set_=values))

    # ----------------------------------------------------------------- pins

    def pin_item(self, item_id: int, scope: str, editor: str, now: datetime, until: datetime | None) -> None:
        with self.write() as conn:
            if conn.execute(select(t.items.c.id).where(t.items.c.id == item_id)).first() is None:
                raise NotFound(f"no item with id {item_id}")
            values = dict(pinned_by=editor, pinned_at=now, until=until)
            conn.execute(self._insert(t.editor_pins).values(item_id=item_id, scope=scope, **values)
                         .on_conflict_do_update(index_elements=["item_id", "scope"], set_=values))

    def unpin_item(self, item_id: int, scope: str) -> bool:
        with self.write() as conn:
            res = conn.execute(delete(t.editor_pins).where(and_(t.editor_pins.c.item_id == item_id,
                                                                 t.editor_pins.c.scope == scope)))
        return bool(res.rowcount)

    def active_pins(self, now: datetime) -> dict[int, set[str]]:
        """Item id -> scopes (``all``, ``club:<id>``, ``persona:<id>``) of pins still in force."""
        out: dict[int, set[str]] = defaultdict(set)
        with self.read() as conn:
            for r in conn.execute(select(t.editor_pins)):
                if r.until is None or r.until > now:
                    out[r.item_id].add(r.scope)
        return dict(out)

    # ----------------------------------------------------------------- personas

    def add_persona_suggestions(self, suggestions: Sequence[Mapping[str, Any]], now: datetime) -> list[int]:
        """Store suggestions (kind, persona, name, definition, size); earlier open ones are
        superseded (status ``superseded``) so editors see one current set."""
        ids: list[int] = []
        with self.write() as conn:
            conn.execute(update(t.persona_suggestions).where(t.persona_suggestions.c.status == "open")
                         .values(status="superseded"))
            for s in suggestions:
                ids.append(conn.execute(t.persona_suggestions.insert().values(
                    kind=s["kind"], persona=s.get("persona"), name=s["name"], definition=dict(s["definition"]),
                    size=int(s["size"]), status="open", created_at=now,
                ).returning(t.persona_suggestions.c.id)).scalar_one())
        return ids

    @staticmethod
    def _suggestion(r: Any) -> PersonaSuggestion:
        d = dict(r.definition or {})
        return PersonaSuggestion(id=r.id, kind=r.kind, persona=r.persona, name=r.name,
                                 preferred_areas=tuple(d.get("preferred_areas", ())), size=r.size,
                                 example_titles=tuple(d.get("example_titles", ())), status=r.status,
                                 created_at=r.created_at, decided_by=r.decided_by)

    def persona_suggestions(self, status: str | None = "open") -> list[PersonaSuggestion]:
        q = select(t.persona_suggestions)
        if status:
            q = q.where(t.persona_suggestions.c.status == status)
        with self.read() as conn:
            return [self._suggestion(r) for r in conn.execute(q.order_by(t.persona_suggestions.c.id))]

    def suggestion_definition(self, suggestion_id: int) -> tuple[PersonaSuggestion, dict[str, Any]]:
        with self.read() as conn:
            r = conn.execute(select(t.persona_suggestions)
                             .where(t.persona_suggestions.c.id == suggestion_id)).first()
        if r is None:
            raise NotFound(f"no persona suggestion {suggestion_id}; see `curator personas suggest`")
        return self._suggestion(r), dict(r.definition or {})

    @staticmethod
    def _lock_open_suggestion(conn: Connection, suggestion_id: int) -> None:
        """Lock the suggestion's row for this transaction (a concurrent decision waits, then finds
        it no longer open on PostgreSQL); NotFound / WorkflowError unless it is open."""
        r = conn.execute(select(t.persona_suggestions.c.status)
                         .where(t.persona_suggestions.c.id == suggestion_id).with_for_update()).first()
        if r is None:
            raise NotFound(f"no persona suggestion {suggestion_id}")
        if r.status != "open":
            raise WorkflowError(f"persona suggestion {suggestion_id} is {r.status}, not open")

    def accept_persona(self, suggestion_id: int, persona_id: str, definition: Mapping[str, Any], editor: str,
                       now: datetime) -> None:
        """Mark the suggestion accepted and store the persona definition, atomically."""
        with self.write() as conn:
            self._lock_open_suggestion(conn, suggestion_id)
            conn.execute(update(t.persona_suggestions).where(t.persona_suggestions.c.id == suggestion_id)
                         .values(status="accepted", decided_by=editor, decided_at=now))
            values = dict(definition=dict(definition), suggestion_id=suggestion_id, accepted_by=editor,
                          accepted_at=now)
            conn.execute(self._insert(t.accepted_personas).values(id=persona_id, **values)
                         .on_conflict_do_update(index_elements=["id"], set_=values))

    def reject_persona(self, suggestion_id: int, editor: str, now: datetime) -> None:
        """Mark an open suggestion rejected (kept for the record). NotFound for an unknown
        suggestion, WorkflowError if it is not open."""
        with self.write() as conn:
            self._lock_open_suggestion(conn, suggestion_id)
            conn.execute(update(t.persona_suggestions).where(t.persona_suggestions.c.id == suggestion_id)
                         .values(status="rejected", decided_by=editor, decided_at=now))

    def accepted_personas(self) -> dict[str, dict[str, Any]]:
        with self.read() as conn:
            return {r.id: dict(r.definition) for r in conn.execute(select(t.accepted_personas)
                                                                   .order_by(t.accepted_personas.c.id))}
