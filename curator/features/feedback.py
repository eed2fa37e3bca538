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
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from curator.clock import Clock, parse_iso_time
from curator.config import Settings
from curator.errors import AccessDenied, InvalidInput, NotFound
from curator.ingest.jsonl import read_jsonl
from curator.profiles.access import can_see
from curator.profiles.feedback import checked_value, counts_for
from curator.storage import Storage
from curator.types import FeedbackEvent, FeedbackImportResult, Item, Member, WebUser

from .feed_cache import FeedCache
from .members import Members
from .profile_refresh import ProfileRefresher

if TYPE_CHECKING:
    from curator.accounts import AccountMail

WEB_ACTIONS = ("rating", "save", "hide", "more", "less", "view", "click")
"""What the web and the API may record (a send goes through :meth:`Feedback.share`)."""
MAX_NOTE = 2000
MAX_SHARE_NOTE = 1000


class Feedback:
    """Feedback events and the profiles folded from them."""

    def __init__(self, *, settings: Settings, storage: Storage, clock: Clock, members: Members,
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
        "value"?, "at", "to"?, "note"?}``; ``item`` is an item id or an item key/URL. Re-importing
        the same lines stores nothing twice. Views/clicks of members without tracking consent are
        dropped and counted. Bad lines are reported by number; the others are stored."""
        now = self._clock.now()
        members: dict[str, Member] = {}
        item_refs: dict[str, int | None] = {}

        def parse(obj: dict[str, Any]) -> tuple[FeedbackEvent, str] | None:
            email = str(obj.get("member") or "").strip().lower()
            if not email:
                raise InvalidInput("field 'member' (an email) is missing")
            if email not in members:
                members[email] = self._members.get(email)
            ref = obj.get("item")
            if ref is None or str(ref).strip() == "":
                raise InvalidInput("field 'item' is missing")
            if str(ref) not in item_refs:
                item_refs[str(ref)] = self._resolve_item(ref)
            item_id = item_refs[str(ref)]
            if item_id is None:
                raise NotFound(f"no item '{ref}'")
            at = parse_iso_time(obj.get("at"), now, "at") if obj.get("at") else now
            value = obj.get("value")
            ev = self._event(members[email], item_id, str(obj.get("kind") or ""),
                             None if value is None else float(value), obj.get("note"), obj.get("to"), at)
            if ev is None:
                return None
            dedupe = hashlib.sha256(json.dumps([email, item_id, ev.kind, ev.value, ev.at.isoformat(), obj.get("to")],
                                               sort_keys=True).encode()).hexdigest()
            return ev, dedupe

        read = read_jsonl(lines, parse, line_errors=(ValueError, TypeError, InvalidInput, NotFound, AccessDenied))
        stored, dupes = self._storage.add_feedback([v for _, v in read.values])
        return FeedbackImportResult(stored, read.skipped, dupes, read.errors)

    def _resolve_item(self, ref: Any) -> int | None:
        """An item id given as a number, or the id of the item with that key or URL (None: none)."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
            return int(ref)
        return self._storage.find_item(str(ref).strip())

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

    def colleagues(self, user: WebUser, item: Item | None = None) -> list[Member]:
        """Members ``user`` can send an item to: people of the same organisation first, then the
        others by name; only people who may see ``item``."""
        me = self._members.of_user(user)
        people = [m for m in self._members.list() if me is None or m.id != me.id]
        if item is not None:
            people = [m for m in people if can_see(m, item.visibility)]
        org = (me.organisation or "").strip().lower() if me else ""
        return sorted(people, key=lambda m: (0 if org and (m.organisation or "").strip().lower() == org else 1,
                                             m.name.lower(), m.id))

    def share(self, user: WebUser, item_id: int, to_email: str, note: str = "") -> None:
        """Send an item to another member with a note: stored as feedback and emailed to the
        colleague. NotFound if the sender may not see the item or the colleague does not exist;
        AccessDenied if the colleague may not see it or the account has no member record;
        InvalidInput when sending to oneself (nothing is stored or sent)."""
        member = self._members.of_user(user)
        if member is None:
            raise AccessDenied("only members can send items to colleagues")
        item = self._members.item_visible_to(member, item_id)
        note = (note or "").strip()[:MAX_SHARE_NOTE]
        to_email = (to_email or "").strip().lower()
        if to_email == member.email.lower():
            raise InvalidInput("choose a colleague, not yourself")
        recipient = self._members.get(to_email)
        self._store(member, item.id, "send", note=note or None, to_email=recipient.email)
        self._feed_cache.forget(member.id)
        subject, text = shared_item_mail(member, recipient, item, note, self._settings.base_url)
        self._mail.send(recipient.email, subject, text)


def shared_item_mail(sender: Member, recipient: Member, item: Item, note: str, base_url: str) -> tuple[str, str]:
    """(subject, plain-text body) of the mail telling ``recipient`` that ``sender`` sent them
    ``item``, in the recipient's language (German for "de", else English)."""
    de = recipient.language == "de"
    subject = f"{sender.name} empfiehlt: {item.title}" if de else f"{sender.name} recommends: {item.title}"
    lines = [f"{sender.name} ({sender.organisation or '-'})" + (" schickt Ihnen einen Artikel." if de else
                                                                " sent you an article."), "",
             item.title, f"{base_url.rstrip('/')}/items/{item.id}", ""]
    if note:
        lines += [("Notiz: " if de else "Note: ") + note, ""]
    return subject, "\n".join(lines)
