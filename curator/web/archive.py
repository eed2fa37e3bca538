"""The web archive of sent digests: the list of issues for a signed-in member, and each issue's
web copy, which every email links to as "view in browser".

Who may see a web copy (design note "The web archive: a personal copy, signed link or sign-in"):
- ``GET /digests/<issue>/<lang>?k=<token>``: the copy of the member the signed token names (the
  email's own "view in browser" link; no sign-in, as with the preference link). The token is
  bound to one issue and one member; it shows what that member's email showed.
- ``GET /digests/<issue>/<lang>`` without a token: the signed-in member's own copy; visitors are
  sent to sign in first.
- Either way the copy is composed now for that member: only items the access rule lets them see
  today, and only for issues whose segment they are in (club issues for club members only).
  Everything else, a bad token included, is the same 404.

The copy is the email's HTML: inline styles and no script, served like the editor's email
preview (a sandboxing Content-Security-Policy) and with no referrer, as the token is in the URL.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from ..errors import NotFound
from .app import PREVIEW_CSP, cur, member_required

bp = Blueprint("archive", __name__)


@bp.get("/digests/archive")
@member_required
def archive() -> Any:
    """The issues the signed-in member may read, newest first, each linking to their web copy."""
    c = cur()
    issues = c.digests.archive(g.member)
    names = c.digests.segment_names()
    rows = [(i, c.digests.segment_name(i.segment, g.lang, names)) for i in issues]
    return render_template("archive.html", rows=rows)


@bp.get("/digests/<int:issue_id>/<lang>")
def web_copy(issue_id: int, lang: str) -> Any:
    """The issue's web copy for the member the signed link names, else for the signed-in member."""
    digests = cur().digests
    token = request.args.get("k")
    if token is not None:
        member = digests.web_link_target(issue_id, token)
        if member is None:
            abort(404)
    elif g.user is None:
        return redirect(url_for("auth.login", next=request.full_path))
    elif g.member is None:
        abort(404)
    else:
        member = g.member
    try:
        rendered = digests.web_copy(issue_id, member, lang)
    except NotFound:
        abort(404)
    resp = Response(rendered.html, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = PREVIEW_CSP
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Robots-Tag"] = "noindex"
    return resp
