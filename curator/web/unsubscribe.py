"""The links in newsletters: one-click unsubscribe (RFC 8058), the preferences page, signed
click links and the open-tracking image. Registered on the one web app by :func:`curator.web.app.create_app`.

Rules:
- ``POST /u/<token>`` unsubscribes in that request: no login, no cookies, no CSRF token (the
  signed token is the proof; :func:`one_click` is the ONLY view exempt from CSRF), answer ``200``
  with no redirect; repeating it changes nothing.
- ``GET``/``HEAD`` on the same URL never changes anything (link scanners prefetch every link):
  they show a page with a button that POSTs.
- Every bad token gets the same ``404`` page, whatever was wrong with it.
- ``POST /preferences/<token>`` changes the digest frequency or subscribes again without
  sign-in (the signed token names the member), but it is no one-click action: its form carries
  a CSRF token like every other form of the site. Its GET changes nothing.
- No other route here accepts a state-changing method. Click links and the tracking image count
  an event on GET (that is what they are for) but change nothing else; scanners' fetches are
  stored as low-confidence and feed no profile (:mod:`curator.newsletter.engagement`).

The pages are self-contained (no templates; the session is used only for the preference form's
CSRF token) so that they look the same whatever the member's mail client.
"""

from __future__ import annotations

from html import escape
from typing import Final

from flask import Blueprint, Response, redirect, request
from flask_wtf.csrf import generate_csrf

from ..errors import InvalidInput
from ..types import DIGEST_FREQUENCIES
from .app import cur

bp = Blueprint("unsubscribe", __name__)

_PAGE: Final = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{title}</title></head><body style="font-family:Helvetica,Arial,sans-serif;max-width:36em;margin:3em auto;padding:0 1em">
<h1 style="font-size:1.4em">{title}</h1>{body}</body></html>"""

_TEXTS: Final = {
    "en": {"confirm_title": "Unsubscribe from the digest?",
           "confirm": "{name}, do you want to stop receiving the DigitalCluster digest and newsletters at {email}?",
           "button": "Unsubscribe", "done_title": "You are unsubscribed",
           "done": "You will not receive the digest or newsletters any more. Account emails (login, invitations) are not affected.",
           "prefs_title": "Email preferences", "prefs": "Digest and newsletters for {email}: {state}.",
           "on": "subscribed", "off": "unsubscribed", "frequency": "Digest frequency",
           "weekly": "Weekly", "monthly": "Monthly (the first digest of each month)", "never": "Never",
           "save": "Save", "saved": "Saved.", "subscribe": "Subscribe again",
           "still_stopped": "Mail to this address stays stopped (it bounced or was blocked). Please contact us.",
           "bad_frequency": "Please choose one of the offered frequencies."},
    "de": {"confirm_title": "Vom Überblick abmelden?",
           "confirm": "{name}, möchten Sie den DigitalCluster-Überblick und Newsletter an {email} nicht mehr erhalten?",
           "button": "Abmelden", "done_title": "Sie sind abgemeldet",
           "done": "Sie erhalten den Überblick und Newsletter nicht mehr. Konto-E-Mails (Anmeldung, Einladungen) sind nicht betroffen.",
           "prefs_title": "E-Mail-Einstellungen", "prefs": "Überblick und Newsletter an {email}: {state}.",
           "on": "abonniert", "off": "abgemeldet", "frequency": "Häufigkeit des Überblicks",
           "weekly": "Wöchentlich", "monthly": "Monatlich (der erste Überblick eines Monats)", "never": "Nie",
           "save": "Speichern", "saved": "Gespeichert.", "subscribe": "Wieder anmelden",
           "still_stopped": "Mail an diese Adresse bleibt gesperrt (sie kam zurück oder wurde gesperrt). "
                            "Bitte schreiben Sie uns.",
           "bad_frequency": "Bitte wählen Sie eine der angebotenen Häufigkeiten."},
}
NOT_FOUND: Final = "This link is not valid. If you copied it, please check that it is complete."

PAGE_CSP: Final = ("default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'self'; "
                   "base-uri 'none'")
"""These pages carry inline styles (they are self-contained) and no script at all."""


def _page(lang: str, title: str, body: str, status: int = 200) -> Response:
    return Response(_PAGE.format(lang=lang, title=escape(title), body=body), status=status, mimetype="text/html")


def _not_found() -> Response:
    return _page("en", "Link not valid", f"<p>{escape(NOT_FOUND)}</p>", 404)


@bp.after_request
def _headers(resp: Response) -> Response:
    """Where these pages differ from the rest of the site; the app's own ``after_request`` then
    adds what every response carries (frame and sniffing headers, no-store)."""
    resp.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    # The app's own policy forbids inline styles, which would leave these pages unstyled.
    resp.headers["Content-Security-Policy"] = PAGE_CSP
    return resp


@bp.route("/u/<token>", methods=["GET", "HEAD", "POST"])
def one_click(token: str) -> Response:
    """GET/HEAD: a page with a button; POST: unsubscribe now (RFC 8058 one-click)."""
    digests = cur().digests
    member = digests.unsubscribe_target(token)
    if member is None:
        return _not_found()
    lang = member.language if member.language in _TEXTS else "en"
    t = _TEXTS[lang]
    if request.method == "POST":
        digests.unsubscribe(token)
        return _page(lang, t["done_title"], f"<p>{escape(t['done'])}</p>")
    form = (f'<p>{escape(t["confirm"].format(name=member.name, email=member.email))}</p>'
            f'<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
            f'<button type="submit">{escape(t["button"])}</button></form>')
    return _page(lang, t["confirm_title"], form)


@bp.route("/preferences/<token>", methods=["GET", "HEAD", "POST"])
def preferences(token: str) -> Response:
    """The preference page of every email, no sign-in: whether the member gets newsletters (a
    button to stop them, or to subscribe again) and how often the digest. POST (with the form's
    CSRF token) saves ``frequency`` or, with ``action=subscribe``, subscribes again."""
    c = cur()
    digests = c.digests
    member = digests.preferences_target(token)
    if member is None:
        return _not_found()
    lang = member.language if member.language in _TEXTS else "en"
    t = _TEXTS[lang]
    notice, status = "", 200
    if request.method == "POST":
        if request.form.get("action") == "subscribe":
            digests.resubscribe(member, source="preferences link")
            notice = t["saved"] if not digests.is_unsubscribed(member) else t["still_stopped"]
        else:
            try:
                member = c.members.set_digest_frequency(member, request.form.get("frequency", ""))
                notice = t["saved"]
            except InvalidInput:
                notice, status = t["bad_frequency"], 400
    subscribed = not digests.is_unsubscribed(member)
    csrf = escape(generate_csrf())
    body = f'<p role="status"><strong>{escape(notice)}</strong></p>' if notice else ""
    body += f"<p>{escape(t['prefs'].format(email=member.email, state=t['on'] if subscribed else t['off']))}</p>"
    if subscribed:
        body += (f'<form method="post" action="/u/{escape(digests.unsubscribe_token(member))}">'
                 f'<button type="submit">{escape(t["button"])}</button></form>')
    else:
        body += (f'<form method="post"><input type="hidden" name="csrf_token" value="{csrf}">'
                 f'<input type="hidden" name="action" value="subscribe">'
                 f'<button type="submit">{escape(t["subscribe"])}</button></form>')
    options = "".join(f'<option value="{f}"{" selected" if member.digest_frequency == f else ""}>'
                      f"{escape(t[f])}</option>" for f in DIGEST_FREQUENCIES)
    body += (f'<form method="post"><input type="hidden" name="csrf_token" value="{csrf}">'
             f'<label for="freq">{escape(t["frequency"])}</label> <select id="freq" name="frequency">{options}</select> '
             f'<button type="submit">{escape(t["save"])}</button></form>')
    return _page(lang, t["prefs_title"], body, status)


@bp.route("/t/c/<token>", methods=["GET", "HEAD"])
def click(token: str) -> Response:
    """A signed click link: count the click (members with tracking consent only; scanners and
    HEAD requests as low confidence) and redirect to its target, or the uniform 404."""
    url = cur().digests.track_click(token, user_agent=request.headers.get("User-Agent"), method=request.method)
    if url is None:
        return _not_found()
    return redirect(url, code=302)  # type: ignore[return-value]


PIXEL: Final = bytes.fromhex("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b")
"""A transparent 1x1 GIF."""


@bp.route("/t/o/<token>.gif", methods=["GET", "HEAD"])
def open_pixel(token: str) -> Response:
    """The tracking image of a member with consent: count an open (a lower bound: many clients
    load no images). Every token, valid or not, gets the same image, so the answer tells nothing."""
    cur().digests.track_open(token, user_agent=request.headers.get("User-Agent"), method=request.method)
    return Response(PIXEL, mimetype="image/gif")
