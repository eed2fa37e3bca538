"""``curator.members``: member records (imported from the CRM export or edited by the member),
clubs and club grants, tracking consent, and who an account is in the member area.

Access: what a person may see comes ONLY from :func:`curator.profiles.access.visible_to` applied
to their member record (an editor or admin without a member record sees public items); it is
computed on every request, never cached per member. Consent: withdrawing tracking consent
deletes the stored view/click events and the profile (rebuilt from explicit actions).
"""

from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Sequence

from curator.clock import Clock
from curator.errors import CuratorError, InvalidInput, NotFound
from curator.profiles.access import can_see, visible_to
from curator.profiles.members_import import admissible_clubs, parse_members
from curator.storage import Store
from curator.types import (
    AREA_IDS,
    DIGEST_FREQUENCIES,
    Club,
    ClubMembership,
    Item,
    Member,
    MemberImportResult,
    MemberRecord,
    WebUser,
)

from .feed_cache import FeedCache
from .personas import Personas

DEFAULT_CLUBS: tuple[Club, ...] = (
    Club("it-executive", "IT Executive Club", "IT Executive Club", "CIOs and IT managers.",
         "By invitation only; discretion is a must."),
    Club("womens-club", "Women's Club", "Women's Club", "Female leadership.", "For women only."),
    Club("agile-hr", "Agile HR Club", "Agile HR Club", "HR managers.",
         "HR managers; recruiters and HR consultants are excluded."),
)
"""The three clubs of PRODUCT.md."""

MAX_INTERESTS = 2000
"""Characters of free-text interests a member may save."""


class Members:
    """Member records, clubs and consent."""

    def __init__(self, *, storage: Store, clock: Clock, personas: Personas, feed_cache: FeedCache) -> None:
        self._storage = storage
        self._clock = clock
        self._personas = personas
        self._feed_cache = feed_cache

    # ------------------------------------------------------------------ records

    def list(self) -> builtins.list[Member]:
        """Every member and registered user."""
        return self._storage.list_members()

    def get(self, email: str) -> Member:
        """The member with ``email`` (any case). NotFound if there is none."""
        return self._storage.get_member(email)

    def import_file(self, text: str, *, fmt: str = "csv", grant_clubs_by: str | None = None) -> MemberImportResult:
        """Import or update members from a CRM export (CSV or JSON, see
        ``curator.profiles.members_import``). Members are matched by email, so re-importing keeps
        their ids, feedback and profiles. The export's clubs become memberships only when
        ``grant_clubs_by`` names the editor who vouches for them; otherwise they are counted as
        not granted. Bad rows are reported and skipped; one bad row never stops the others."""
        records, errors = parse_members(text, fmt, self._personas.all())
        now = self._clock.now()
        known_clubs = {c.id for c in self._storage.list_clubs()}
        counts: Counter[str] = Counter()
        granted = not_granted = 0
        row_errors = list(errors)
        for n, parsed in records:
            rec, warnings, refused = admissible_clubs(n, parsed, known_clubs, granting=bool(grant_clubs_by))
            row_errors += warnings
            not_granted += refused
            try:
                res = self._storage.upsert_member(rec, now, grant_clubs_by=grant_clubs_by)
            except CuratorError as exc:  # reported per row; the others go on
                row_errors.append((n, f"row {n}: {rec.email}: {exc}"))
                continue
            counts[res.outcome] += 1
            granted += len(res.clubs_granted)
            if not grant_clubs_by:
                not_granted += len(rec.clubs)
        row_errors.sort(key=lambda e: e[0])
        return MemberImportResult(counts["new"], counts["updated"], counts["unchanged"], tuple(row_errors),
                                  granted, not_granted)

    def set_tracking_consent(self, email: str, consent: bool) -> Member:
        """Give or withdraw tracking consent; withdrawing deletes stored views/clicks and the profile."""
        return self._storage.set_tracking_consent(email, consent, self._clock.now())

    def erase_by_email(self, email: str, *, editor: str) -> None:
        """An editor erases a person on their request (GDPR Art. 17), as "Erase my data" does:
        see :meth:`erase_person`. InvalidInput without the editor's name; NotFound when no member
        and no account has ``email``."""
        if not (editor or "").strip():
            raise InvalidInput("erasing a person needs the name of the editor who does it (--editor)")
        if not self.erase_person(email, requested_by=f"editor {editor.strip()}"):
            raise NotFound(f"no member and no account with email {email.strip()!r}; nothing was erased")

    def erase_person(self, email: str, *, requested_by: str) -> bool:
        """Erase everything stored about the person with ``email`` (member record, account, or
        both), in one transaction; False if neither exists. Afterwards no table holds their
        address, name or free text: feedback, profile, clubs, sessions, tokens and unpublished
        posts are deleted; published posts, delivery rows (for the issues' counts) and others'
        sends stay without them. A hashed suppression keeps a re-import of the address from
        restarting newsletters; ``requested_by`` (never the person's address) is noted with it.
        Ids are never reused, so their old unsubscribe, preferences, click and RSS links and
        delivery rows point at nobody. See :meth:`curator.storage.Store.erase_person`."""
        key = (email or "").strip().lower()
        member_id = self._storage.member_id_for_email(key)
        erased = self._storage.erase_person(key, now=self._clock.now(), detail=f"erased at the request of {requested_by}")
        if member_id is not None:
            self._feed_cache.forget(member_id)
        return erased

    # ------------------------------------------------------------------ clubs

    def ensure_clubs(self, clubs: Sequence[Club] = DEFAULT_CLUBS) -> builtins.list[Club]:
        """Create clubs that do not exist yet (default: the three clubs of PRODUCT.md); all clubs."""
        now = self._clock.now()
        for club in clubs:
            self._storage.ensure_club(club, now)
        return self._storage.list_clubs()

    def clubs(self) -> builtins.list[Club]:
        return self._storage.list_clubs()

    def club_memberships(self, club_id: str | None = None) -> builtins.list[ClubMembership]:
        """Grants of one club (None: of every club)."""
        return self._storage.club_memberships(club_id)

    def grant_club(self, email: str, club_id: str, *, editor: str) -> ClubMembership:
        """An editor admits a member to a club (the only way anyone joins a club)."""
        if not (editor or "").strip():
            raise InvalidInput("granting a club membership needs the editor's name (--editor)")
        return self._storage.grant_club(email, club_id, editor.strip(), self._clock.now())

    def revoke_club(self, email: str, club_id: str, *, editor: str) -> bool:
        """Remove a member from a club; their feed, digests and explanations lose the club's items
        at once (access is computed on every request, never cached per member)."""
        if not (editor or "").strip():
            raise InvalidInput("revoking a club membership needs the editor's name (--editor)")
        return self._storage.revoke_club(email, club_id)

    # ------------------------------------------------------------------ who sees what

    def of_user(self, user: WebUser | None) -> Member | None:
        """The member record behind an account (None: anonymous, or an account without one)."""
        if user is None or user.member_id is None:
            return None
        found = self._storage.get_members_by_id([user.member_id])
        return found[0] if found else None

    def visible_set(self, user: WebUser | None) -> frozenset[str]:
        """What ``user`` may see in the member area: THE access rule on their member record."""
        return visible_to(self.of_user(user))

    def item_visible_to(self, member: Member | None, item_id: int) -> Item:
        """The item if ``member`` (None: anonymous) may see it; otherwise NotFound with the same
        message as for an item that does not exist, so existence is not revealed."""
        try:
            item = self._storage.get_item(int(item_id))
        except (NotFound, ValueError, OverflowError):
            raise NotFound(f"no item with id {item_id}") from None
        if not can_see(member, item.visibility):
            raise NotFound(f"no item with id {item_id}")
        return item

    # ------------------------------------------------------------------ own preferences

    def set_digest_frequency(self, member: Member, frequency: str) -> Member:
        """How often ``member`` wants the digest (``weekly``, ``monthly``, ``never``); the rule
        drafting and sending apply is :func:`curator.newsletter.audience.frequency_skip`.
        Returns the updated member. InvalidInput for another value."""
        self._storage.set_member_digest_frequency(member.id, frequency, self._clock.now())
        return self._storage.get_members_by_id([member.id])[0]

    def update_preferences(self, user: WebUser, *, language: str, areas: Sequence[str], interests: str,
                           digest_frequency: str, tracking_consent: bool,
                           colleague_mail: bool | None = None) -> Member | None:
        """Save the account's digest frequency and, for a member, their own preferences, the
        digest frequency included (``colleague_mail`` None: unchanged). Clubs, persona and
        membership are never changed here (an editor grants clubs). Returns the updated member
        record (None for an account without one). InvalidInput for a bad value."""
        if language not in ("de", "en"):
            raise InvalidInput("language must be de or en")
        bad = [a for a in areas if a not in AREA_IDS]
        if bad:
            raise InvalidInput(f"unknown area(s) {', '.join(bad)}; areas are {', '.join(AREA_IDS)}")
        if len(interests or "") > MAX_INTERESTS:
            raise InvalidInput("interests are limited to 2,000 characters")
        member = self.of_user(user)
        if member is not None and digest_frequency not in DIGEST_FREQUENCIES:
            raise InvalidInput(f"digest frequency must be one of {', '.join(DIGEST_FREQUENCIES)}")
        now = self._clock.now()
        self._storage.set_digest_frequency(user.id, digest_frequency, now)
        if member is None:
            return None
        rec = MemberRecord(email=member.email, name=member.name, organisation=member.organisation,
                           language=language, clubs=(), declared_areas=tuple(a for a in AREA_IDS if a in areas),
                           interests=(interests or "").strip(), persona=member.persona,
                           tracking_consent=member.tracking_consent, membership=member.status)
        self._storage.upsert_member(rec, now)
        if tracking_consent != member.tracking_consent:
            self._storage.set_tracking_consent(member.email, tracking_consent, now)
        if digest_frequency != member.digest_frequency:
            self._storage.set_member_digest_frequency(member.id, digest_frequency, now)
        if colleague_mail is not None and colleague_mail != member.colleague_mail:
            self._storage.set_colleague_mail(member.id, colleague_mail, now)
        self._feed_cache.forget(member.id)
        return self.of_user(user)
