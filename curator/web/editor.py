"""The editor console: dashboard, member-post moderation, digest review (reorder, pin, remove,
add, intro), previews as a member/persona/club, approval and scheduling, sources, tag
corrections, persona suggestions, trends, accounts (admins).

Every route needs the editor or admin role (members get 403, W11). Editors see all items here:
this is the one place where the access rule is deliberately not applied, because editors curate
club content too; what reaches members is still filtered by the rule (previews show exactly what
the chosen member, persona or club would get).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for

from ..errors import CuratorError, InvalidInput, NotFound
from ..types import AREA_IDS, ItemQuery, Member
from .app import PREVIEW_CSP, cur, flash_message, role_required
from .charts import bar_chart_svg, line_chart_svg

bp = Blueprint("editor", __name__, url_prefix="/editor")
editor_only = role_required("editor", "admin")


def _ids(text: str | None) -> list[int]:
    out = []
    for part in (text or "").replace(";", ",").replace(" ", ",").split(","):
        if part.strip():
            if not part.strip().isdigit():
                raise InvalidInput(f"{part.strip()!r} is not an item id (a number)")
            out.append(int(part.strip()))
    return out


@bp.get("/")
@editor_only
def dashboard() -> Any:
    c = cur()
    sources = c.sources.health()
    return render_template("editor/dashboard.html", pending=c.posts.list("pending", 500),
                           issues=c.digests.list(None, 10), broken=[s for s in sources if s.broken],
                           source_count=len(sources))


# ------------------------------------------------------------------ member posts

@bp.get("/posts")
@editor_only
def posts() -> Any:
    c = cur()
    return render_template("editor/posts.html", pending=c.posts.list("pending", 500), decided=[
        p for p in c.posts.list(None, 100) if p.status != "pending"][:30])


@bp.post("/posts/<int:post_id>/approve")
@editor_only
def approve_post(post_id: int) -> Any:
    cur().posts.approve(post_id, editor=g.user.email)
    cur().feeds.forget()
    flash_message("approved")
    return redirect(url_for("editor.posts"))


@bp.post("/posts/<int:post_id>/reject")
@editor_only
def reject_post(post_id: int) -> Any:
    cur().posts.reject(post_id, editor=g.user.email, reason=request.form.get("reason", ""))
    flash_message("rejected")
    return redirect(url_for("editor.posts"))


# ------------------------------------------------------------------ digests

@bp.get("/digests")
@editor_only
def digests() -> Any:
    c = cur()
    return render_template("editor/digests.html", issues=c.digests.list(None, 50), clubs=c.members.clubs(),
                           personas=sorted(c.personas.all()))


@bp.post("/digests")
@editor_only
def draft_digest() -> Any:
    issue = cur().digests.draft(request.form.get("segment", "everyone"), editor=g.user.email)
    return redirect(url_for("editor.digest", issue_id=issue.id))


@bp.get("/digests/<int:issue_id>")
@editor_only
def digest(issue_id: int) -> Any:
    c = cur()
    issue = c.digests.get(issue_id)
    pinned = [e.item_id for e in sorted(issue.entries, key=lambda e: e.position) if e.status == "pinned"]
    removed = [e.item_id for e in issue.entries if e.status == "removed"]
    items = {i.id: i for i in c.items.get_many(pinned + removed)}
    return render_template("editor/digest.html", issue=issue, pinned=[items[i] for i in pinned if i in items],
                           removed=[items[i] for i in removed if i in items], members=c.members.list()[:500],
                           personas=sorted(c.personas.all()), clubs=c.members.clubs(),
                           counts=c.digests.delivery_counts(issue_id) if issue.state not in ("draft", "in_review") else {},
                           report=c.digests.report(issue_id) if issue.state in REPORTED_STATES else None)


REPORTED_STATES = ("sending", "paused", "sent", "partially_sent")
"""Issues that have recipients, so a report of what they did."""


@bp.get("/digests/<int:issue_id>/report-<chart>.svg")
@editor_only
def digest_report_svg(issue_id: int, chart: str) -> Any:
    """The report's charts: ``funnel`` (recipients to clicks) or ``areas`` (clicks per area)."""
    r = cur().digests.report(issue_id)
    if chart == "funnel":
        values = {"recipients": r.total.recipients, "sent": r.total.sent, "opened (at least)": r.total.opened,
                  "clicked": r.total.clicked, "unsubscribed": r.total.unsubscribed}
    elif chart == "areas":
        values = dict(r.top_areas)
    else:
        abort(404)
    return Response(bar_chart_svg({k: float(v) for k, v in values.items()}), mimetype="image/svg+xml")


@bp.post("/digests/<int:issue_id>/texts")
@editor_only
def digest_texts(issue_id: int) -> Any:
    f = request.form
    lang = f.get("lang", "en")
    cur().digests.edit(issue_id, lang=lang, subject=f.get("subject"), intro=f.get("intro"),
                      preheader=f.get("preheader") or None)
    flash_message("saved_ok")
    return redirect(url_for("editor.digest", issue_id=issue_id))


@bp.post("/digests/<int:issue_id>/items")
@editor_only
def digest_items(issue_id: int) -> Any:
    """One form for reordering, removing and adding: ``op`` is up/down/remove/add/set."""
    c = cur()
    issue = c.digests.get(issue_id)
    pinned = [e.item_id for e in sorted(issue.entries, key=lambda e: e.position) if e.status == "pinned"]
    op = request.form.get("op", "")
    ids = _ids(request.form.get("item"))
    remove: list[int] = []
    if op == "set":
        pinned = ids
    elif op == "add":
        for i in ids:
            c.items.get(i)
            if i not in pinned:
                pinned.append(i)
    elif len(ids) == 1 and ids[0] in pinned:
        k = pinned.index(ids[0])
        if op == "up" and k > 0:
            pinned[k - 1], pinned[k] = pinned[k], pinned[k - 1]
        elif op == "down" and k < len(pinned) - 1:
            pinned[k + 1], pinned[k] = pinned[k], pinned[k + 1]
        elif op == "remove":
            remove = [ids[0]]
    elif op == "remove" and ids:
        remove = ids
    else:
        raise InvalidInput("unknown change; use up, down, remove, add or set with an item id")
    c.digests.edit(issue_id, pins=pinned, remove=remove)
    return redirect(url_for("editor.digest", issue_id=issue_id))


@bp.post("/digests/<int:issue_id>/approve")
@editor_only
def approve_digest(issue_id: int) -> Any:
    rev = request.form.get("revision")
    cur().digests.approve(issue_id, editor=g.user.email, revision=int(rev) if rev and rev.isdigit() else None)
    flash_message("approved")
    return redirect(url_for("editor.digest", issue_id=issue_id))


@bp.post("/digests/<int:issue_id>/schedule")
@editor_only
def schedule_digest(issue_id: int) -> Any:
    c = cur()
    text = request.form.get("at", "")
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date and time (YYYY-MM-DDTHH:MM)") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(c.settings.timezone))
    c.digests.schedule(issue_id, at)
    return redirect(url_for("editor.digest", issue_id=issue_id))


@bp.post("/digests/<int:issue_id>/send")
@editor_only
def send_digest(issue_id: int) -> Any:
    report = cur().digests.send(issue_id)
    return render_template("message.html", key=None,
                           text=f"sent {report.sent}, failed {report.failed}, uncertain {report.uncertain}, "
                                f"skipped {report.skipped}; {report.state} {report.message}")


@bp.post("/digests/<int:issue_id>/cancel")
@editor_only
def cancel_digest(issue_id: int) -> Any:
    cur().digests.cancel(issue_id)
    return redirect(url_for("editor.digest", issue_id=issue_id))


def _preview_member() -> Member:
    """The member, persona or club the editor chose (persona/club: a stand-in member)."""
    c = cur()
    email = request.args.get("member")
    persona = request.args.get("persona")
    club = request.args.get("club")
    lang = request.args.get("lang") or "en"
    if lang not in ("de", "en"):
        lang = "en"
    if email:
        return c.members.get(email)
    if persona:
        p = c.personas.all().get(persona)
        if p is None:
            raise NotFound(f"no persona {persona!r}")
        return Member(id=0, email="preview@curator.invalid", name="Preview", organisation=None, language=lang,
                      status="member", persona=p.id, declared_areas=p.preferred_areas)
    if club:
        if club not in {cl.id for cl in c.members.clubs()}:
            raise NotFound(f"no club {club!r}")
        return Member(id=0, email="preview@curator.invalid", name="Preview", organisation=None, language=lang,
                      status="member", clubs=frozenset({club}))
    return Member(id=0, email="preview@curator.invalid", name="Preview", organisation=None, language=lang,
                  status="member")


@bp.get("/digests/<int:issue_id>/preview")
@editor_only
def preview(issue_id: int) -> Any:
    cur().digests.get(issue_id)
    return render_template("editor/preview.html", issue_id=issue_id, query=request.query_string.decode("ascii",
                                                                                                      "replace"))


@bp.get("/digests/<int:issue_id>/preview.html")
@editor_only
def preview_html(issue_id: int) -> Any:
    rendered = cur().digests.render_for(issue_id, _preview_member())
    return Response(rendered.html, mimetype="text/html", headers={"Content-Security-Policy": PREVIEW_CSP})


@bp.get("/digests/<int:issue_id>/preview.txt")
@editor_only
def preview_text(issue_id: int) -> Any:
    rendered = cur().digests.render_for(issue_id, _preview_member())
    return Response(rendered.text, mimetype="text/plain")


# ------------------------------------------------------------------ sources
# The database holds the sources; the console adds and changes its own ("console" origin), switches
# any source on or off and never writes the feeds file, whose sources it shows read-only.

def _sources_page(error: str | None = None, form: Any = None, status: int = 200) -> Any:
    c = cur()
    return render_template("editor/sources.html", sources=c.sources.health(), clubs=c.members.clubs(),
                           error=error, form=form or {}), status


def _source_form() -> dict[str, Any]:
    f = request.form
    return dict(url=f.get("url", ""), title=f.get("title", ""), visibility=f.get("visibility", "public"),
                lang=f.get("lang") or None, areas=f.getlist("areas"))


def _source_change(change: Callable[[], object], *, refused: int, form: Any = None, saved: bool = True) -> Any:
    """Apply ``change`` and go back to the sources page; a refused change shows that page with
    the reason (status ``refused``) and ``form`` filled in again. An unknown source is a 404."""
    try:
        change()
    except NotFound:
        raise
    except CuratorError as exc:
        return _sources_page(str(exc), form, refused)
    if saved:
        flash_message("saved_ok")
    return redirect(url_for("editor.sources"))


@bp.get("/sources")
@editor_only
def sources() -> Any:
    return _sources_page()


@bp.post("/sources")
@editor_only
def add_source() -> Any:
    return _source_change(lambda: cur().sources.add(**_source_form()), refused=400, form=request.form)


@bp.post("/sources/<source_id>")
@editor_only
def update_source(source_id: str) -> Any:
    return _source_change(lambda: cur().sources.update(source_id, **_source_form()), refused=400)


@bp.post("/sources/<source_id>/enabled")
@editor_only
def source_enabled(source_id: str) -> Any:
    on = request.form.get("enabled") == "1"
    return _source_change(lambda: cur().sources.set_enabled(source_id, on), refused=409, saved=False)


# ------------------------------------------------------------------ items and tag corrections

@bp.get("/items")
@editor_only
def items() -> Any:
    q = (request.args.get("q") or "").strip()[:200]
    found = cur().items.list(ItemQuery(limit=50, search=q or None))
    return render_template("editor/items.html", items=found, q=q)


@bp.post("/items/<int:item_id>/tags")
@editor_only
def correct_tags(item_id: int) -> Any:
    cur().tagging.correct(item_id, request.form.getlist("areas"), editor=g.user.email)
    flash_message("saved_ok")
    return redirect(url_for("editor.items", q=request.form.get("q", "")))


# ------------------------------------------------------------------ personas

@bp.get("/personas")
@editor_only
def personas() -> Any:
    c = cur()
    return render_template("editor/personas.html", suggestions=c.personas.suggestions("open"),
                           personas=c.personas.all())


@bp.post("/personas/<int:suggestion_id>/accept")
@editor_only
def accept_persona(suggestion_id: int) -> Any:
    cur().personas.accept(suggestion_id, editor=g.user.email,
                                    persona_id=request.form.get("persona_id") or None)
    flash_message("approved")
    return redirect(url_for("editor.personas"))


@bp.post("/personas/<int:suggestion_id>/reject")
@editor_only
def reject_persona(suggestion_id: int) -> Any:
    cur().personas.reject(suggestion_id, editor=g.user.email)
    flash_message("rejected")
    return redirect(url_for("editor.personas"))


# ------------------------------------------------------------------ trends

@bp.get("/trends")
@editor_only
def trends() -> Any:
    data = cur().stats.trends()
    segments: dict[str, dict[str, int]] = {}
    for _, area, persona, n in data["engagement"]:
        segments.setdefault(persona, {}).setdefault(area, 0)
        segments[persona][area] += n
    return render_template("editor/trends.html", data=data, segments=segments)


def _series(rows: list[tuple[Any, ...]]) -> tuple[list[str], dict[str, list[float]]]:
    weeks = sorted({r[0] for r in rows})
    series = {a: [0.0] * len(weeks) for a in AREA_IDS}
    for r in rows:
        if r[1] in series:
            series[r[1]][weeks.index(r[0])] += r[-1]
    return weeks, series


@bp.get("/trends/items.svg")
@editor_only
def trends_items_svg() -> Any:
    weeks, series = _series(cur().stats.trends()["items"])
    return Response(line_chart_svg(weeks, series, title="items"), mimetype="image/svg+xml")


@bp.get("/trends/engagement.svg")
@editor_only
def trends_engagement_svg() -> Any:
    weeks, series = _series(cur().stats.trends()["engagement"])
    return Response(line_chart_svg(weeks, series, title="engagement"), mimetype="image/svg+xml")


@bp.get("/trends/segments.svg")
@editor_only
def trends_segments_svg() -> Any:
    totals: dict[str, float] = {}
    for _, _area, persona, n in cur().stats.trends()["engagement"]:
        totals[persona] = totals.get(persona, 0) + n
    return Response(bar_chart_svg(totals), mimetype="image/svg+xml")


# ------------------------------------------------------------------ accounts (admins)

@bp.get("/users")
@role_required("admin")
def users() -> Any:
    return render_template("editor/users.html", users=cur().accounts.users())


@bp.post("/users/role")
@role_required("admin")
def set_role() -> Any:
    email = request.form.get("email", "")
    if email.strip().lower() == g.user.email:
        abort(400)  # an admin does not demote themselves by a slip of the mouse
    cur().accounts.set_role(email, request.form.get("role", "member"))
    return redirect(url_for("editor.users"))
