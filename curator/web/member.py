"""The member area: feed, search, item pages, feedback, sending to colleagues, saved items, preferences,
own data (download, erase), private RSS feed, member posts, API tokens.

Every route acts on the signed-in person only: there is no member id in any URL, so nobody can
reach someone else's feed, preferences or data by changing a number (W10). Items go through
``visible_item`` (404 for anything the person may not see, W07).
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from flask import Blueprint, Response, abort, g, redirect, render_template, request, session, url_for
from markupsafe import Markup

from ..errors import InvalidInput, NotFound, RateLimited
from ..i18n import translate
from ..types import AREA_IDS, LANGUAGES
from .app import cur, flash_message, login_required, member_required, safe_next
from .sessions import SiteSession

bp = Blueprint("member", __name__)

FEEDBACK_ACTIONS = ("rating", "save", "hide", "more", "less")


def _filters() -> tuple[str | None, str | None]:
    area = request.args.get("area") or None
    lang = request.args.get("lang") or None
    return (area if area in AREA_IDS else None), (lang if lang in LANGUAGES else None)


@bp.get("/")
def home() -> Any:
    c = cur()
    area, lang = _filters()
    if g.user is not None and g.member is not None and g.member.status == "member":
        entries = c.feeds.member_feed(g.user, area=area, lang=lang, limit=30, member=g.member)
        return render_template("feed.html", entries=entries, area=area, flang=lang, personal=True,
                               in_digest=c.digests.shown_to(g.member))
    items = c.feeds.browse(g.user, area=area, lang=lang, limit=30)
    return render_template("feed.html", entries=[(i, None) for i in items], area=area, flang=lang, personal=False)


@bp.get("/browse")
def browse() -> Any:
    area, lang = _filters()
    q = (request.args.get("q") or "").strip()[:200]
    try:
        page = max(0, min(int(request.args.get("page", "0")), 1000))
    except ValueError:
        page = 0
    items = cur().feeds.browse(g.user, area=area, lang=lang, limit=30, offset=page * 30, search=q or None)
    return render_template("browse.html", items=items, area=area, flang=lang, q=q, page=page)


_NOT_A_MARK = re.compile(r"<(?!/?mark>)")


@bp.app_template_filter("marked")
def marked(snippet: str) -> Markup:
    """A search snippet as markup: it arrives HTML-escaped with the query's words in ``<mark>``
    (:class:`curator.types.SearchHit`); any other ``<`` is escaped here as well, so a snippet
    that broke that promise could still not open a tag of its own."""
    return Markup(_NOT_A_MARK.sub("&lt;", snippet))


@bp.get("/search")
def search() -> Any:
    """Search in both languages among what the reader may see (``?q=``, ``area``, ``lang``)."""
    area, lang = _filters()
    q = (request.args.get("q") or "").strip()[:200]
    hits = cur().items.search(q, member=g.member, area=area, lang=lang, limit=30) if q else []
    return render_template("search.html", hits=hits, area=area, flang=lang, q=q)


@bp.get("/items/<int:item_id>")
def item(item_id: int) -> Any:
    it = cur().feeds.visible_item(g.user, item_id)
    return render_template("item.html", item=it)


@bp.post("/items/<int:item_id>/feedback")
@member_required
def feedback(item_id: int) -> Any:
    action = request.form.get("action", "")
    if action not in FEEDBACK_ACTIONS:
        abort(400)
    value = None
    if action == "rating":
        try:
            value = float(request.form.get("value", ""))
        except ValueError:
            raise InvalidInput("choose a rating from 1 to 5") from None
    cur().feedback.give(g.user, item_id, action, value=value)
    flash_message("thanks")
    return redirect(safe_next(request.form.get("next"), url_for("member.item", item_id=item_id)))


def _send_page(item_id: int, *, error: str | None = None, limit: int | None = None, status: int = 200) -> Any:
    """The send page: a search by name (``?q=``) among those who may receive the item, never a
    list of members, and no address anywhere."""
    c = cur()
    it = c.feeds.visible_item(g.user, item_id)
    q = (request.args.get("q") or request.form.get("q") or "").strip()[:100]
    people = c.feedback.colleagues(g.user, item_id, q)
    return render_template("send.html", item=it, q=q, people=people, error=error, limit=limit), status


@bp.get("/items/<int:item_id>/send")
@member_required
def send_form(item_id: int) -> Any:
    return _send_page(item_id)


@bp.post("/items/<int:item_id>/send")
@member_required
def send(item_id: int) -> Any:
    c = cur()
    c.feeds.visible_item(g.user, item_id)  # 404 for an item the sender may not see
    f = request.form
    typed = f.get("to", "").strip()
    chosen = f.get("to_member", "")
    try:
        c.feedback.share(g.user, item_id, to_email=typed or None,
                         to_member=int(chosen) if not typed and chosen.isdigit() and len(chosen) < 10 else None,
                         note=f.get("note", ""))
    except NotFound:  # the same answer for every colleague who cannot receive it
        return _send_page(item_id, error="send_refused", status=404)
    except RateLimited as exc:
        return _send_page(item_id, error="send_limit", limit=exc.limit, status=429)
    flash_message("sent")
    return redirect(url_for("member.item", item_id=item_id))


@bp.get("/saved")
@member_required
def saved() -> Any:
    return render_template("browse.html", items=cur().feeds.saved(g.user), area=None, flang=None, q="", page=0,
                           saved=True)


@bp.get("/me/preferences")
@login_required
def preferences() -> Any:
    c = cur()
    token = c.accounts.rss_token(g.user) if g.member is not None else None
    clubs = {cl.id: (cl.name_de if g.lang == "de" else cl.name) for cl in c.members.clubs()} if g.member else {}
    subscribed = not c.digests.is_unsubscribed(g.member) if g.member is not None else None
    return render_template("preferences.html", rss=token, clubs=clubs, subscribed=subscribed)


@bp.post("/me/newsletter")
@member_required
def newsletter_subscription() -> Any:
    """Stop the digest and newsletters, or subscribe again (``action``: stop | subscribe)."""
    digests = cur().digests
    if request.form.get("action") == "subscribe":
        digests.resubscribe(g.member, source="member area")
    else:
        digests.unsubscribe_member(g.member, source="member area")
    flash_message("saved_ok")
    return redirect(url_for("member.preferences"))


@bp.post("/me/preferences")
@login_required
def save_preferences() -> Any:
    f = request.form
    cur().members.update_preferences(
        g.user, language=f.get("language", "en"), areas=f.getlist("areas"), interests=f.get("interests", ""),
        digest_frequency=f.get("frequency", "weekly"), tracking_consent=f.get("tracking") == "on",
        colleague_mail=f.get("colleague_mail") == "on")
    session.pop("lang", None)  # the saved language wins
    flash_message("saved_ok")
    return redirect(url_for("member.preferences"))


@bp.post("/me/rss")
@member_required
def rss_new() -> Any:
    cur().accounts.rss_token(g.user, renew=True)
    return redirect(url_for("member.preferences"))


@bp.post("/me/rss/revoke")
@member_required
def rss_revoke() -> Any:
    cur().accounts.revoke_rss_token(g.user)
    return redirect(url_for("member.preferences"))


@bp.get("/rss/<token>")
def rss(token: str) -> Any:
    """The private feed: the member's personal ranking as RSS 2.0. Every bad token is the same 404."""
    c = cur()
    user = c.accounts.rss_user(token)
    if user is None:
        abort(404)
    base = c.settings.base_url.rstrip("/")
    entries = c.feeds.member_feed(user, limit=30)
    parts = ['<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
             "<title>DigitalCluster: my feed</title>", f"<link>{xml_escape(base)}/</link>",
             "<description>Personal ranking</description>"]
    for s in entries:
        link = f"{base}/items/{s.item.id}"
        parts.append(f"<item><title>{xml_escape(s.item.title)}</title><link>{xml_escape(link)}</link>"
                     f"<guid isPermaLink=\"false\">curator-item-{s.item.id}</guid>"
                     f"<description>{xml_escape(s.explanation + ' — ' + s.item.summary[:400])}</description>"
                     f"<pubDate>{s.item.published.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>")
    parts.append("</channel></rss>")
    return Response("".join(parts), mimetype="application/rss+xml",
                    headers={"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"})


@bp.get("/me/data")
@login_required
def data() -> Any:
    return render_template("data.html")


@bp.get("/me/data/export.json")
@login_required
def export() -> Any:
    body = json.dumps(cur().accounts.export_data(g.user), ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-curator-data.json"'})


@bp.post("/me/data/erase")
@login_required
def erase() -> Any:
    if request.form.get("confirm") != "yes":  # a checkbox: no word to type in a foreign language
        raise InvalidInput(translate("erase_unconfirmed", g.lang))
    cur().accounts.erase(g.user)
    sess = session
    assert isinstance(sess, SiteSession)
    sess.sign_out()
    return render_template("message.html", key="erased")


@bp.get("/posts/new")
@member_required
def new_post() -> Any:
    c = cur()
    clubs = [cl for cl in c.members.clubs() if cl.id in g.member.clubs] if g.member.status == "member" else []
    mine = [p for p in c.posts.list(None, 10_000) if (p.author_email or "").lower() == g.user.email.lower()]
    return render_template("post_new.html", clubs=clubs, mine=mine, form={})


@bp.post("/posts/new")
@member_required
def submit_post() -> Any:
    c = cur()
    f = request.form
    visibility = f.get("visibility", "members")
    allowed = {"public"} | ({"members"} | {f"club:{x}" for x in g.member.clubs} if g.member.status == "member" else set())
    if visibility not in allowed:
        raise InvalidInput("you can only publish to everyone, members or a club you belong to")
    c.posts.submit(title=f.get("title", ""), text=f.get("text", ""), author_name=g.member.name,
                  author_email=g.member.email, organisation=g.member.organisation, link=f.get("link") or None,
                  visibility=visibility)
    flash_message("post_received")
    return redirect(url_for("member.new_post"))


@bp.get("/me/tokens")
@login_required
def tokens() -> Any:
    return render_template("tokens.html", tokens=cur().accounts.api_tokens(g.user.id), secret=None)


@bp.post("/me/tokens")
@login_required
def create_token() -> Any:
    c = cur()
    _, secret = c.accounts.create_api_token(g.user.id, request.form.get("name", "token")[:100])
    return render_template("tokens.html", tokens=c.accounts.api_tokens(g.user.id), secret=secret)


@bp.post("/me/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Any:
    if not cur().accounts.revoke_api_token(g.user.id, token_id):
        abort(404)
    return redirect(url_for("member.tokens"))
