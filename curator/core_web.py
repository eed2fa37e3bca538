"""Facade methods for the web member area and editor console: accounts, roles, sessions,
sign-in links, API tokens, member pages and editor tools (issue 6). Mixed into
``curator.core.Curator``.

Access: which items a person may see comes ONLY from :func:`curator.profiles.access.visible_to`
applied to their member record (an editor or admin without a member record sees public items in
the member area; the editor console is the only place that lists everything). Everything that
returns an item for a person goes through :meth:`WebFacade.visible_item` or filters with the same
rule.

Secrets: sign-in tokens, session ids and API tokens are random values of 32 bytes; the database
holds only their SHA-256 hashes. Passwords are hashed with argon2id.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Any

from .errors import AccessDenied, CuratorError, InvalidInput, NotFound
from .types import AREA_IDS, ApiToken, Item, Member, MemberPost, ScoredItem, WebUser

if TYPE_CHECKING:
    from .clock import Clock
    from .config import Settings
    from .delivery import Sender, TokenSigner
    from .storage import Storage
    from .storage.web import WebStore

log = logging.getLogger("curator.web")

SIGNIN_LINK_MINUTES = 20
SIGNIN_PURPOSE = "login"
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_PER_ACCOUNT = 5
"""Failed password attempts per email per window before sign-in is refused for that email."""
THROTTLE_PER_CLIENT = 30
"""Sign-in attempts (any email) per client address per window."""
LINKS_PER_EMAIL = 3
"""Sign-in links sent per email per window (stops mail bombing someone's inbox)."""
FEED_CACHE_SECONDS = 300
"""A member's ranked feed is reused this long (keyed by member AND their visible set, W08)."""
MAX_FEED_BATCH = 2000
"""At most this many members are ranked in one batch on a cache miss."""
RSS_SALT = "curator-web-rss"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


_DUMMY_HASH: str | None = None


class WebFacade:
    """Accounts, sessions, the member area and editor tools of the web app."""

    if TYPE_CHECKING:
        settings: Settings
        storage: Storage
        clock: Clock

        @property
        def token_signer(self) -> TokenSigner: ...

        def member(self, email: str) -> Member: ...
        def members(self) -> list[Member]: ...
        def recommend(self, email: str, limit: int = 10) -> list[ScoredItem]: ...
        def recommend_many(self, emails: Sequence[str] | None = None, limit: int = 10) -> dict[str, list[ScoredItem]]: ...
        def record_feedback(self, email: str, item_id: int, kind: str, *, value: float | None = None,
                            note: str | None = None, to_email: str | None = None, at: datetime | None = None,
                            dedupe_key: str | None = None) -> bool: ...
        def set_tracking_consent(self, email: str, consent: bool) -> Member: ...
        def default_sender(self) -> Sender: ...
        def submit_post(self, *, title: str, text: str, author_name: str, author_email: str | None = None,
                        organisation: str | None = None, link: str | None = None, lang: str | None = None,
                        visibility: str = "members") -> MemberPost: ...
        def posts(self, status: str | None = None, limit: int = 100) -> list[MemberPost]: ...
        def sources(self) -> Any: ...
        def sync_sources(self, sources: Any = None) -> tuple[int, int, int]: ...

    account_sender: Sender | None = None
    """Injected transport for account mail (sign-in links, "sent to you" notes); None means the
    newsletter capability's ``default_sender()`` (SMTP settings, or the outbox folder)."""

    # ------------------------------------------------------------------ plumbing

    @property
    def web_store(self) -> WebStore:
        store = self.__dict__.get("_web_store")
        if store is None:
            from .storage.web import WebStore

            store = self.__dict__["_web_store"] = WebStore(self.storage)
        return store

    def _feed_cache(self) -> tuple[threading.Lock, dict[Any, tuple[datetime, list[ScoredItem]]]]:
        cache = self.__dict__.get("_web_feed_cache")
        if cache is None:
            cache = self.__dict__["_web_feed_cache"] = (threading.Lock(), {})
        return cache

    def forget_feed(self, member_id: int | None = None) -> None:
        """Drop cached ranked feeds (of one member, or all)."""
        lock, cache = self._feed_cache()
        with lock:
            for key in [k for k in cache if member_id is None or k[0] == member_id]:
                del cache[key]

    # ------------------------------------------------------------------ accounts

    def web_user(self, user_id: int) -> WebUser | None:
        return self.web_store.user_by_id(user_id)

    def web_user_by_email(self, email: str) -> WebUser | None:
        return self.web_store.user_by_email(email)

    def web_users(self) -> list[WebUser]:
        return self.web_store.list_users()

    def create_web_user(self, email: str, *, role: str = "member", password: str | None = None) -> WebUser:
        """Create (or find) the account for ``email`` and give it ``role``. It is linked to the
        member record with the same email, if one exists. ``password`` (optional, at least 10
        characters) enables password sign-in besides the emailed link."""
        email = _check_email(email)
        now = self.clock.now()
        user, _ = self.web_store.ensure_user(email, now=now, role=role,
                                             member_id=self.web_store.member_id_for_email(email))
        if user.role != role:
            user = self.set_web_role(email, role)
        if password is not None:
            self.set_password(email, password)
            user = self.web_store.user_by_id(user.id) or user
        return user

    def set_web_role(self, email: str, role: str) -> WebUser:
        """Change an account's role. Its sessions are rotated on their next request (W02)."""
        user = self.web_store.user_by_email(email)
        if user is None:
            raise NotFound(f"no web account for {email!r}; create it with `curator users create`")
        return self.web_store.set_role(user.id, role, self.clock.now())

    def set_password(self, email: str, password: str) -> None:
        """Set a new password and sign the account out everywhere (W03)."""
        from argon2 import PasswordHasher

        if len(password or "") < 10:
            raise InvalidInput("the password must be at least 10 characters long")
        user = self.web_store.user_by_email(email)
        if user is None:
            raise NotFound(f"no web account for {email!r}")
        self.web_store.set_password_hash(user.id, PasswordHasher().hash(password), self.clock.now())

    def check_password(self, email: str, password: str) -> WebUser | None:
        """The account if ``password`` is right. Takes about the same time whether or not the
        account exists (a dummy hash is verified otherwise), so timing reveals nothing (W05)."""
        from argon2 import PasswordHasher
        from argon2.exceptions import Argon2Error, InvalidHashError

        global _DUMMY_HASH
        hasher = PasswordHasher()
        if _DUMMY_HASH is None:
            _DUMMY_HASH = str(hasher.hash(secrets.token_hex(16)))
        user = self.web_store.user_by_email(email or "") if email else None
        stored = self.web_store.password_hash(user.id) if user is not None else None
        verified = False
        try:
            verified = bool(hasher.verify(stored or _DUMMY_HASH, password or ""))
        except (Argon2Error, InvalidHashError):
            verified = False
        ok = verified
        if not ok or user is None or stored is None or user.disabled:
            return None
        return user

    def purge_web_state(self) -> int:
        """Delete expired sessions and sign-in links and old throttle counters (safe to run at any
        time, also from two processes). Returns how many sessions and links were deleted."""
        return self.web_store.purge_expired(self.clock.now())

    # ------------------------------------------------------------------ throttling

    def throttle_hit(self, key: str) -> int:
        return self.web_store.hit(key, self.clock.now(), THROTTLE_WINDOW)

    def throttled(self, key: str, limit: int) -> bool:
        return self.web_store.attempts(key, self.clock.now(), THROTTLE_WINDOW) >= limit

    def throttle_clear(self, key: str) -> None:
        self.web_store.clear(key)

    # ------------------------------------------------------------------ sign-in links

    def request_signin_link(self, email: str, *, base_url: str | None = None, lang: str = "en") -> None:
        """Email a single-use sign-in link valid for 20 minutes, if ``email`` belongs to a member
        or an account; otherwise do nothing. The caller answers the same way in both cases (W05).
        At most three links per email per 15 minutes."""
        try:
            email = _check_email(email)
        except InvalidInput:
            return
        if self.throttle_hit(f"link:{email}") > LINKS_PER_EMAIL:
            return
        known = self.web_store.user_by_email(email) is not None or self.web_store.member_id_for_email(email)
        if not known:
            return
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        self.web_store.add_signin_token(_hash(token), email, SIGNIN_PURPOSE, now,
                                        now + timedelta(minutes=SIGNIN_LINK_MINUTES))
        url = f"{(base_url or self.settings.base_url).rstrip('/')}/auth/link/{token}"
        texts = {
            "en": ("Your sign-in link", f"Hello,\n\nopen this link to sign in to the member area "
                   f"(valid for {SIGNIN_LINK_MINUTES} minutes, once):\n\n{url}\n\nIf you did not ask for it, "
                   "ignore this email; nobody can sign in without the link.\n"),
            "de": ("Ihr Anmeldelink", f"Guten Tag,\n\nmit diesem Link melden Sie sich im Mitgliederbereich an "
                   f"(gültig {SIGNIN_LINK_MINUTES} Minuten, einmal):\n\n{url}\n\nWenn Sie ihn nicht angefordert "
                   "haben, ignorieren Sie diese E-Mail.\n"),
        }
        subject, body = texts.get(lang, texts["en"])
        self.send_account_mail(email, subject, body)

    def signin_link_email(self, token: str) -> str | None:
        """The email a sign-in link is for, if it is still usable (changes nothing: link scanners
        may open it)."""
        if not token or len(token) > 200:
            return None
        return self.web_store.peek_signin_token(_hash(token), SIGNIN_PURPOSE, self.clock.now())

    def signin_with_link(self, token: str) -> WebUser | None:
        """Use a sign-in link (once). Creates the member account on first use. None for every kind
        of bad link (unknown, used, expired), so callers answer all alike."""
        if not token or len(token) > 200:
            return None
        email = self.web_store.use_signin_token(_hash(token), SIGNIN_PURPOSE, self.clock.now())
        if email is None:
            return None
        user, _ = self.web_store.ensure_user(email, now=self.clock.now(), role="member",
                                             member_id=self.web_store.member_id_for_email(email))
        return None if user.disabled else user

    def send_account_mail(self, to_email: str, subject: str, text: str) -> bool:
        """Send one transactional email (not a newsletter: no list headers, not suppressed by a
        newsletter unsubscribe, U10). Returns whether the transport accepted it."""
        from .delivery.message import check_address, header_text, split_from

        from_name, from_addr = split_from(self.settings.mail_from)
        msg = EmailMessage(policy=SMTP)
        msg["From"] = Address(display_name=from_name, addr_spec=from_addr)
        msg["To"] = Address(addr_spec=check_address(to_email, "recipient address"))
        msg["Subject"] = header_text(subject, 200)
        msg["Date"] = format_datetime(self.clock.now())
        message_id = make_msgid(domain=from_addr.rsplit("@", 1)[1])
        msg["Message-ID"] = message_id
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(text)
        sender = self.account_sender or self.default_sender()
        try:
            outcome = sender.send(from_addr, to_email, msg.as_bytes(policy=SMTP), message_id)
        except CuratorError as exc:
            log.error("account mail to %s failed: %s", to_email, exc)
            return False
        finally:
            if self.account_sender is None:
                sender.close()
        if outcome.kind != "sent":
            log.error("account mail to %s not sent: %s %s", to_email, outcome.kind, outcome.detail)
        return outcome.kind == "sent"

    # ------------------------------------------------------------------ API tokens

    def create_api_token(self, user_id: int, name: str) -> tuple[ApiToken, str]:
        """A new bearer token for the JSON API; the secret is returned once and never stored."""
        secret = "cur_" + secrets.token_urlsafe(32)
        return self.web_store.add_api_token(user_id, _hash(secret), (name or "token").strip() or "token",
                                            self.clock.now()), secret

    def api_user(self, bearer: str) -> WebUser | None:
        if not bearer or len(bearer) > 200:
            return None
        found = self.web_store.api_token_user(_hash(bearer))
        return None if found is None or found[1].disabled else found[1]

    def api_tokens(self, user_id: int) -> list[ApiToken]:
        return self.web_store.api_tokens(user_id)

    def revoke_api_token(self, user_id: int, token_id: int) -> bool:
        return self.web_store.revoke_api_token(user_id, token_id, self.clock.now())

    # ------------------------------------------------------------------ who sees what

    def member_of(self, user: WebUser | None) -> Member | None:
        """The member record behind an account (None: anonymous, or an account without one)."""
        if user is None or user.member_id is None:
            return None
        from .storage.members import MemberStore

        found = MemberStore(self.storage).get_members_by_id([user.member_id])
        return found[0] if found else None

    def visible_set(self, user: WebUser | None) -> frozenset[str]:
        """What ``user`` may see in the member area: THE access rule on their member record."""
        from .profiles.access import visible_to

        return visible_to(self.member_of(user))

    def visible_item(self, user: WebUser | None, item_id: int) -> Item:
        """The item if ``user`` may see it; NotFound with the same message otherwise (W07)."""
        from .profiles.access import can_see

        try:
            item = self.storage.get_item(int(item_id))
        except (NotFound, ValueError, OverflowError):
            raise NotFound(f"no item with id {item_id}") from None
        if not can_see(self.member_of(user), item.visibility):
            raise NotFound(f"no item with id {item_id}")
        return item

    def browse_items(self, user: WebUser | None, *, area: str | None = None, lang: str | None = None,
                     limit: int = 30, offset: int = 0, search: str | None = None) -> list[Item]:
        """Newest items ``user`` may see (the public list, and the fallback feed)."""
        from .storage import ItemQuery

        return self.storage.list_items(ItemQuery(limit=limit, offset=offset, area=area or None, lang=lang or None,
                                                 visible_to=self.visible_set(user), search=search or None))

    def member_feed(self, user: WebUser, *, area: str | None = None, lang: str | None = None,
                    limit: int = 30, member: Member | None | bool = False) -> list[ScoredItem]:
        """The personal ranked feed with a "why you see this" per item, filtered by area and
        language. Members only; anyone else gets the newest public items. Cached for a few
        minutes per (member, visible set), dropped when the member gives feedback. ``member`` may
        pass the caller's already loaded member record (False: load it)."""
        from .profiles.access import visible_to

        if member is False:
            member = self.member_of(user)
        assert member is not True
        visible = visible_to(member)
        ranked: list[ScoredItem] | None = None
        if member is not None and member.status == "member":
            ranked = self._ranked_feed(member, visible)
        out: list[ScoredItem] = []
        if ranked:
            for s in ranked:
                if s.item.visibility not in visible:  # the same rule again: cache or ranking bugs never leak
                    continue
                if area and area not in s.item.areas:
                    continue
                if lang and s.item.lang != lang:
                    continue
                out.append(s)
        if len(out) < limit:
            from .storage import ItemQuery

            seen = {s.item.id for s in out}
            hidden = self.hidden_item_ids(user)
            lang_code = (member.language if member else "en")
            why = "Neu" if lang_code == "de" else "New"
            for item in self.storage.list_items(ItemQuery(limit=limit * 2, area=area or None, lang=lang or None,
                                                          visible_to=visible)):
                if item.id not in seen and item.id not in hidden:
                    out.append(ScoredItem(item, 0.0, {}, why))
        return out[:limit]

    def _ranked_feed(self, member: Member, visible: frozenset[str]) -> list[ScoredItem] | None:
        """The member's ranking from the cache, or computed. One ranking run at a time: a miss
        ranks every signed-up member whose entry is missing or stale in ONE batch (a ranking run
        loads all candidates and profiles, so fifty separate runs after a restart would cost fifty
        times as much as one batch). None if ranking is unavailable."""
        from .profiles.access import visible_to

        lock, cache = self._feed_cache()
        now = self.clock.now()
        with lock:
            hit = cache.get((member.id, visible))
        if hit is not None and hit[0] > now:
            return hit[1]
        ranking_lock: threading.Lock = self.__dict__.setdefault("_web_ranking_lock", threading.Lock())
        with ranking_lock:
            now = self.clock.now()
            with lock:
                hit = cache.get((member.id, visible))
                fresh = {k[0] for k, v in cache.items() if v[0] > now}
            if hit is not None and hit[0] > now:  # ranked by the batch we waited for
                return hit[1]
            web_members = {u.member_id for u in self.web_store.list_users() if u.member_id is not None}
            todo = [m for m in self.members() if m.status == "member" and m.id in web_members and m.id not in fresh
                    and m.id != member.id][:MAX_FEED_BATCH - 1] + [member]
            try:
                ranked = self.recommend_many([m.email for m in todo], 100)
            except CuratorError as exc:
                log.warning("ranking unavailable for member %s: %s", member.id, exc)
                return None
            until = now + timedelta(seconds=FEED_CACHE_SECONDS)
            with lock:
                for m in todo:
                    if m.email in ranked:
                        # keyed by what the member may see at ranking time (W08)
                        cache[(m.id, visible_to(m) if m.id != member.id else visible)] = (until, ranked[m.email])
            return ranked.get(member.email.strip().lower(), ranked.get(member.email))

    def hidden_item_ids(self, user: WebUser | None) -> set[int]:
        return {e.item_id for e in self.my_feedback(user) if e.kind == "hide"}

    def my_feedback(self, user: WebUser | None) -> list[Any]:
        member = self.member_of(user)
        if member is None:
            return []
        from .storage.members import MemberStore

        return [f.event for f in MemberStore(self.storage).feedback([member.id])]

    def saved_items(self, user: WebUser) -> list[Item]:
        """Items the member saved and may still see, newest save first."""
        visible = self.visible_set(user)
        ids = [e.item_id for e in sorted(self.my_feedback(user), key=lambda e: e.id, reverse=True) if e.kind == "save"]
        seen: list[int] = []
        for i in ids:
            if i not in seen:
                seen.append(i)
        return [i for i in self.storage.get_items(seen) if i.visibility in visible]

    def give_feedback(self, user: WebUser, item_id: int, kind: str, *, value: float | None = None) -> bool:
        """Rate, save, hide, more or less like this, from the web. NotFound for items the member
        may not see; AccessDenied for accounts without a member record."""
        member = self.member_of(user)
        if member is None:
            raise AccessDenied("only members can rate and save items; your account is not linked to a member")
        if kind not in ("rating", "save", "hide", "more", "less", "view", "click"):
            raise InvalidInput(f"unknown action {kind!r}")
        self.visible_item(user, item_id)
        stored = self.record_feedback(member.email, int(item_id), kind, value=value)
        self.forget_feed(member.id)
        return stored

    def colleagues(self, user: WebUser, item: Item | None = None) -> list[Member]:
        """Members ``user`` can send an item to: people of the same organisation first, then the
        others by name; only people who may see ``item``."""
        from .profiles.access import can_see

        me = self.member_of(user)
        people = [m for m in self.members() if me is None or m.id != me.id]
        if item is not None:
            people = [m for m in people if can_see(m, item.visibility)]
        org = (me.organisation or "").strip().lower() if me else ""
        return sorted(people, key=lambda m: (0 if org and (m.organisation or "").strip().lower() == org else 1,
                                             m.name.lower(), m.id))

    def send_item(self, user: WebUser, item_id: int, to_email: str, note: str = "") -> None:
        """Send an item to another member with a note: stored as feedback and emailed to the
        colleague. NotFound if the sender may not see the item or the colleague does not exist;
        AccessDenied if the colleague may not see it (nothing is stored or sent)."""
        member = self.member_of(user)
        if member is None:
            raise AccessDenied("only members can send items to colleagues")
        item = self.visible_item(user, item_id)
        note = (note or "").strip()[:1000]
        to_email = (to_email or "").strip().lower()
        if to_email == member.email.lower():
            raise InvalidInput("choose a colleague, not yourself")
        recipient = self.member(to_email)
        self.record_feedback(member.email, item.id, "send", note=note or None, to_email=recipient.email)
        self.forget_feed(member.id)
        base = self.settings.base_url.rstrip("/")
        de = recipient.language == "de"
        subject = (f"{member.name} empfiehlt: {item.title}" if de else f"{member.name} recommends: {item.title}")
        lines = [f"{member.name} ({member.organisation or '-'})" + (" schickt Ihnen einen Artikel." if de else
                                                                    " sent you an article."), "",
                 item.title, f"{base}/items/{item.id}", ""]
        if note:
            lines += [("Notiz: " if de else "Note: ") + note, ""]
        self.send_account_mail(recipient.email, subject, "\n".join(lines))

    # ------------------------------------------------------------------ preferences and own data

    def update_preferences(self, user: WebUser, *, language: str, areas: Sequence[str], interests: str,
                           digest_frequency: str, tracking_consent: bool) -> Member | None:
        """Save the member's own preferences. Clubs, persona and membership are never changed here
        (an editor grants clubs)."""
        if language not in ("de", "en"):
            raise InvalidInput("language must be de or en")
        bad = [a for a in areas if a not in AREA_IDS]
        if bad:
            raise InvalidInput(f"unknown area(s) {', '.join(bad)}; areas are {', '.join(AREA_IDS)}")
        if len(interests or "") > 2000:
            raise InvalidInput("interests are limited to 2,000 characters")
        now = self.clock.now()
        self.web_store.set_digest_frequency(user.id, digest_frequency, now)
        member = self.member_of(user)
        if member is None:
            return None
        fn = getattr(self, "update_member_preferences", None)
        if callable(fn):  # issue 4's method, once it exists
            fn(member.email, language=language, declared_areas=tuple(areas), interests=interests.strip())
        else:
            from .storage.members import MemberStore
            from .types import MemberRecord

            rec = MemberRecord(email=member.email, name=member.name, organisation=member.organisation,
                               language=language, clubs=(), declared_areas=tuple(a for a in AREA_IDS if a in areas),
                               interests=(interests or "").strip(), persona=member.persona,
                               tracking_consent=member.tracking_consent, membership=member.status)
            MemberStore(self.storage).upsert_member(rec, now)
        if tracking_consent != member.tracking_consent:
            self.set_tracking_consent(member.email, tracking_consent)
        self.forget_feed(member.id)
        return self.member_of(user)

    def export_my_data(self, user: WebUser) -> dict[str, Any]:
        """Everything stored about the signed-in person, as JSON-ready data (Art. 15/20, T05):
        account, member record, clubs, consent, newsletter status, feedback (ratings, saves,
        sends, clicks...), posts. Nothing about anyone else: a send lists only the colleague's id."""
        member = self.member_of(user)
        out: dict[str, Any] = {
            "format": "curator-member-export/1",
            "exported_at": self.clock.now().isoformat(),
            "account": {"email": user.email, "role": user.role, "created_at": user.created_at.isoformat(),
                        "digest_frequency": user.digest_frequency, "password_set": user.has_password},
            "api_tokens": [{"name": t.name, "created_at": t.created_at.isoformat(),
                            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
                           for t in self.web_store.api_tokens(user.id)],
        }
        if member is not None:
            unsub = False
            fn = getattr(self, "is_unsubscribed", None)
            if callable(fn):
                unsub = bool(fn(member))
            out["member"] = {"id": member.id, "email": member.email, "name": member.name,
                             "organisation": member.organisation, "language": member.language,
                             "status": member.status, "persona": member.persona,
                             "declared_areas": list(member.declared_areas), "interests": member.interests}
            out["clubs"] = sorted(member.clubs)
            out["consent"] = {"tracking": member.tracking_consent}
            out["newsletter"] = {"unsubscribed": unsub}
            out["feedback"] = [{"item_id": e.item_id, "kind": e.kind, "value": e.value, "note": e.note,
                                "to_member_id": e.to_member_id, "at": e.at.isoformat()}
                               for e in self.my_feedback(user)]
        posts = set(self.web_store.posts_by_author(user.email))
        out["posts"] = [{"id": p.id, "title": p.title, "text": p.text, "link": p.link, "status": p.status,
                         "submitted_at": p.submitted_at.isoformat()}
                        for p in self.posts(None, 10_000) if p.id in posts]
        return out

    def erase_my_data(self, user: WebUser) -> None:
        """Delete the person: account, sessions, tokens and (through the members capability) the
        member record with clubs, feedback and profile; their posts lose name and email (T06)."""
        member = self.member_of(user)
        fn = getattr(self, "erase_member", None)
        if member is not None:
            self.forget_feed(member.id)
            if callable(fn):
                fn(member.email)
            else:
                self.web_store.erase_member_rows(member.id)
        self.web_store.erase_web_data(user.email, member.id if member else None)

    # ------------------------------------------------------------------ private RSS

    def rss_token(self, user: WebUser, *, renew: bool = False) -> str | None:
        """The member's private feed token (a new one if ``renew``; the old one stops working)."""
        from itsdangerous import URLSafeSerializer

        member = self.member_of(user)
        if member is None:
            raise AccessDenied("private feeds are for members")
        now = self.clock.now()
        version = self.web_store.new_rss_version(member.id, now) if renew else self.web_store.rss_version(member.id)
        if version is None:
            return None
        return str(URLSafeSerializer(self._web_secret(), salt=RSS_SALT).dumps({"m": member.id, "v": version}))

    def revoke_rss_token(self, user: WebUser) -> None:
        member = self.member_of(user)
        if member is not None:
            self.web_store.revoke_rss(member.id, self.clock.now())

    def rss_user(self, token: str) -> WebUser | None:
        """The account a private feed token belongs to, or None for any bad or revoked token."""
        from itsdangerous import BadData, URLSafeSerializer

        if not token or len(token) > 500:
            return None
        try:
            data = URLSafeSerializer(self._web_secret(), salt=RSS_SALT).loads(token)
        except BadData:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("m"), int) or not isinstance(data.get("v"), int):
            return None
        version = self.web_store.rss_version(data["m"])
        if version is None or not hmac.compare_digest(str(version), str(data["v"])):
            return None
        from .storage.members import MemberStore

        found = MemberStore(self.storage).get_members_by_id([data["m"]])
        if not found:
            return None
        user, _ = self.web_store.ensure_user(found[0].email, now=self.clock.now(), member_id=found[0].id)
        return user

    def _web_secret(self) -> str:
        key = self.settings.secret_key
        if not key or len(key) < 16:
            from .errors import ConfigError

            raise ConfigError("setting 'secret_key' must be at least 16 random characters; "
                              "e.g. CURATOR_SECRET_KEY=$(openssl rand -hex 32)")
        return key

    # ------------------------------------------------------------------ editor tools

    def add_source(self, url: str, *, title: str, visibility: str = "public", lang: str | None = None,
                   areas: Sequence[str] = ()) -> str:
        """Add a feed to feeds.yaml (the desired state) and load it. The URL is checked with the
        fetcher's rules (no private addresses, http/https only). Returns the new source id."""
        from pathlib import Path

        import yaml

        from .config import load_feeds_file
        from .ingest.fetch import check_url

        url = check_url(url, self.fetcher.policy)  # the same rules the collector applies
        title = (title or "").strip()
        if not title:
            raise InvalidInput("the source needs a title")
        if not re.fullmatch(r"public|members|club:[a-z0-9][a-z0-9-]{0,63}", visibility or ""):
            raise InvalidInput("visibility must be public, members or club:<club-id>")
        path = Path(self.settings.feeds_file)
        data: dict[str, Any] = {"sources": []}
        if path.exists():
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {"sources": []}
            data.setdefault("sources", [])
        existing = {s.get("id") for s in data["sources"] if isinstance(s, dict)}
        if any(isinstance(s, dict) and s.get("url") == url for s in data["sources"]):
            raise InvalidInput(f"{url} is already a source")
        base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50] or "source"
        sid, n = base, 2
        while sid in existing:
            sid, n = f"{base}-{n}", n + 1
        entry: dict[str, Any] = {"id": sid, "title": title, "url": url, "visibility": visibility}
        if lang in ("de", "en"):
            entry["lang"] = lang
        if areas:
            entry["areas"] = [a for a in areas if a in AREA_IDS]
        data["sources"].append(entry)
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        load_feeds_file(tmp)  # validate before replacing the editors' file
        tmp.replace(path)
        self.sync_sources()
        return sid

    def set_source_enabled(self, source_id: str, enabled: bool) -> None:
        """Enable or disable a source in feeds.yaml and apply it."""
        from pathlib import Path

        import yaml

        path = Path(self.settings.feeds_file)
        if not path.exists():
            raise NotFound(f"no source '{source_id}' in {path}")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in data.get("sources") or []:
            if isinstance(entry, dict) and entry.get("id") == source_id:
                entry["enabled"] = bool(enabled)
                break
        else:
            raise NotFound(f"no source '{source_id}' in {path}; only sources of feeds.yaml can be switched")
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        tmp.replace(path)
        self.sync_sources()

    def trends(self, weeks: int = 12) -> dict[str, Any]:
        """Items per area per week, and engagement (feedback events) per area per week and per
        persona, for the last ``weeks`` weeks."""
        since = self.clock.now() - timedelta(weeks=weeks)
        return {"items": self.web_store.trend_counts(since), "engagement": self.web_store.engagement_counts(since)}


def _check_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 320 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise InvalidInput(f"{email[:80]!r} is not an email address")
    return email
