"""Sign-in by emailed link or password, sign-out, language choice (RELIABILITY W02-W06, W12).

Opening a sign-in link (GET) only shows a confirmation form: link scanners in mail systems open
every link, and a GET must never use up the token or sign anyone in. Every failure answers the
same way, whether or not the account exists.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from ..i18n import LANGS
from .app import cur, flash_message, safe_next
from .sessions import SiteSession

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _client() -> str:
    return request.remote_addr or "unknown"


@bp.get("/login")
def login() -> Any:
    return render_template("login.html", next=safe_next(request.args.get("next")), sent=False, error=None)


@bp.post("/link")
def request_link() -> Any:
    c = cur()
    email = (request.form.get("email") or "").strip().lower()
    nxt = safe_next(request.form.get("next"))
    if c.accounts.throttle_hit(f"link-client:{_client()}") <= 30:
        if current_app.testing:
            c.accounts.request_signin_link(email, lang=g.lang)
        else:
            # Looking the address up and talking to the mail server take time only for known
            # addresses; doing it after the answer keeps the response time the same (W05).
            threading.Thread(target=c.accounts.request_signin_link, args=(email,), kwargs={"lang": g.lang},
                             daemon=True, name="signin-link").start()
    # The same page whatever happened (unknown address, throttled, sent): no account oracle (W05).
    return render_template("login.html", next=nxt, sent=True, error=None)


@bp.get("/link/<token>")
def link(token: str) -> Any:
    email = cur().accounts.signin_link_email(token)
    if email is None:
        abort(404)
    resp = render_template("link.html", email=email, token=token, next=safe_next(request.args.get("next")))
    # same-origin (the default here): the token never leaves for another site, and the form's
    # POST carries the Referer that flask-wtf's strict HTTPS check requires.
    return resp, 200, {"Referrer-Policy": "same-origin"}


@bp.post("/link/<token>")
def use_link(token: str) -> Any:
    user = cur().accounts.signin_with_link(token)
    if user is None:
        abort(404)
    sess = session
    assert isinstance(sess, SiteSession)
    sess.sign_in(user.id, user.role)
    flash_message("welcome")
    return redirect(safe_next(request.form.get("next")))


@bp.post("/password")
def password() -> Any:
    c = cur()
    email = (request.form.get("email") or "").strip().lower()
    nxt = safe_next(request.form.get("next"))
    user = c.accounts.signin_with_password(email, request.form.get("password") or "", client=_client())
    if user is None:  # wrong, unknown, disabled or throttled: one answer for all (W05)
        return render_template("login.html", next=nxt, sent=False, error="bad_login"), 401
    sess = session
    assert isinstance(sess, SiteSession)
    sess.sign_in(user.id, user.role)
    flash_message("welcome")
    return redirect(nxt)


@bp.post("/logout")
def logout() -> Any:
    sess = session
    assert isinstance(sess, SiteSession)
    sess.sign_out()
    return redirect(url_for("member.home"))


@bp.post("/lang")
def choose_language() -> Any:
    lang = request.form.get("lang")
    if lang in LANGS:
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")))
