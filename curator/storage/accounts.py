"""Queries for web accounts, server-side sessions, sign-in tokens, API tokens, throttle counters
and private RSS tokens.

Rows never leave this module. Every secret arrives here
already hashed (SHA-256 hex) by the caller; nothing here can turn a hash back into a cookie.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, literal, select, update
from sqlalchemy.engine import Connection

from ..errors import InvalidInput, NotFound
from ..types import ApiToken, WebSession, WebUser
from . import schema as t
from .database import Database
from .types_sql import UTCDateTime

ROLES = ("member", "editor", "admin")
FREQUENCIES = ("daily", "weekly", "monthly", "never")


class AccountQueries(Database):
    """Accounts and everything the web app keeps between requests."""

    # ----------------------------------------------------------------- users

    @staticmethod
    def _user(r: Any) -> WebUser:
        return WebUser(id=r.id, email=r.email, role=r.role, member_id=r.member_id,
                       has_password=bool(r.password_hash), digest_frequency=r.digest_frequency,
                       created_at=r.created_at, disabled=bool(r.disabled))

    def user_by_email(self, email: str) -> WebUser | None:
        with self.read() as conn:
            r = conn.execute(select(t.web_users).where(t.web_users.c.email == email.strip().lower())).first()
        return self._user(r) if r else None

    def user_by_id(self, user_id: int) -> WebUser | None:
        with self.read() as conn:
            r = conn.execute(select(t.web_users).where(t.web_users.c.id == user_id)).first()
        return self._user(r) if r else None

    def password_hash(self, user_id: int) -> str | None:
        with self.read() as conn:
            return conn.execute(select(t.web_users.c.password_hash).where(t.web_users.c.id == user_id)).scalar()

    def member_id_for_email(self, email: str) -> int | None:
        with self.read() as conn:
            return conn.execute(select(t.members.c.id).where(t.members.c.email == email.strip().lower())).scalar()

    def ensure_user(self, email: str, *, now: datetime, role: str = "member", member_id: int | None = None,
                    password_hash: str | None = None) -> tuple[WebUser, bool]:
        """The account for ``email``, created with ``role`` if missing. Returns (user, created).
        An existing account keeps its role (roles change only through :meth:`set_role`)."""
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        email = email.strip().lower()
        with self.write() as conn:
            r = conn.execute(select(t.web_users).where(t.web_users.c.email == email)).first()
            if r is None:
                # a concurrent first sign-in may insert it between the select and here: then
                # this insert does nothing and the other's account is used (PostgreSQL)
                uid = conn.execute(self._insert(t.web_users).values(
                    email=email, role=role, member_id=member_id, password_hash=password_hash,
                    digest_frequency="weekly", disabled=False, created_at=now, updated_at=now,
                ).on_conflict_do_nothing(index_elements=["email"]).returning(t.web_users.c.id)).scalar()
                if uid is not None:
                    return self._user(conn.execute(select(t.web_users).where(t.web_users.c.id == uid)).one()), True
                r = conn.execute(select(t.web_users).where(t.web_users.c.email == email)).one()
            if r.member_id is None and member_id is not None:
                conn.execute(update(t.web_users).where(t.web_users.c.id == r.id)
                             .values(member_id=member_id, updated_at=now))
                r = conn.execute(select(t.web_users).where(t.web_users.c.id == r.id)).one()
            return self._user(r), False

    def set_role(self, user_id: int, role: str, now: datetime) -> WebUser:
        if role not in ROLES:
            raise InvalidInput(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        with self.write() as conn:
            n = conn.execute(update(t.web_users).where(t.web_users.c.id == user_id)
                             .values(role=role, updated_at=now)).rowcount
            if not n:
                raise NotFound(f"no web account with id {user_id}")
            return self._user(conn.execute(select(t.web_users).where(t.web_users.c.id == user_id)).first())

    def set_password_hash(self, user_id: int, password_hash: str | None, now: datetime) -> None:
        """Store a new password hash and revoke every session of the account (W03)."""
        with self.write() as conn:
            conn.execute(update(t.web_users).where(t.web_users.c.id == user_id)
                         .values(password_hash=password_hash, updated_at=now))
            conn.execute(delete(t.web_sessions).where(t.web_sessions.c.user_id == user_id))

    def set_digest_frequency(self, user_id: int, frequency: str, now: datetime) -> None:
        if frequency not in FREQUENCIES:
            raise InvalidInput(f"digest frequency must be one of {', '.join(FREQUENCIES)}")
        with self.write() as conn:
            conn.execute(update(t.web_users).where(t.web_users.c.id == user_id)
                         .values(digest_frequency=frequency, updated_at=now))

    def list_users(self) -> list[WebUser]:
        with self.read() as conn:
            return [self._user(r) for r in conn.execute(select(t.web_users).order_by(t.web_users.c.id))]

    # ----------------------------------------------------------------- sessions

    @staticmethod
    def _session(r: Any) -> WebSession:
        return WebSession(id_hash=r.id_hash, user_id=r.user_id, role=r.role, data=dict(r.data or {}),
                          created_at=r.created_at, expires_at=r.expires_at)

    def get_session(self, id_hash: str, now: datetime) -> WebSession | None:
        """The live session with this id hash, or None (unknown, revoked or expired)."""
        with self.read() as conn:
            r = conn.execute(select(t.web_sessions).where(
                and_(t.web_sessions.c.id_hash == id_hash, t.web_sessions.c.expires_at > now))).first()
        return self._session(r) if r else None

    def save_session(self, id_hash: str, *, user_id: int | None, role: str | None, data: dict[str, Any],
                     now: datetime, expires_at: datetime, replaces: str | None = None) -> None:
        """Insert or update a session; ``replaces`` (an old id hash) is deleted in the same
        transaction, so a rotated id can never be used again."""
        with self.write() as conn:
            if replaces and replaces != id_hash:
                conn.execute(delete(t.web_sessions).where(t.web_sessions.c.id_hash == replaces))
            n = conn.execute(update(t.web_sessions).where(t.web_sessions.c.id_hash == id_hash)
                             .values(user_id=user_id, role=role, data=data, expires_at=expires_at)).rowcount
            if not n:
                conn.execute(t.web_sessions.insert().values(id_hash=id_hash, user_id=user_id, role=role, data=data,
                                                             created_at=now, expires_at=expires_at))

    def delete_session(self, id_hash: str) -> None:
        with self.write() as conn:
            conn.execute(delete(t.web_sessions).where(t.web_sessions.c.id_hash == id_hash))

    def purge_expired(self, now: datetime) -> int:
        """Delete expired sessions, sign-in tokens and old throttle windows."""
        with self.write() as conn:
            n = conn.execute(delete(t.web_sessions).where(t.web_sessions.c.expires_at <= now)).rowcount
            n += conn.execute(delete(t.web_signin_tokens).where(t.web_signin_tokens.c.expires_at <= now)).rowcount
            conn.execute(delete(t.web_throttle).where(t.web_throttle.c.window_start <= now - timedelta(days=1)))
        return int(n)

    # ----------------------------------------------------------------- sign-in tokens

    def add_signin_token(self, token_hash: str, email: str, purpose: str, now: datetime, expires_at: datetime) -> None:
        with self.write() as conn:
            conn.execute(t.web_signin_tokens.insert().values(
                token_hash=token_hash, email=email.strip().lower(), purpose=purpose, created_at=now,
                expires_at=expires_at, used_at=None))

    def peek_signin_token(self, token_hash: str, purpose: str, now: datetime) -> str | None:
        """The email of a live, unused token (nothing is changed)."""
        with self.read() as conn:
            return conn.execute(select(t.web_signin_tokens.c.email).where(and_(
                t.web_signin_tokens.c.token_hash == token_hash, t.web_signin_tokens.c.purpose == purpose,
                t.web_signin_tokens.c.used_at.is_(None), t.web_signin_tokens.c.expires_at > now))).scalar()

    def use_signin_token(self, token_hash: str, purpose: str, now: datetime) -> str | None:
        """Mark a live, unused token used and return its email; None if it was not usable. The
        update is conditional, so two concurrent uses cannot both succeed (single use)."""
        with self.write() as conn:
            email = conn.execute(select(t.web_signin_tokens.c.email).where(and_(
                t.web_signin_tokens.c.token_hash == token_hash, t.web_signin_tokens.c.purpose == purpose,
                t.web_signin_tokens.c.used_at.is_(None), t.web_signin_tokens.c.expires_at > now))).scalar()
            if email is None:
                return None
            n = conn.execute(update(t.web_signin_tokens).where(and_(
                t.web_signin_tokens.c.token_hash == token_hash, t.web_signin_tokens.c.used_at.is_(None)))
                .values(used_at=now)).rowcount
        return email if n == 1 else None

    # ----------------------------------------------------------------- API tokens

    @staticmethod
    def _token(r: Any) -> ApiToken:
        return ApiToken(id=r.id, user_id=r.user_id, name=r.name, created_at=r.created_at, revoked_at=r.revoked_at,
                        last_used_at=r.last_used_at)

    def add_api_token(self, user_id: int, token_hash: str, name: str, now: datetime) -> ApiToken:
        with self.write() as conn:
            tid = conn.execute(t.web_api_tokens.insert().values(
                user_id=user_id, token_hash=token_hash, name=name[:100], created_at=now)).inserted_primary_key[0]  # type: ignore[index]
            return self._token(conn.execute(select(t.web_api_tokens).where(t.web_api_tokens.c.id == tid)).first())

    def api_token_user(self, token_hash: str) -> tuple[ApiToken, WebUser] | None:
        with self.read() as conn:
            r = conn.execute(select(t.web_api_tokens).where(and_(
                t.web_api_tokens.c.token_hash == token_hash, t.web_api_tokens.c.revoked_at.is_(None)))).first()
            if r is None:
                return None
            u = conn.execute(select(t.web_users).where(t.web_users.c.id == r.user_id)).first()
        return (self._token(r), self._user(u)) if u is not None else None

    def api_tokens(self, user_id: int) -> list[ApiToken]:
        with self.read() as conn:
            return [self._token(r) for r in conn.execute(
                select(t.web_api_tokens).where(t.web_api_tokens.c.user_id == user_id).order_by(t.web_api_tokens.c.id))]

    def revoke_api_token(self, user_id: int, token_id: int, now: datetime) -> bool:
        """Revoke one of ``user_id``'s own tokens; False if it is not theirs (or unknown)."""
        with self.write() as conn:
            return bool(conn.execute(update(t.web_api_tokens).where(and_(
                t.web_api_tokens.c.id == token_id, t.web_api_tokens.c.user_id == user_id,
                t.web_api_tokens.c.revoked_at.is_(None))).values(revoked_at=now)).rowcount)

    # ----------------------------------------------------------------- throttle

    def _count_attempt(self, key: str, now: datetime, window: timedelta, cap: int | None) -> int:
        """Count one attempt for ``key`` in ONE statement (an upsert returning the new count), so
        concurrent attempts each see their own count on SQLite and PostgreSQL alike. A window that
        started at or before ``now - window`` starts again at ``now``. With ``cap`` the count stops
        at ``cap + 1``: an attempt over the limit changes nothing."""
        th = t.web_throttle
        count = th.c["count"]
        expired = th.c.window_start <= now - window
        grown = count + 1 if cap is None else case((count <= cap, count + 1), else_=count)
        stmt = self._insert(th).values(key=key, count=1, window_start=now).on_conflict_do_update(
            index_elements=["key"],
            set_={"count": case((expired, 1), else_=grown),
                  "window_start": case((expired, literal(now, UTCDateTime())), else_=th.c.window_start)},
        ).returning(count)
        with self.write() as conn:
            return int(conn.execute(stmt).scalar_one())

    def hit(self, key: str, now: datetime, window: timedelta) -> int:
        """Count one attempt for ``key`` in a fixed window and return the count so far, this one
        included (atomic: concurrent hits get distinct counts)."""
        return self._count_attempt(key, now, window, None)

    def reserve_attempt(self, key: str, *, limit: int, now: datetime, window: timedelta) -> bool:
        """Take one of the ``limit`` attempts ``key`` has per fixed window: True (and counted) while
        fewer than ``limit`` were taken, else False (and nothing changes). Atomic on SQLite and
        PostgreSQL: of any number of concurrent reservations at most ``limit`` succeed, so a check
        made only after a successful reservation can never run more than ``limit`` times."""
        return self._count_attempt(key, now, window, limit) <= limit

    def release_attempt(self, key: str, now: datetime, window: timedelta) -> None:
        """Give back one attempt of ``key`` taken in the current window (an attempt that turned out
        not to count, such as a successful sign-in); nothing if the window is over or empty."""
        th = t.web_throttle
        with self.write() as conn:
            conn.execute(update(th).where(th.c.key == key, th.c["count"] > 0, th.c.window_start > now - window)
                         .values({th.c["count"]: th.c["count"] - 1}))

    def clear(self, key: str) -> None:
        """Forget every attempt of ``key``."""
        with self.write() as conn:
            conn.execute(delete(t.web_throttle).where(t.web_throttle.c.key == key))

    # ----------------------------------------------------------------- private RSS tokens

    def rss_version(self, member_id: int) -> int | None:
        """The live RSS token version of a member, or None when they have none (or revoked it)."""
        with self.read() as conn:
            r = conn.execute(select(t.web_rss_tokens).where(t.web_rss_tokens.c.member_id == member_id)).first()
        return int(r.version) if r is not None and r.active else None

    def new_rss_version(self, member_id: int, now: datetime) -> int:
        """Issue a new version (the previous token stops working at once); one upsert, so
        concurrent renewals get distinct versions."""
        rss = t.web_rss_tokens
        stmt = self._insert(rss).values(member_id=member_id, version=1, active=True, updated_at=now)
        stmt = stmt.on_conflict_do_update(index_elements=["member_id"],
                                          set_={"version": rss.c.version + 1, "active": True, "updated_at": now})
        with self.write() as conn:
            return int(conn.execute(stmt.returning(rss.c.version)).scalar_one())

    def revoke_rss(self, member_id: int, now: datetime) -> None:
        with self.write() as conn:
            conn.execute(update(t.web_rss_tokens).where(t.web_rss_tokens.c.member_id == member_id)
                         .values(active=False, updated_at=now))

    # ----------------------------------------------------------------- export helpers

    def posts_by_author(self, email: str) -> list[int]:
        with self.read() as conn:
            return [r[0] for r in conn.execute(select(t.member_posts.c.id).where(
                func.lower(t.member_posts.c.author_email) == email.strip().lower()).order_by(t.member_posts.c.id))]


def erase_web_rows(conn: Connection, *, email: str, member_id: int | None) -> None:
    """Delete every web row about a person, in the caller's transaction: the account with its
    sessions and API tokens, sign-in links, throttle counters that name the address, and the
    member's private feed token (so an old RSS link resolves to nothing)."""
    email = email.strip().lower()
    uid = conn.execute(select(t.web_users.c.id).where(t.web_users.c.email == email)).scalar()
    if uid is not None:
        conn.execute(delete(t.web_sessions).where(t.web_sessions.c.user_id == uid))
        conn.execute(delete(t.web_api_tokens).where(t.web_api_tokens.c.user_id == uid))
        conn.execute(delete(t.web_users).where(t.web_users.c.id == uid))
    conn.execute(delete(t.web_signin_tokens).where(t.web_signin_tokens.c.email == email))
    conn.execute(delete(t.web_throttle).where(t.web_throttle.c.key.contains(email, autoescape=True)))
    if member_id is not None:
        conn.execute(delete(t.web_rss_tokens).where(t.web_rss_tokens.c.member_id == member_id))
