"""Sessions (RELIABILITY W02, W03, W04): a signed-in person's in the database, a visitor's in a
signed cookie.

One cookie, holding one of two kinds of value:

- **Signed in**: a random 32-byte id. The database holds its SHA-256 and the session data (both
  through ``cur.accounts``, which makes the id and hashes it). So a session can be revoked
  (logout deletes the row; a password change deletes every row of the account) and rotated (a
  new id at sign-in and when the account's role changes; the old row is deleted in the same
  transaction, so the old cookie is worthless).
- **A visitor** (not signed in): the session data itself (the CSRF token of a form, a chosen
  language, a one-time notice) with an expiry, signed with the app's secret key. Nothing is
  stored on the server, so visitors, crawlers and scripts asking for the sign-in form by the
  thousand write no rows. The signature makes the cookie tamper-proof; it holds nothing worth
  reading. Planting a cookie in someone's browser is the same attack as it was with stored
  visitor sessions (fixation of an anonymous session) and is stopped the same way: the cookie is
  ``__Host-`` prefixed on HTTPS, so no other host can set it, and signing in always issues a new
  id that no one else knows.

A signed cookie can never be mistaken for a session id: a random id carries no valid signature.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadData, URLSafeSerializer
from werkzeug.datastructures import CallbackDict

if TYPE_CHECKING:
    from flask import Flask, Request, Response

    from ..core import Curator

SIGNED_IN_LIFETIME = timedelta(days=14)
VISITOR_LIFETIME = timedelta(hours=12)
CSRF_FIELD = "csrf_token"
"""Where Flask-WTF keeps the secret its form tokens are signed from (WTF_CSRF_FIELD_NAME)."""
VISITOR_SALT = "curator-visitor-session"
"""Keeps a visitor cookie from being valid as any other value signed with the same key."""


class SiteSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus who it belongs to. ``sid`` is the id of a stored (signed-in) session,
    None for a visitor's. Set ``rotate`` to issue a new id, ``revoke`` to end the session."""

    def __init__(self, initial: dict[str, Any] | None = None, *, sid: str | None = None,
                 user_id: int | None = None, role: str | None = None) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.sid = sid
        self.user_id = user_id
        self.role = role
        self.modified = False
        self.rotate = False
        self.revoke = False

    def sign_in(self, user_id: int, role: str) -> None:
        """Bind the session to an account: everything from before is dropped and the id rotates.
        The secret behind the forms' CSRF tokens is made here too, so it is stored with the new
        session in the sign-in's one write: a signed-in person's pages then never write their
        session (Flask-WTF would otherwise store it on the first page with a form)."""
        lang = self.get("lang")
        self.clear()
        if lang:
            self["lang"] = lang
        self[CSRF_FIELD] = secrets.token_hex(20)
        self.user_id, self.role, self.rotate, self.modified = user_id, role, True, True

    def sign_out(self) -> None:
        self.clear()
        self.user_id, self.role, self.revoke = None, None, True


class SiteSessionInterface(SessionInterface):
    """Reads and writes :class:`SiteSession` as the module docstring describes."""

    def __init__(self, cur: Curator, secret_key: str, cookie_name: str, secure: bool) -> None:
        self.cur = cur
        self.cookie_name = cookie_name
        self.secure = secure
        self.visitor = URLSafeSerializer(secret_key, salt=VISITOR_SALT)

    def open_session(self, app: Flask, request: Request) -> SiteSession:
        value = request.cookies.get(self.cookie_name)
        if not value:
            return SiteSession()
        try:
            payload = self.visitor.loads(value)
        except BadData:
            found = self.cur.accounts.get_session(value)
            if found is None or found.user_id is None:
                return SiteSession()
            return SiteSession(dict(found.data), sid=value, user_id=found.user_id, role=found.role)
        return SiteSession(self._unexpired(payload))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, SiteSession):
            return  # opening it failed (the database was unreachable): the error page still goes out
        if session.revoke:
            if session.sid:
                self.cur.accounts.delete_session(session.sid)
            response.delete_cookie(self.cookie_name, path="/", secure=self.secure, httponly=True, samesite="Lax")
        elif session.user_id is not None:
            self._save_signed_in(session, response)
        else:
            self._save_visitor(session, response)

    def _save_signed_in(self, session: SiteSession, response: Response) -> None:
        assert session.user_id is not None
        accounts = self.cur.accounts
        if session.rotate or session.sid is None:
            session.sid = accounts.start_session(session.user_id, session.role, dict(session),
                                                 lifetime=SIGNED_IN_LIFETIME, replaces=session.sid)
            self._set_cookie(response, session.sid, SIGNED_IN_LIFETIME)
        elif session.modified:
            accounts.save_session(session.sid, user_id=session.user_id, role=session.role, data=dict(session),
                                  lifetime=SIGNED_IN_LIFETIME)

    def _save_visitor(self, session: SiteSession, response: Response) -> None:
        if not session.modified:
            return
        if not session:  # emptied (a notice shown): nothing left worth a cookie
            response.delete_cookie(self.cookie_name, path="/", secure=self.secure, httponly=True, samesite="Lax")
            return
        expires = self.cur.clock.now() + VISITOR_LIFETIME
        self._set_cookie(response, self.visitor.dumps({"data": dict(session), "expires": expires.timestamp()}),
                         VISITOR_LIFETIME)

    def _unexpired(self, payload: Any) -> dict[str, Any]:
        """The data of a visitor cookie, or nothing once it has expired (the browser keeps a
        cookie as long as it likes; the signed expiry is what counts)."""
        if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
            return {}
        expires = payload.get("expires")
        if not isinstance(expires, int | float) or expires <= self.cur.clock.now().timestamp():
            return {}
        return payload["data"]  # type: ignore[no-any-return]

    def _set_cookie(self, response: Response, value: str, lifetime: timedelta) -> None:
        response.set_cookie(self.cookie_name, value, max_age=int(lifetime.total_seconds()), path="/",
                            secure=self.secure, httponly=True, samesite="Lax")
        response.vary.add("Cookie")
