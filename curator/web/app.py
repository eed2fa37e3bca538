"""The app factory and what every request shares: who is signed in, the language, CSRF, security
headers, error pages.

Rules kept here (RELIABILITY 3H):
- every POST/PUT/PATCH/DELETE needs a CSRF token (flask-wtf), except the RFC 8058 one-click
  unsubscribe (the blueprint :mod:`curator.web.unsubscribe`, registered below) and the JSON API, which
  never reads the session cookie and authenticates only by an ``Authorization: Bearer`` header
  that a cross-site form cannot send;
- no GET changes state (sign-in links show a confirmation page that POSTs);
- signed-in sessions live in the database, a visitor's in a signed cookie, so visitors write no
  rows (:mod:`.sessions`); cookies are HttpOnly, SameSite=Lax and Secure unless the site runs on
  http://127.0.0.1 or localhost;
- every response (error pages, the newsletter link pages and the API included) carries a
  Content-Security-Policy without inline scripts and with ``frame-ancestors``, X-Frame-Options,
  nosniff and a Referrer-Policy; item HTML is sanitised again when rendered;
- "next" redirects accept only local paths;
- content a person may not see answers 404, the same as content that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from markupsafe import Markup

from ..errors import AccessDenied, CuratorError, InvalidInput, NotFound
from ..i18n import LANGS, translate
from ..types import AREA_IDS, WebUser
from .sessions import SiteSession, SiteSessionInterface

if TYPE_CHECKING:
    from ..core import Curator

F = TypeVar("F", bound=Callable[..., Any])

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
       "form-action 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'")
"""No inline script, no eval, no plugins, no framing by other sites."""

PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; sandbox; frame-ancestors 'self'"
"""Email previews carry inline styles (that is what email needs) but no script can run: sandbox."""


def create_app(curator: Curator, *, testing: bool = False) -> Flask:
    """The Flask app for ``curator``. ``testing`` turns on Flask's testing mode (exceptions
    propagate to the test client); CSRF stays on, because tests check it."""
    settings = curator.settings
    app = Flask(__name__, template_folder=str(Path(settings.templates_dir) / "web"),
                static_folder="static", static_url_path="/static")  # Flask finds it in this package
    secret = curator.accounts.web_secret()
    base = urlsplit(settings.base_url)
    local_http = base.scheme == "http" and (base.hostname or "") in ("127.0.0.1", "localhost", "::1")
    secure = not local_http
    app.config.update(
        SECRET_KEY=secret,
        TESTING=testing,
        WTF_CSRF_TIME_LIMIT=8 * 3600,
        WTF_CSRF_SSL_STRICT=secure,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PREFERRED_URL_SCHEME=base.scheme or "https",
    )
    app.extensions["curator"] = curator
    # A request's reads share one database transaction until it writes (Curator.reading): a
    # feed page's eight reads cost one connection checkout and one BEGIN instead of eight.
    serve = app.wsgi_app

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
        with curator.reading():
            return serve(environ, start_response)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
    app.session_interface = SiteSessionInterface(curator, secret, "__Host-curator" if secure else "curator_session",
                                                 secure)
    # First, so that every later hook (CSRF included) and every log line has the request id, and
    # the access log sees the final response: /healthz, /metrics, request ids, the access log.
    from . import ops

    ops.install(app, curator)
    csrf = CSRFProtect(app)

    from . import api, archive, auth, editor, member

    app.register_blueprint(auth.bp)
    app.register_blueprint(member.bp)
    app.register_blueprint(archive.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(api.bp)
    csrf.exempt(api.bp)

    # The newsletter's link routes (one-click unsubscribe, preferences link, click link); the
    # one-click POST is the ONLY view exempt from CSRF (U07).
    from . import unsubscribe

    app.register_blueprint(unsubscribe.bp)
    csrf.exempt(unsubscribe.one_click)

    @app.before_request
    def load_user() -> None:
        sess = session
        assert isinstance(sess, SiteSession)
        g.user = None
        if sess.user_id is not None:
            user = curator.accounts.user(sess.user_id)
            if user is None or user.disabled:
                sess.sign_out()
                return
            if user.role != sess.role:  # privilege change: a new session id (W02)
                sess.role, sess.rotate = user.role, True
            g.user = user
        g.member = curator.members.of_user(g.user) if g.user is not None else None
        lang = request.args.get("lang") if g.user is None else None  # visitors choose by link
        if lang not in LANGS:
            lang = sess.get("lang")
        if lang not in LANGS:
            lang = g.member.language if g.member is not None and g.member.language in LANGS else None
        g.lang = lang or request.accept_languages.best_match(LANGS) or "en"

    @app.after_request
    def headers(resp: Response) -> Response:
        """The security headers of every response. A view or blueprint may set its own CSP first
        (email previews, the newsletter link pages): it keeps ``frame-ancestors`` and allows no
        script, which tests/web/test_headers.py checks over the whole route map."""
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "SAMEORIGIN"
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            resp.headers["Cache-Control"] = "no-store"
        return resp

    area_names = curator.tagging.area_names()

    def area_label(area: str, lang: str) -> str:
        names = area_names.get(area, {})
        return names.get(lang) or names.get("en") or area

    def segment_namer(lang: str) -> Callable[[Any], str]:
        """The page's ``segment_name(segment)``: people's name for a segment (or its text), the
        club and persona names read once per page."""
        names: list[Any] = []

        def name(segment: Any) -> str:
            if not names:
                names.append(curator.digests.segment_names())
            return curator.digests.segment_name(segment, lang, names[0])

        return name

    @app.context_processor
    def helpers() -> dict[str, Any]:
        lang = getattr(g, "lang", "en")
        return {
            "t": lambda key, **kw: translate(key, lang).format(**kw) if kw else translate(key, lang),
            "lang": lang, "user": getattr(g, "user", None), "me": getattr(g, "member", None),
            "area_ids": AREA_IDS, "area_label": lambda a: area_label(a, lang),
            "cluster_name": settings.cluster_name,
            "segment_name": segment_namer(lang),
            "is_editor": is_editor(getattr(g, "user", None)),
            "flash": translate(key, lang) if (key := pop_flash()) else None,
            "labels": {k: translate(k, lang) for k in ("rate", "save", "more", "less", "hide", "send")},
            "csrf": _LazyCsrf(),
        }

    @app.template_filter("item_html")
    def item_html(html: str) -> Markup:
        """Item HTML from feeds and posts, sanitised again at render time (allow-list)."""
        return Markup(curator.items.safe_html(html))  # noqa: S704 - sanitised by the ingest allow-list

    zone = ZoneInfo(settings.timezone)

    def local(value: datetime) -> datetime:
        """``value`` in the cluster's time zone (setting ``timezone``); a naive value is UTC."""
        return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(zone)

    @app.template_filter("day")
    def day(value: Any) -> str:
        """A date in the cluster's time zone, as readers of the page's language write it."""
        if value is None:
            return ""
        value = local(value)
        return str(value.strftime("%d.%m.%Y") if getattr(g, "lang", "en") == "de" else value.strftime("%d %b %Y"))

    @app.template_filter("when")
    def when(value: Any) -> str:
        """A date and time in the cluster's time zone, with the zone's abbreviation (CET, CEST)."""
        if value is None:
            return ""
        return f"{day(value)} {local(value):%H:%M %Z}"

    @app.template_filter("local_input")
    def local_input(value: Any) -> str:
        """The value of a ``datetime-local`` field: the cluster's time zone, as the form reads it back."""
        return "" if value is None else f"{local(value):%Y-%m-%dT%H:%M}"

    @app.context_processor
    def time_zone() -> dict[str, Any]:
        return {"time_zone": settings.timezone}

    def error_page(status: int, title: str, text: str) -> tuple[str, int]:
        """An error page that is no dead end: a link back to the page the form was sent from (a
        local page only), and to the start page of the area the visitor is in."""
        back = None
        ref = urlsplit(request.referrer or "")
        if ref.netloc == request.host and ref.path != request.path:
            back = safe_next(ref.path + (f"?{ref.query}" if ref.query else ""), default="") or None
        user = getattr(g, "user", None)
        home = url_for("editor.dashboard") if is_editor(user) and request.path.startswith("/editor") else "/"
        return render_template("error.html", title=title, text=text, back=back, home=home), status

    @app.errorhandler(404)
    @app.errorhandler(NotFound)
    def not_found(_: Any) -> Any:
        lang = getattr(g, "lang", "en")
        return error_page(404, translate("not_found", lang), translate("not_found_text", lang))

    @app.errorhandler(403)
    @app.errorhandler(AccessDenied)
    def forbidden(exc: Any) -> Any:
        lang = getattr(g, "lang", "en")
        text = str(exc) if isinstance(exc, AccessDenied) else translate("forbidden_text", lang)
        return error_page(403, translate("forbidden", lang), text)

    @app.errorhandler(CSRFError)
    def csrf_failed(_: Any) -> Any:
        lang = getattr(g, "lang", "en")
        return error_page(400, translate("bad_request", lang), translate("bad_request_text", lang))

    @app.errorhandler(InvalidInput)
    def invalid(exc: InvalidInput) -> Any:
        return error_page(400, translate("bad_request", getattr(g, "lang", "en")), str(exc))

    @app.errorhandler(CuratorError)
    def other(exc: CuratorError) -> Any:
        return error_page(409, translate("error", getattr(g, "lang", "en")), str(exc))

    return app


# --------------------------------------------------------------------------- helpers for the blueprints

class _LazyCsrf:
    """The CSRF token, generated only when a template prints it: a page without forms then
    sets no cookie for a visitor (caches and crawlers see a plain page). Generated once per
    request: a feed page prints it in every item's form."""

    def __str__(self) -> str:
        token = g.get("_curator_csrf")
        if token is None:
            token = g._curator_csrf = str(generate_csrf())
        return str(token)

    def __html__(self) -> str:
        return str(self)


def cur() -> Curator:
    return current_app.extensions["curator"]  # type: ignore[no-any-return]


def is_editor(user: WebUser | None) -> bool:
    return user is not None and user.role in ("editor", "admin")


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def member_required(view: F) -> F:
    """Signed in AND linked to a member record (registered non-members included: they see
    public content only, by the access rule)."""
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
        if g.member is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def role_required(*roles: str) -> Callable[[F], F]:
    def deco(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.user is None:
                return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
            if g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return deco


_SAFE_NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9\-._~/?=&%+:@]*$")


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a local path on this site (``/x``), else ``default``. Refuses
    ``//host``, ``/\\host``, schemes, control characters (W12)."""
    if not target or len(target) > 500 or not _SAFE_NEXT.match(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def flash_message(key: str) -> None:
    session["flash"] = key


def pop_flash() -> str | None:
    return session.pop("flash", None) if "flash" in session else None
