"""Server-side sessions in the database (RELIABILITY W02, W03, W04).

The cookie holds a random 32-byte id; the database holds its SHA-256 and the session data. So a
session can be revoked (logout deletes the row; a password change deletes every row of the
account), and rotated (a new id at sign-in and when the account's role changes; the old row is
deleted in the same transaction, so the old cookie is worthless).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

if TYPE_CHECKING:
    from flask import Flask, Request, Response

    from ..core import Curator

SIGNED_IN_LIFETIME = timedelta(days=14)
ANONYMOUS_LIFETIME = timedelta(hours=12)


class DbSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus who it belongs to. Set ``rotate`` to issue a new id, ``revoke`` to end it."""

    def __init__(self, initial: dict[str, Any] | None = None, *, id_hash: str | None = None,
                 user_id: int | None = None, role: str | None = None) -> None:
        def on_update(_: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.id_hash = id_hash
        self.user_id = user_id
        self.role = role
        self.new = id_hash is None
        self.modified = False
        self.rotate = False
        self.revoke = False

    def sign_in(self, user_id: int, role: str) -> None:
        """Bind the session to an account: everything from before is dropped and the id rotates."""
        lang = self.get("lang")
        self.clear()
        if lang:
            self["lang"] = lang
        self.user_id, self.role, self.rotate, self.modified = user_id, role, True, True

    def sign_out(self) -> None:
        self.clear()
        self.user_id, self.role, self.revoke = None, None, True


def hash_sid(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


class DbSessionInterface(SessionInterface):
    def __init__(self, cur: Curator, cookie_name: str, secure: bool) -> None:
        self.cur = cur
        self.cookie_name = cookie_name
        self.secure = secure

    def open_session(self, app: Flask, request: Request) -> DbSession:
        sid = request.cookies.get(self.cookie_name)
        if sid and 20 <= len(sid) <= 100:
            found = self.cur.accounts.get_session(hash_sid(sid), self.cur.clock.now())
            if found is not None:
                return DbSession(dict(found.data), id_hash=found.id_hash, user_id=found.user_id, role=found.role)
        return DbSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, DbSession)
        store = self.cur.accounts
        if session.revoke:
            if session.id_hash:
                store.delete_session(session.id_hash)
            response.delete_cookie(self.cookie_name, path="/", secure=self.secure, httponly=True, samesite="Lax")
            return
        if not session.rotate and not session.modified:
            return
        if not session and session.user_id is None and session.id_hash is None:
            return  # nothing worth a row
        now = self.cur.clock.now()
        lifetime = SIGNED_IN_LIFETIME if session.user_id is not None else ANONYMOUS_LIFETIME
        if session.rotate or session.id_hash is None:
            sid = secrets.token_urlsafe(32)
            new_hash = hash_sid(sid)
            store.save_session(new_hash, user_id=session.user_id, role=session.role, data=dict(session), now=now,
                               expires_at=now + lifetime, replaces=session.id_hash)
            session.id_hash = new_hash
            response.set_cookie(self.cookie_name, sid, max_age=int(lifetime.total_seconds()), path="/",
                                secure=self.secure, httponly=True, samesite="Lax")
        else:
            store.save_session(session.id_hash, user_id=session.user_id, role=session.role, data=dict(session),
                               now=now, expires_at=now + lifetime)
        response.vary.add("Cookie")
