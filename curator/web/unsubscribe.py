"""The links in newsletters: one-click unsubscribe (RFC 8058), the preferences page and signed
click links. Registered on the one web app by :func:`curator.web.app.create_app`.

Rules:
- ``POST /u/<token>`` unsubscribes in that request: no login, no cookies, no CSRF token (the
  signed token is the proof; :func:`one_click` is the ONLY view exempt from CSRF), answer ``200``
  with no redirect; repeating it changes nothing.
- ``GET``/``HEAD`` on the same URL never changes anything (link scanners prefetch every link):
  they show a page with a button that POSTs.
- Every bad token gets the same ``404`` page, whatever was wrong with it.
- No other route here accepts a state-changing method.

The pages are self-contained (no templates, no session use) so that they look the same whatever
the member's mail client or cookies.
"""

from __future__ import annotations

from html import escape
from typing import Final

from flask import Blueprint, Response, redirect, request

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
           "on": "subscribed", "off": "unsubscribed"},
    "de": {"confirm_title": "Vom Überblick abmelden?",
           "confirm": "{name}, möchten Sie den DigitalCluster-Überblick und Newsletter an {email} nicht mehr erhalten?",
           "button": "Abmelden", "done_title": "Sie sind abgemeldet",
           "done": "Sie erhalten den Überblick und Newsletter nicht mehr. Konto-E-Mails (Anmeldung, Einladungen) sind nicht betroffen.",
           "prefs_title": "E-Mail-Einstellungen", "prefs": "Überblick und Newsletter an {email}: {state}.",
           "on": "abonniert", "off": "abgemeldet"},
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
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
    resp.headers["X-Content-Type-Options"] = "nosniff"
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


@bp.get("/preferences/<token>")
def preferences(token: str) -> Response:
    """Whether the member still gets newsletters, with a button to stop them."""
    digests = cur().digests
    member = digests.preferences_target(token)
    if member is None:
        return _not_found()
    lang = member.language if member.language in _TEXTS else "en"
    t = _TEXTS[lang]
    state = t["off"] if digests.is_unsubscribed(member) else t["on"]
    body = f"<p>{escape(t['prefs'].format(email=member.email, state=state))}</p>"
    if state == t["on"]:
        body += (f'<form method="post" action="/u/{escape(digests.unsubscribe_token(member))}">'
                 f'<button type="submit">{escape(t["button"])}</button></form>')
    return _page(lang, t["prefs_title"], body)


@bp.get("/t/c/<token>")
def click(token: str) -> Response:
    """A signed click link: redirect to its target, or the uniform 404."""
    url = cur().digests.click_target(token)
    if url is None:
        return _not_found()
    return redirect(url, code=302)  # type: ignore[return-value]
