"""Accounts of the web app: users and roles, passwords, sign-in links, sessions, API tokens,
throttling, private feed tokens, and a person's own data (export and erasure).

Loads and stores through :class:`curator.storage.Store`; every secret, hash, token and mail
is made by :mod:`curator.accounts`. Which items a person may see is not decided here: the
member behind an account comes from :meth:`Members.of_user`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from ..accounts import (
    LINKS_PER_EMAIL,
    MAX_RSS_TOKEN_LENGTH,
    SIGNIN_LINK_MINUTES,
    SIGNIN_PURPOSE,
    THROTTLE_PER_ACCOUNT,
    THROTTLE_PER_CLIENT,
    THROTTLE_WINDOW,
    AccountMail,
    check_email,
    check_new_password,
    check_secret_key,
    hash_password,
    hash_secret,
    new_api_token,
    new_session_id,
    new_signin_token,
    plausible_token,
    read_rss_token,
    sign_rss_token,
    signin_mail,
    verify_password,
)
from ..errors import AccessDenied, InvalidInput, NotFound
from ..types import ApiToken, WebSession, WebUser

if TYPE_CHECKING:
    from ..clock import Clock
    from ..config import Settings
    from ..storage import Store
    from .digests import Digests
    from .feedback import Feedback
    from .members import Members
    from .posts import Posts

EXPORT_FORMAT = "curator-member-export/1"
EXPORT_POSTS_LIMIT = 10_000


class Accounts:
    """``curator.accounts``: every account operation of the web app, the CLI and the API."""

    def __init__(self, *, settings: Settings, storage: Store, clock: Clock, mail: AccountMail,
                 members: Members, feedback: Feedback, posts: Posts, digests: Digests) -> None:
        self._settings = settings
        self._storage = storage
        self._clock = clock
        self._mail = mail
        self._members = members
        self._feedback = feedback
        self._posts = posts
        self._digests = digests

    # ------------------------------------------------------------------ users and roles

    def user(self, user_id: int) -> WebUser | None:
        """The account with this id, or None."""
        return self._storage.user_by_id(user_id)

    def user_by_email(self, email: str) -> WebUser | None:
        """The account of this email, or None."""
        return self._storage.user_by_email(email)

    def users(self) -> list[WebUser]:
        """Every account, oldest first."""
        return self._storage.list_users()

    def create(self, email: str, *, role: str = "member", password: str | None = None) -> WebUser:
        """Create (or find) the account for ``email`` and give it ``role``. It is linked to the
        member record with the same email, if one exists. ``password`` (optional, at least 10
        characters) enables password sign-in besides the emailed link. InvalidInput for a
        malformed email or a short password."""
        email = check_email(email)
        user, _ = self._storage.ensure_user(email, now=self._clock.now(), role=role,
                                            member_id=self._storage.member_id_for_email(email))
        if user.role != role:
            user = self.set_role(email, role)
        if password is not None:
            self.set_password(email, password)
            user = self._storage.user_by_id(user.id) or user
        return user

    def set_role(self, email: str, role: str) -> WebUser:
        """Change an account's role. Its sessions are rotated on their next request (W02).
        NotFound if there is no account for ``email``."""
        user = self._storage.user_by_email(email)
        if user is None:
            raise NotFound(f"no web account for {email!r}; create it with `curator users create`")
        return self._storage.set_role(user.id, role, self._clock.now())

    def set_password(self, email: str, password: str) -> None:
        """Set a new password and sign the account out everywhere (W03). InvalidInput if it is
        shorter than 10 characters; NotFound if there is no account for ``email``."""
        check_new_password(password)
        user = self._storage.user_by_email(email)
        if user is None:
            raise NotFound(f"no web account for {email!r}")
        self._storage.set_password_hash(user.id, hash_password(password), self._clock.now())

    def check_password(self, email: str, password: str) -> WebUser | None:
        """The account if ``password`` is right and the account is enabled, else None. Takes
        about the same time whether or not the account exists (W05)."""
        user = self._storage.user_by_email(email) if email else None
        stored = self._storage.password_hash(user.id) if user is not None else None
        if not verify_password(stored, password) or user is None or user.disabled:
            return None
        return user

    def signin_with_password(self, email: str, password: str, *, client: str) -> WebUser | None:
        """The account if ``password`` is right for ``email`` and the account is enabled, else None.
        Also None, without checking the password, once ``email`` had THROTTLE_PER_ACCOUNT failed
        attempts or ``client`` (the requester's address) THROTTLE_PER_CLIENT in the current
        window, so callers answer every failure alike (W05).

        The attempt is reserved atomically before the password is checked, so however many
        requests race, no more checks run than the limit allows. Only failed checks
        count: a success clears the email's attempts and gives the client's back, and a refused
        attempt costs the client nothing."""
        now = self._clock.now()
        account_key, client_key = f"pw:{email}", f"client:{client}"
        if not self._storage.reserve_attempt(client_key, limit=THROTTLE_PER_CLIENT, now=now, window=THROTTLE_WINDOW):
            return None
        if not self._storage.reserve_attempt(account_key, limit=THROTTLE_PER_ACCOUNT, now=now, window=THROTTLE_WINDOW):
            self._storage.release_attempt(client_key, now, THROTTLE_WINDOW)
            return None
        user = self.check_password(email, password)
        if user is not None:
            self._storage.clear(account_key)
            self._storage.release_attempt(client_key, now, THROTTLE_WINDOW)
        return user

    def purge_expired(self) -> int:
        """Delete expired sessions and sign-in links and old throttle counters (safe to run at any
        time, also from two processes). Returns how many sessions and links were deleted."""
        return self._storage.purge_expired(self._clock.now())

    # ------------------------------------------------------------------ sessions

    # A session id is the cookie value; only its SHA-256 is stored or looked up, so a database
    # leak reveals no usable session.

    def get_session(self, sid: str) -> WebSession | None:
        """The live session with id ``sid``, or None (unknown, revoked, expired, or not a
        plausible id)."""
        if not plausible_token(sid):
            return None
        return self._storage.get_session(hash_secret(sid), self._clock.now())

    def start_session(self, user_id: int, role: str | None, data: dict[str, Any], *, lifetime: timedelta,
                      replaces: str | None = None) -> str:
        """Store a new session of the account for ``lifetime`` and return its id (never stored).
        ``replaces``, the id of the session this one rotates, is deleted in the same transaction,
        so the old id can never be used again."""
        sid = new_session_id()
        now = self._clock.now()
        self._storage.save_session(hash_secret(sid), user_id=user_id, role=role, data=data, now=now,
                                   expires_at=now + lifetime, replaces=hash_secret(replaces) if replaces else None)
        return sid

    def save_session(self, sid: str, *, user_id: int, role: str | None, data: dict[str, Any],
                     lifetime: timedelta) -> None:
        """Store the changed data of session ``sid`` and let it live ``lifetime`` from now."""
        now = self._clock.now()
        self._storage.save_session(hash_secret(sid), user_id=user_id, role=role, data=data, now=now,
                                   expires_at=now + lifetime)

    def delete_session(self, sid: str) -> None:
        """End session ``sid`` (sign-out); nothing happens for an unknown id."""
        self._storage.delete_session(hash_secret(sid))

    # ------------------------------------------------------------------ throttling

    def throttle_hit(self, key: str) -> int:
        """Count one attempt for ``key``; returns the attempts in the current window."""
        return self._storage.hit(key, self._clock.now(), THROTTLE_WINDOW)

    def throttle_clear(self, key: str) -> None:
        """Forget the attempts of ``key`` (after a successful sign-in)."""
        self._storage.clear(key)

    # ------------------------------------------------------------------ sign-in links

    def request_signin_link(self, email: str, *, base_url: str | None = None, lang: str = "en") -> None:
        """Email a single-use sign-in link valid for 20 minutes, if ``email`` belongs to a member
        or an account; otherwise do nothing. The caller answers the same way in both cases (W05).
        At most three links per email per 15 minutes."""
        try:
            email = check_email(email)
        except InvalidInput:
            return
        if self.throttle_hit(f"link:{email}") > LINKS_PER_EMAIL:
            return
        known = self._storage.user_by_email(email) is not None or self._storage.member_id_for_email(email)
        if not known:
            return
        token = new_signin_token()
        now = self._clock.now()
        self._storage.add_signin_token(hash_secret(token), email, SIGNIN_PURPOSE, now,
                                       now + timedelta(minutes=SIGNIN_LINK_MINUTES))
        url = f"{(base_url or self._settings.base_url).rstrip('/')}/auth/link/{token}"
        subject, body = signin_mail(lang, url)
        self.send_mail(email, subject, body)

    def signin_link_email(self, token: str) -> str | None:
        """The email a sign-in link is for, if it is still usable (changes nothing: link scanners
        may open it)."""
        if not plausible_token(token):
            return None
        return self._storage.peek_signin_token(hash_secret(token), SIGNIN_PURPOSE, self._clock.now())

    def signin_with_link(self, token: str) -> WebUser | None:
        """Use a sign-in link (once). Creates the member account on first use. None for every kind
        of bad link (unknown, used, expired) and for a disabled account, so callers answer all alike."""
        if not plausible_token(token):
            return None
        email = self._storage.use_signin_token(hash_secret(token), SIGNIN_PURPOSE, self._clock.now())
        if email is None:
            return None
        user, _ = self._storage.ensure_user(email, now=self._clock.now(), role="member",
                                            member_id=self._storage.member_id_for_email(email))
        return None if user.disabled else user

    def send_mail(self, to_email: str, subject: str, text: str) -> bool:
        """Send one transactional email (not a newsletter: no list headers, not suppressed by a
        newsletter unsubscribe, U10). Returns whether the transport accepted it."""
        return self._mail.send(to_email, subject, text)

    # ------------------------------------------------------------------ API tokens

    def create_api_token(self, user_id: int, name: str) -> tuple[ApiToken, str]:
        """A new bearer token for the JSON API; the secret is returned once and never stored."""
        secret = new_api_token()
        token = self._storage.add_api_token(user_id, hash_secret(secret), (name or "token").strip() or "token",
                                            self._clock.now())
        return token, secret

    def api_user(self, bearer: str) -> WebUser | None:
        """The enabled account a bearer token belongs to, or None (unknown, revoked, disabled)."""
        if not plausible_token(bearer):
            return None
        found = self._storage.api_token_user(hash_secret(bearer))
        return None if found is None or found[1].disabled else found[1]

    def api_tokens(self, user_id: int) -> list[ApiToken]:
        """The account's API tokens, revoked ones included."""
        return self._storage.api_tokens(user_id)

    def revoke_api_token(self, user_id: int, token_id: int) -> bool:
        """Revoke one of the account's tokens; False if it has no such (live) token."""
        return self._storage.revoke_api_token(user_id, token_id, self._clock.now())

    # ------------------------------------------------------------------ own data

    def export_data(self, user: WebUser) -> dict[str, Any]:
        """Everything stored about the signed-in person, as JSON-ready data (Art. 15/20, T05):
        account, member record, clubs, consent, newsletter status, feedback (ratings, saves,
        sends, clicks...), posts. Nothing about anyone else: a send lists only the colleague's id."""
        member = self._members.of_user(user)
        out: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "exported_at": self._clock.now().isoformat(),
            "account": {"email": user.email, "role": user.role, "created_at": user.created_at.isoformat(),
                        "digest_frequency": user.digest_frequency, "password_set": user.has_password},
            "api_tokens": [{"name": t.name, "created_at": t.created_at.isoformat(),
                            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None}
                           for t in self._storage.api_tokens(user.id)],
        }
        if member is not None:
            out["member"] = {"id": member.id, "email": member.email, "name": member.name,
                             "organisation": member.organisation, "language": member.language,
                             "status": member.status, "persona": member.persona,
                             "declared_areas": list(member.declared_areas), "interests": member.interests}
            out["clubs"] = sorted(member.clubs)
            out["consent"] = {"tracking": member.tracking_consent, "colleague_mail": member.colleague_mail}
            out["newsletter"] = {"unsubscribed": self._digests.is_unsubscribed(member)}
            out["feedback"] = [{"item_id": e.item_id, "kind": e.kind, "value": e.value, "note": e.note,
                                "to_member_id": e.to_member_id, "at": e.at.isoformat()}
                               for e in self._feedback.of_user(user)]
        own = set(self._storage.posts_by_author(user.email))
        out["posts"] = [{"id": p.id, "title": p.title, "text": p.text, "link": p.link, "status": p.status,
                         "submitted_at": p.submitted_at.isoformat()}
                        for p in self._posts.list(None, EXPORT_POSTS_LIMIT) if p.id in own]
        return out

    def erase(self, user: WebUser) -> None:
        """"Erase my data" (T06): the signed-in person's account and member record and everything
        hanging off them, as :meth:`Members.erase_person` describes."""
        member = self._members.of_user(user)
        self._members.erase_person(user.email, requested_by="the person (erase my data)")
        if member is not None and member.email.lower() != user.email.lower():
            self._members.erase_person(member.email, requested_by="the person (erase my data)")

    # ------------------------------------------------------------------ private RSS

    def rss_token(self, user: WebUser, *, renew: bool = False) -> str | None:
        """The member's private feed token (a new one if ``renew``; the old one stops working).
        None if the member has no active token; AccessDenied for an account without a member."""
        member = self._members.of_user(user)
        if member is None:
            raise AccessDenied("private feeds are for members")
        if renew:
            version: int | None = self._storage.new_rss_version(member.id, self._clock.now())
        else:
            version = self._storage.rss_version(member.id)
        if version is None:
            return None
        return sign_rss_token(self.web_secret(), member.id, version)

    def revoke_rss_token(self, user: WebUser) -> None:
        """Stop the member's private feed token from working (nothing for non-members)."""
        member = self._members.of_user(user)
        if member is not None:
            self._storage.revoke_rss(member.id, self._clock.now())

    def rss_user(self, token: str) -> WebUser | None:
        """The account a private feed token belongs to (made on first use), or None for any bad,
        renewed or revoked token, or a member that no longer exists."""
        if not plausible_token(token, MAX_RSS_TOKEN_LENGTH):
            return None  # before the secret is read: a bad link is None even without a secret key
        claim = read_rss_token(self.web_secret(), token)
        if claim is None or not claim.matches(self._storage.rss_version(claim.member_id)):
            return None
        found = self._storage.get_members_by_id([claim.member_id])
        if not found:
            return None
        user, _ = self._storage.ensure_user(found[0].email, now=self._clock.now(), member_id=found[0].id)
        return user

    def web_secret(self) -> str:
        """The secret key that signs cookies and private feed tokens. ConfigError if the setting
        is missing or shorter than 16 characters."""
        return check_secret_key(self._settings.secret_key)
