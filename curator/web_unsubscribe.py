"""A minimal WSGI app for the links in newsletters: one-click unsubscribe (RFC 8058), the
preferences page and signed click links. The full web app (a later issue) can mount these routes.

Rules (RELIABILITY 3F):
- ``POST /u/<token>`` unsubscribes in that request: no login, no cookies, no CSRF token (the
  signed token is the proof), answer ``200`` with no redirect; repeating it changes nothing.
- ``GET``/``HEAD`` on the same URL never changes anything (link scanners prefetch every link):
  they show a page with a button that POSTs.
- Every bad token gets the same ``404`` page, whatever was wrong with it.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask, Response

    from .core import Curator

_PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>{title}</title></head><body style="font-family:Helvetica,Arial,sans-serif;max-width:36em;margin:3em auto;padding:0 1em">
<h1 style="font-size:1.4em">{title}</h1>{body}</body></html>"""

_TEXTS = {
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
NOT_FOUND = "This link is not valid. If you copied it, please check that it is complete."


def create_unsubscribe_app(cur: Curator) -> Flask:
    """The app for ``cur``. Routes: ``/u/<token>`` (GET shows, POST unsubscribes),
    ``/preferences/<token>`` (GET) and ``/t/c/<token>`` (signed click link, GET redirects)."""
    from flask import Flask, Response, redirect, request

    app = Flask("curator.web_unsubscribe")

    def page(lang: str, title: str, body: str, status: int = 200) -> Response:
        resp = Response(_PAGE.format(lang=lang, title=escape(title), body=body), status=status,
                        mimetype="text/html")
        return resp

    def not_found() -> Response:
        return page("en", "Link not valid", f"<p>{escape(NOT_FOUND)}</p>", 404)

    @app.after_request
    def _headers(resp: Response) -> Response:
        resp.headers["Cache-Control"] = "no-store"
        resp.headers["Referrer-Policy"] = "no-referrer"  # the token is in the URL
        resp.headers["X-Content-Type-Options"] = "nosniff"
        return resp

    @app.route("/u/<token>", methods=["GET", "HEAD", "POST"])
    def unsubscribe(token: str) -> Response:
        member = cur.unsubscribe_target(token)
        if member is None:
            return not_found()
        lang = member.language if member.language in _TEXTS else "en"
        t = _TEXTS[lang]
        if request.method == "POST":
            cur.unsubscribe(token)
            return page(lang, t["done_title"], f"<p>{escape(t['done'])}</p>")
        form = (f'<p>{escape(t["confirm"].format(name=member.name, email=member.email))}</p>'
                f'<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">'
                f'<button type="submit">{escape(t["button"])}</button></form>')
        return page(lang, t["confirm_title"], form)

    @app.get("/preferences/<token>")
    def preferences(token: str) -> Response:
        data = cur.token_signer.loads("preferences", token)
        member = cur._directory().get_member(data["m"]) if data and isinstance(data.get("m"), int) else None
        if member is None:
            return not_found()
        lang = member.language if member.language in _TEXTS else "en"
        t = _TEXTS[lang]
        state = t["off"] if cur.is_unsubscribed(member) else t["on"]
        body = f"<p>{escape(t['prefs'].format(email=member.email, state=state))}</p>"
        if state == t["on"]:
            body += (f'<form method="post" action="/u/{escape(cur.unsubscribe_token(member))}">'
                     f'<button type="submit">{escape(t["button"])}</button></form>')
        return page(lang, t["prefs_title"], body)

    @app.get("/t/c/<token>")
    def click(token: str) -> Response:
        url = cur.click_target(token)
        if url is None:
            return not_found()
        return redirect(url, code=302)  # type: ignore[return-value]

    return app
