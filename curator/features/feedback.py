"""``curator.feedback``: what members do with items (ratings, saves, hides, more/less like this,
sends, views, clicks), from the web, the API or an imported history, and the profiles built
from it.

Access: feedback is only ever given on an item the member may see; NotFound otherwise, with the
message of an item that does not exist. Consent: views and clicks of a member without tracking
consent are never stored (:func:`curator.profiles.feedback.counts_for`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from curator.accounts import colleague_mail
from curator.clock import Clock, parse_iso_time
from curator.config import Settings
from curator.email_address import normalise_email
from curator.errors import AccessDenied, InvalidInput, NotFound, RateLimited
from curator.ingest.jsonl import ARCHIVE_KEY_PREFIX, read_jsonl
from curator.ingest.normalise import canonical_url, url_identity
from curator.profiles.access import can_see
from curator.profiles.feedback import checked_value, counts_for
from curator.storage import Store, email_key
from curator.types import Colleague, FeedbackEvent, FeedbackImportResult, Item, Member, WebUser

from .digests import NEWSLETTER_SCOPE
from .feed_cache import FeedCache
from .members import Members
from .profile_refresh import ProfileRefresher

if TYPE_CHECKING:
    from curator.accounts import AccountMail

WEB_ACTIONS = ("rating", "save", "hide", "more", "less", "view", "click")
"""What the web and the API may record (a send goes through :meth:`Feedback.share`)."""
MAX_NOTE = 2000
MAX_SHARE_NOTE = 1000
COLLEAGUE_MAILS_PER_DAY = 10
"""Items one member may send to colleagues per day (a day from their first send of the day)."""
COLLEAGUE_SEARCH_MIN = 2
"""Characters of a name a sender types before anyone is suggested."""
COLLEAGUE_SEARCH_LIMIT = 10
"""People suggested per search: enough to find a colleague, too few to copy the directory."""
NO_SUCH_COLLEAGUE = ("nobody who can receive this item matches your choice: colleagues are members of the cluster "
                     "who may see the item and accept items from colleagues")


class Feedback:
    """Feedback events and the profiles folded from them."""

    def __init__(self, *, settings: Settings, storage: Store, clock: Clock, members: Members,
                 profiles: ProfileRefresher, feed_cache: FeedCache, mail: AccountMail) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._members = members
        self._profiles = profiles
        self._feed_cache = feed_cache
        self._mail = mail

    # ------------------------------------------------------------------ recording

    def record(self, email: str, item_id: int, kind: str, *, value: float | None = None,
               note: str | None = None, to_email: str | None = None, at: datetime | None = None,
               dedupe_key: str | None = None) -> bool:
        """Store one feedback event of the member with ``email``. Returns False (and stores
        nothing) for a view/click of a member without tracking consent. Raises NotFound if the
        item does not exist or the member may not see it (the same message, so existence is not
        revealed), InvalidInput for a bad kind/value, AccessDenied when sending to someone who
        may not see the item."""
        return self._store(self._members.get(email), item_id, kind, value=value, note=note, to_email=to_email,
                           at=at, dedupe_key=dedupe_key)

    def _store(self, member: Member, item_id: int, kind: str, *, value: float | None = None,
               note: str | None = None, to_email: str | None = None, at: datetime | None = None,
               dedupe_key: str | None = None) -> bool:
        event = self._event(member, item_id, kind, value, note, to_email, at)
        if event is None:
            return False
        stored, _ = self._storage.add_feedback([(event, dedupe_key)])
        return stored > 0

    def _event(self, member: Member, item_id: int, kind: str, value: float | None, note: str | None,
               to_email: str | None, at: datetime | None) -> FeedbackEvent | None:
        """The event to store, or None when it must not be stored (no tracking consent)."""
        value = checked_value(kind, value)
        item = self._members.item_visible_to(member, item_id)
        to_id = None
        if kind == "send":
            if not to_email:
                raise InvalidInput("sending an item needs the recipient's email")
            recipient = self._members.get(to_email)
            if not can_see(recipient, item.visibility):
                raise AccessDenied("this item cannot be sent to that member")
            to_id = recipient.id
        if not counts_for(kind, member.tracking_consent):
            return None
        return FeedbackEvent(member_id=member.id, item_id=item.id, kind=kind,  # type: ignore[arg-type]
                             at=at or self._clock.now(), value=value,
                             note=(note or "").strip()[:MAX_NOTE] or None, to_member_id=to_id)

    def import_jsonl(self, lines: Iterable[str]) -> FeedbackImportResult:
        """Load feedback history: one JSON object per line, ``{"member", "item", "kind",
        "value"?, "at", "to"?, "note"?}``; ``item`` names the item as :meth:`_resolve_item` reads it
        (an item id, an item key, the id an article archive gave it, or its URL). Re-importing the
        same lines stores nothing twice. Views/clicks of members without tracking consent are
        dropped and counted. Bad lines are reported by number; the others are stored."""
        now = self._clock.now()
        members: dict[str, Member] = {}
        item_refs: dict[str, int] = {}

        def parse(obj: dict[str, Any]) -> tuple[FeedbackEvent, str] | None:
            if not str(obj.get("member") or "").strip():
                raise InvalidInput("field 'member' (an email) is missing")
            email = normalise_email(str(obj["member"]))  # the form members are stored in
            if email not in members:
                members[email] = self._members.get(email)
            ref = obj.get("item")
            if ref is None or str(ref).strip() == "":
                raise InvalidInput("field 'item' is missing")
            if str(ref) not in item_refs:
                item_refs[str(ref)] = self._resolve_item(ref)
            item_id = item_refs[str(ref)]
            at = parse_iso_time(obj.get("at"), now, "at") if obj.get("at") else now
            value = obj.get("value")
            to = obj.get("to")
            ev = self._event(members[email], item_id, str(obj.get("kind") or ""),
                             None if value is None else float(value), obj.get("note"),
                             normalise_email(str(to)) if to else None, at)
            if ev is None:
                return None
            dedupe = hashlib.sha256(json.dumps([email, item_id, ev.kind, ev.value, ev.at.isoformat(), to],
                                               sort_keys=True).encode()).hexdigest()
            return ev, dedupe

        read = read_jsonl(lines, parse, line_errors=(ValueError, TypeError, InvalidInput, NotFound, AccessDenied))
        stored, dupes = self._storage.add_feedback([v for _, v in read.values])
        return FeedbackImportResult(stored, read.skipped, dupes, read.errors)

    def _resolve_item(self, ref: Any) -> int:
        """The id of the item a feedback line's ``item`` names, tried in this order:

        * a number (JSON, or digits in text): curator's item id, or the id an article archive gave
          the item (its key ``import:<id>``, see :func:`curator.ingest.jsonl.parse_archive`); when
          both exist and are different items the line is refused as ambiguous (InvalidInput), and
          the message gives each item's key, which names it without doubt;
        * other text: an item key (``import:bbc-business-232``, ``url:...``), a URL or canonical URL
          as stored, the id an archive gave it (``bbc-business-232``), then the URL in canonical
          form (tracking parameters do not matter; for feed items, whose key is their URL's
          identity, neither do ``www.`` and ``http``/``https``).

        Raises NotFound ("no item ...") when nothing matches."""
        if isinstance(ref, bool) or not isinstance(ref, int | str):
            raise InvalidInput("field 'item' must be an item id, an item key, an archive id or a URL")
        text = str(ref).strip()
        archived = self._storage.find_item(ARCHIVE_KEY_PREFIX + text)
        if text.isdigit():
            own = self._storage.get_items([int(text)])
            if own and archived is not None and own[0].id != archived:
                [imported] = self._storage.get_items([archived])
                raise InvalidInput(f"item '{text}' is ambiguous: it is the id of item {own[0].id} and the archive id "
                                   f"of item {archived}; write the key of the one you mean: "
                                   f"'{own[0].key}' or '{imported.key}'")
            found = own[0].id if own else archived
        else:
            found = self._storage.find_item(text) or archived
            canonical = canonical_url(text) if found is None else None
            if canonical is not None:
                found = self._storage.find_item(canonical) or self._storage.find_item(f"url:{url_identity(canonical)}")
        if found is None:
            raise NotFound(f"no item '{ref}' (give an item id, an item key, the id an archive gave it, or its URL)")
        return found

    # ------------------------------------------------------------------ profiles

    def refresh_profiles(self, members: Sequence[Member] | None = None) -> int:
        """Bring the stored profiles of ``members`` (None: every member) up to date, incrementally:
        only feedback events newer than a profile's last folded event are added (with exact time
        decay); the declared-interest vector is re-encoded only when the member's text changed; a
        change of encoder rebuilds. Returns how many profiles were written."""
        return self._profiles.refresh(members)

    # ------------------------------------------------------------------ the member area

    def give(self, user: WebUser, item_id: int, kind: str, *, value: float | None = None) -> bool:
        """Rate, save, hide, more or less like this (or a tracked view/click) from the web.
        NotFound for items the member may not see; AccessDenied for accounts without a member
        record; InvalidInput for another action. Returns whether an event was stored."""
        member = self._members.of_user(user)
        if member is None:
            raise AccessDenied("only members can rate and save items; your account is not linked to a member")
        if kind not in WEB_ACTIONS:
            raise InvalidInput(f"unknown action {kind!r}")
        self._members.item_visible_to(member, item_id)
        stored = self._store(member, int(item_id), kind, value=value)
        self._feed_cache.forget(member.id)
        return stored

    def of_member(self, member: Member | None) -> list[FeedbackEvent]:
        """Everything ``member`` did, oldest first (None: nothing)."""
        if member is None:
            return []
        return [f.event for f in self._storage.feedback([member.id])]

    def of_user(self, user: WebUser | None) -> list[FeedbackEvent]:
        """Everything the member behind ``user`` did, oldest first ([] without a member record)."""
        return self.of_member(self._members.of_user(user))

    # ------------------------------------------------------------------ sending to a colleague
    #
    # The page that sends an item is a search by name, never the member directory: no address is
    # shown, and an address the sender types is answered the same way whether it belongs to
    # nobody, to someone who may not see the item, or to someone who turned colleague mail off.

    def colleagues(self, user: WebUser, item_id: int, query: str) -> list[Colleague]:
        """Up to :data:`COLLEAGUE_SEARCH_LIMIT` people whose name contains ``query`` (any case)
        and who may receive item ``item_id`` from ``user`` (:meth:`share`): the sender's own
        organisation first, then by name. Empty for a query of fewer than
        :data:`COLLEAGUE_SEARCH_MIN` characters. AccessDenied unless ``user`` is a member of the
        cluster; NotFound if they may not see the item."""
        sender = self._sender(user)
        item = self._members.item_visible_to(sender, item_id)
        words = (query or "").strip().casefold()
        if len(words) < COLLEAGUE_SEARCH_MIN:
            return []
        may_receive = self._may_receive(item)
        people = [m for m in self._members.list() if m.id != sender.id and words in m.name.casefold() and may_receive(m)]
        org = (sender.organisation or "").strip().casefold()
        people.sort(key=lambda m: (0 if org and (m.organisation or "").strip().casefold() == org else 1,
                                   m.name.casefold(), m.id))
        return [Colleague(m.id, m.name, m.organisation) for m in people[:COLLEAGUE_SEARCH_LIMIT]]

    def share(self, user: WebUser, item_id: int, *, to_member: int | None = None, to_email: str | None = None,
              note: str = "") -> None:
        """Send an item with a note to one colleague, chosen by id (from :meth:`colleagues`) or by
        an address the sender knows: stored as a ``send`` and emailed, From "<sender> via
        <cluster>" with a Reply-To to the sender.

        Only a member of the cluster may send (AccessDenied for registered users and accounts
        without a member record); NotFound if the sender may not see the item, and NotFound with
        one message for every colleague who cannot receive it (unknown, not a member, may not see
        the item, colleague mail turned off, unsubscribed from the newsletter), so an address
        reveals nothing. InvalidInput for oneself or for not exactly one choice. RateLimited after
        :data:`COLLEAGUE_MAILS_PER_DAY` sends in a day. Nothing is stored or sent on any error."""
        sender = self._sender(user)
        item = self._members.item_visible_to(sender, item_id)
        recipient = self._recipient(sender, to_member, to_email)
        if recipient is None or not self._may_receive(item)(recipient):
            raise NotFound(NO_SUCH_COLLEAGUE)
        now = self._clock.now()
        if not self._storage.reserve_attempt(f"colleague-mail:{sender.id}", limit=COLLEAGUE_MAILS_PER_DAY, now=now,
                                             window=timedelta(days=1)):
            raise RateLimited(f"you have sent {COLLEAGUE_MAILS_PER_DAY} items to colleagues today, the most one "
                              "may send in a day; try again tomorrow", COLLEAGUE_MAILS_PER_DAY)
        note = (note or "").strip()[:MAX_SHARE_NOTE]
        self._store(sender, item.id, "send", note=note or None, to_email=recipient.email, at=now)
        self._feed_cache.forget(sender.id)
        base = self._settings.base_url.rstrip("/")
        subject, text = colleague_mail(recipient.language, sender_name=sender.name,
                                       sender_organisation=sender.organisation, item_title=item.title,
                                       item_url=f"{base}/items/{item.id}", note=note,
                                       preferences_url=f"{base}/me/preferences")
        self._mail.send(recipient.email, subject, text, on_behalf_of=sender.name, reply_to=sender.email)

    def _sender(self, user: WebUser) -> Member:
        """The member behind ``user`` if they may send items to colleagues, else AccessDenied."""
        member = self._members.of_user(user)
        if member is None or member.status != "member":
            raise AccessDenied("only members of the cluster can send items to colleagues")
        return member

    def _recipient(self, sender: Member, to_member: int | None, to_email: str | None) -> Member | None:
        """The member chosen by id or address (None: nobody has it). InvalidInput for oneself, a
        malformed address, or when not exactly one of the two is given."""
        typed = (to_email or "").strip()
        if (to_member is None) == (not typed):
            raise InvalidInput("choose one colleague: by name, or by typing their address")
        address = normalise_email(typed) if typed else ""
        if address == sender.email or to_member == sender.id:
            raise InvalidInput("choose a colleague, not yourself")
        if to_member is not None:
            found = self._storage.get_members_by_id([to_member])
            return found[0] if found else None
        try:
            return self._members.get(address)
        except NotFound:
            return None

    def _may_receive(self, item: Item) -> Callable[[Member], bool]:
        """Whether a member may be sent ``item`` by a colleague: a member of the cluster (not a
        registered user) who may see it, accepts colleague mail, and is not unsubscribed from
        (or bounced by) the newsletter."""
        mailboxes, member_ids = self._storage.suppressed_keys(NEWSLETTER_SCOPE)

        def check(m: Member) -> bool:
            return (m.status == "member" and m.colleague_mail and can_see(m, item.visibility)
                    and email_key(m.email) not in mailboxes and m.id not in member_ids)

        return check
