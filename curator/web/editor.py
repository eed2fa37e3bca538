"""The editor console: dashboard, member-post moderation, digest review (reorder, pin, remove,
add, intro), previews as a member/persona/club, approval and scheduling, sources, tag
corrections, persona suggestions, trends, editor rules (block or boost), accounts (admins).

Every route needs the editor or admin role (members get 403, W11). Editors see all items here:
this is the one place where the access rule is deliberately not applied, because editors curate
club content too; what reaches members is still filtered by the rule (previews show exactly what
the chosen member, persona or club would get).
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, url_for

from ..errors import CuratorError, InvalidInput, NotFound
from ..i18n import translate
from ..types import AREA_IDS, DigestIssue, ItemQuery, Member
from .app import PREVIEW_CSP, cur, flash_message, role_required
from .charts import bar_chart_svg, line_chart_svg, topic_chart_svg

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


CANDIDATE_LIMIT = 30
"""How many candidates (ranked for the segment, or found by the search box) the digest page lists."""


def _candidate_filters(values: Any) -> dict[str, str]:
    """The candidate list's search text, area and language from a query string or a form, checked:
    an unknown area or language is ignored rather than refused (the list then shows all)."""
    q = (values.get("q") or "").strip()[:200]
    area = values.get("area") or ""
    lang = values.get("lang") or ""
    return {"q": q, "area": area if area in AREA_IDS else "", "lang": lang if lang in ("de", "en") else ""}


def _back_to_digest(issue_id: int, anchor: str | None = None) -> Any:
    """Back to the digest page with the candidate filters the form carried, at ``anchor`` (the
    moved or added entry, the texts of one language...), so the page returns to the same place."""
    kept: dict[str, Any] = {k: v for k, v in _candidate_filters(request.form).items() if v}
    return redirect(url_for("editor.digest", issue_id=issue_id, _anchor=anchor, **kept))


def _candidates(issue: DigestIssue, filters: dict[str, str]) -> list[dict[str, Any]]:
    """What the candidate list shows: the search box's hits over all items (everything an editor
    may curate), or without a search the items of the period ranked for the segment; items the
    issue already pins or removed are left out."""
    c = cur()
    area, lang = filters["area"] or None, filters["lang"] or None
    if filters["q"]:
        taken = {e.item_id for e in issue.entries}
        hits = c.items.search(filters["q"], everything=True, area=area, lang=lang, limit=CANDIDATE_LIMIT + len(taken))
        return [{"item": h.item, "snippet": h.snippet, "reach": None} for h in hits if h.item.id not in taken][
            :CANDIDATE_LIMIT]
    return [{"item": d.item, "snippet": "", "reach": (d.reach, d.sampled) if d.sampled else None}
            for d in c.digests.candidates(issue, area=area, lang=lang, limit=CANDIDATE_LIMIT)]


OPEN_STATES = ("draft", "in_review", "approved", "scheduled")
"""Issues that have not started sending: the console shows who would get them."""


@bp.get("/digests/<int:issue_id>")
@editor_only
def digest(issue_id: int) -> Any:
    c = cur()
    issue = c.digests.get(issue_id)
    pinned = [e.item_id for e in sorted(issue.entries, key=lambda e: e.position) if e.status == "pinned"]
    removed = [e.item_id for e in issue.entries if e.status == "removed"]
    items = {i.id: i for i in c.items.get_many(pinned + removed)}
    filters = _candidate_filters(request.args)
    return render_template("editor/digest.html", issue=issue, pinned=[items[i] for i in pinned if i in items],
                           removed=[items[i] for i in removed if i in items], members=c.members.list()[:500],
                           personas=sorted(c.personas.all()), clubs=c.members.clubs(),
                           candidates=_candidates(issue, filters), filters=filters, actions=c.digests.actions(issue),
                           audience=c.digests.recipient_counts(issue) if issue.state in OPEN_STATES else None,
                           warnings=c.digests.warnings(issue) if issue.state in OPEN_STATES else (),
                           counts=c.digests.delivery_counts(issue_id) if issue.state not in ("draft", "in_review") else {},
                           report=c.digests.report(issue_id, g.lang) if issue.state in REPORTED_STATES else None)


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
    """Subject, preheader and intro of one language (``text_lang``; ``lang`` is the candidate
    list's language filter, kept for the way back); a field the form does not carry stays as it is."""
    f = request.form
    lang = f.get("text_lang", "en")
    cur().digests.edit(issue_id, lang=lang, subject=f.get("subject"), intro=f.get("intro"),
                       preheader=f.get("preheader"))
    flash_message("saved_ok")
    return _back_to_digest(issue_id, f"texts-{lang}")


@bp.post("/digests/<int:issue_id>/topics")
@editor_only
def digest_topics(issue_id: int) -> Any:
    """Append the "topics" block of ``lang`` (the newest topic trends, ``cur.trends.topics_block``)
    to that language's intro. The texts form's second button posts here with what the editor
    typed, so unsaved changes to subject, preheader and intro are kept; without an ``intro``
    field the stored intro is extended. Before the worker's first computation the typed texts
    are saved and the page says how to get one: the console never computes trends in a request."""
    f = request.form
    lang = f.get("text_lang", "")
    if lang not in ("de", "en"):
        raise InvalidInput("language must be de or en")
    c = cur()
    intro = f.get("intro")
    if intro is None:
        intro = c.digests.get(issue_id).texts.get(lang, {}).get("intro", "")
    if c.trends.latest() is None:
        c.digests.edit(issue_id, lang=lang, subject=f.get("subject"), preheader=f.get("preheader"), intro=intro)
        flash_message("topics_none")
        return _back_to_digest(issue_id, f"texts-{lang}")
    block = c.trends.topics_block(lang).text.strip()
    c.digests.edit(issue_id, lang=lang, subject=f.get("subject"), preheader=f.get("preheader"),
                   intro=f"{intro.rstrip()}\n\n{block}" if intro.strip() else block)
    flash_message("digest_topics_inserted")
    return _back_to_digest(issue_id, f"texts-{lang}")


def _position(text: str | None) -> int | None:
    if not (text or "").strip():
        return None
    if not text.strip().isdigit():  # type: ignore[union-attr]
        raise InvalidInput(f"{text!r} is not a position (1 is the top)")
    return int(text)  # type: ignore[arg-type]


@bp.post("/digests/<int:issue_id>/items")
@editor_only
def digest_items(issue_id: int) -> Any:
    """One form for the editor's picks: ``op`` is add (a candidate, at the end or at ``position``),
    up, down, move (to ``position``), remove, restore (a removed item) or set (all ids in order).
    Every change returns to the changed entry's anchor (``#entry-<item id>``)."""
    c = cur()
    op = request.form.get("op", "")
    ids = _ids(request.form.get("item"))
    if op == "set":
        c.digests.edit(issue_id, pins=ids)
        return _back_to_digest(issue_id, "picks")
    if len(ids) != 1:
        raise InvalidInput("choose one item: the form needs the item's id")
    item_id = ids[0]
    if op in ("add", "restore"):
        c.digests.add(issue_id, item_id, position=_position(request.form.get("position")))
        flash_message("digest_added")
    elif op in ("up", "down"):
        c.digests.move(issue_id, item_id, step=-1 if op == "up" else 1)
    elif op == "move":
        to = _position(request.form.get("position"))
        if to is None:
            raise InvalidInput("type the position to move the item to (1 is the top)")
        c.digests.move(issue_id, item_id, to=to)
    elif op == "remove":
        c.digests.edit(issue_id, remove=[item_id])
        return _back_to_digest(issue_id, "picks")
    else:
        raise InvalidInput("unknown change; use add, up, down, move, remove, restore or set with an item id")
    return _back_to_digest(issue_id, f"entry-{item_id}")


@bp.post("/digests/<int:issue_id>/test")
@editor_only
def test_send(issue_id: int) -> Any:
    """A test copy to the signed-in editor's own address, as a reader of the segment in ``lang``."""
    lang = request.form.get("lang", "en")
    cur().digests.send_test(issue_id, g.user.email, lang=lang, name=g.member.name if g.member is not None else "")
    flash_message("digest_test_sent")
    return _back_to_digest(issue_id, "test-send")


@bp.post("/digests/<int:issue_id>/approve")
@editor_only
def approve_digest(issue_id: int) -> Any:
    rev = request.form.get("revision")
    cur().digests.approve(issue_id, editor=g.user.email, revision=int(rev) if rev and rev.isdigit() else None)
    flash_message("approved")
    return _back_to_digest(issue_id, "workflow")


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
    flash_message("digest_scheduled")
    return _back_to_digest(issue_id, "workflow")


def _confirm_page(issue_id: int, *, error: str | None = None, status: int = 200) -> Any:
    c = cur()
    issue = c.digests.get(issue_id)
    return render_template("editor/digest_send.html", issue=issue, audience=c.digests.recipient_counts(issue),
                           actions=c.digests.actions(issue), error=error), status


@bp.get("/digests/<int:issue_id>/send")
@editor_only
def confirm_send(issue_id: int) -> Any:
    """The confirmation step before "Send now": who gets it, by language."""
    return _confirm_page(issue_id)


@bp.post("/digests/<int:issue_id>/send")
@editor_only
def send_digest(issue_id: int) -> Any:
    """Send now, only with the confirmation box ticked (checked here, not only in the browser)."""
    if request.form.get("confirm") != "yes":
        return _confirm_page(issue_id, error="confirm_needed", status=400)
    cur().digests.send(issue_id, confirm_late=request.form.get("late") == "yes")
    flash_message("digest_send_done")
    return _back_to_digest(issue_id, "workflow")


@bp.post("/digests/<int:issue_id>/pause")
@editor_only
def pause_digest(issue_id: int) -> Any:
    cur().digests.pause(issue_id)
    flash_message("digest_paused")
    return _back_to_digest(issue_id, "workflow")


@bp.post("/digests/<int:issue_id>/resume")
@editor_only
def resume_digest(issue_id: int) -> Any:
    cur().digests.resume(issue_id)
    flash_message("digest_resumed")
    return _back_to_digest(issue_id, "workflow")


@bp.post("/digests/<int:issue_id>/cancel")
@editor_only
def cancel_digest(issue_id: int) -> Any:
    """Cancel an issue that has not started sending, only with the confirmation box ticked."""
    if request.form.get("confirm") != "yes":
        raise InvalidInput("tick the box to confirm that the issue should be cancelled; nothing was changed")
    cur().digests.cancel(issue_id)
    flash_message("digest_cancelled")
    return _back_to_digest(issue_id, "workflow")


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


# OPML: download every source; an upload is first imported as a dry run and shown, and only the
# confirmation imports it. The preview carries the file itself (compressed), not the outcome, so
# the confirmation checks every feed again against the sources as they are then.

@bp.get("/sources.opml")
@editor_only
def sources_opml() -> Any:
    return Response(cur().sources.export_opml(lang=g.lang), mimetype="text/x-opml",
                    headers={"Content-Disposition": 'attachment; filename="sources.opml"'})


def _opml_results(data: bytes, name: str, *, dry_run: bool) -> Any:
    try:
        results = cur().sources.import_opml(data, where=name, dry_run=dry_run)
    except InvalidInput as exc:
        return _sources_page(str(exc), status=400)
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("added", "exists", "rejected")}
    carried = base64.b64encode(zlib.compress(data, 9)).decode("ascii") if dry_run and counts["added"] else None
    return render_template("editor/sources_opml.html", results=results, counts=counts, dry_run=dry_run,
                           name=name, carried=carried)


@bp.post("/opml/preview")
@editor_only
def opml_preview() -> Any:
    upload = request.files.get("opml")
    if upload is None or not upload.filename:
        return _sources_page(translate("opml_no_file", g.lang), status=400)
    return _opml_results(upload.stream.read(current_app.config["MAX_CONTENT_LENGTH"] + 1), upload.filename,
                         dry_run=True)


@bp.post("/opml/import")
@editor_only
def opml_import() -> Any:
    try:  # no more than an upload may hold comes out of the carried file
        data = zlib.decompressobj().decompress(base64.b64decode(request.form.get("opml", ""), validate=True),
                                               current_app.config["MAX_CONTENT_LENGTH"] + 1)
    except (ValueError, zlib.error):
        return _sources_page(translate("opml_no_file", g.lang), status=400)
    return _opml_results(data, request.form.get("name", "")[:200] or "sources.opml", dry_run=False)


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
    areas = request.form.getlist("areas")
    primary = request.form.get("primary")
    if primary == "none":
        areas = []
    elif primary:  # the main area goes first: it is the class the tagger learns
        areas = [primary, *(a for a in areas if a != primary)]
    cur().tagging.correct(item_id, areas, editor=g.user.email)
    flash_message("saved_ok")
    if request.form.get("back") == "teach":
        return redirect(url_for("editor.teach"))
    return redirect(url_for("editor.items", q=request.form.get("q", "")))


TEACH_DAYS = 14


@bp.get("/teach")
@editor_only
def teach() -> Any:
    tagging = cur().tagging
    return render_template("editor/teach.html", items=tagging.to_teach(limit=10, days=TEACH_DAYS),
                           days=TEACH_DAYS, ensemble=tagging.ensemble)


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
    # topics: the worker's newest computation, never computed in a request (it clusters every item)
    topics = cur().trends.latest(TOPIC_PERIOD_DAYS)
    return render_template("editor/trends.html", data=data, segments=segments, topics=topics,
                           examples=cur().trends.examples(topics) if topics else {})


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


TOPIC_PERIOD_DAYS = 30
"""The period of the topics on the trends page (the worker's job computes this one)."""
TOPIC_CHART_ROWS = 15


@bp.get("/trends/topics.svg")
@editor_only
def trends_topics_svg() -> Any:
    lang = g.lang
    topics = cur().trends.latest(TOPIC_PERIOD_DAYS)
    rows = [(t.label(lang), float(t.items), float(t.previous),
             f"↑ {translate('rising', lang)}" if t.rising else f"↓ {translate('falling', lang)}" if t.falling else "")
            for t in (topics.topics[:TOPIC_CHART_ROWS] if topics else ())]
    return Response(topic_chart_svg(rows, now_label=translate("topic_now", lang),
                                    before_label=translate("topic_before", lang)), mimetype="image/svg+xml")


# ------------------------------------------------------------------ editor rules
# A new rule is first tested ("preview": the page shows what it would hide or lift over the last
# 30 days, with the form filled in again) and saved from there; rules are switched off or deleted
# from the list.

def _rule_form() -> dict[str, Any]:
    f = request.form
    return dict(action=f.get("action", ""), match=f.get("match", ""), pattern=f.get("pattern", ""),
                segment=f.get("segment", "") or "everyone", note=f.get("note", ""),
                strength=f.get("strength", "").strip())


def _rules_page(*, form: dict[str, Any] | None = None, preview: Any = None, error: str | None = None,
                status: int = 200) -> Any:
    return render_template("editor/rules.html", rules=cur().rules.list(), form=form or {}, preview=preview,
                           error=error), status


def _strength(text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError as exc:
        raise InvalidInput(f"the strength must be a number from 0.1 to 5, not {text!r}") from exc


@bp.get("/rules")
@editor_only
def rules() -> Any:
    return _rules_page()


@bp.post("/rules")
@editor_only
def add_rule() -> Any:
    form = _rule_form()
    fields = {k: form[k] for k in ("segment", "note")}
    try:
        strength = _strength(form["strength"])
        if request.form.get("step") != "save":
            found = cur().rules.preview(form["action"], form["match"], form["pattern"], strength=strength, **fields)
            return _rules_page(form=form, preview=found)
        cur().rules.add(form["action"], form["match"], form["pattern"], editor=g.user.email, strength=strength,
                        **fields)
    except InvalidInput as exc:
        return _rules_page(form=form, error=str(exc), status=400)
    flash_message("rule_saved")
    return redirect(url_for("editor.rules"))


@bp.post("/rules/<int:rule_id>/enabled")
@editor_only
def rule_enabled(rule_id: int) -> Any:
    if request.form.get("enabled") == "1":
        cur().rules.enable(rule_id)
    else:
        cur().rules.disable(rule_id)
    flash_message("saved_ok")
    return redirect(url_for("editor.rules"))


@bp.post("/rules/<int:rule_id>/delete")
@editor_only
def delete_rule(rule_id: int) -> Any:
    if not cur().rules.delete(rule_id):
        raise NotFound(f"no editor rule with id {rule_id}")
    flash_message("rule_deleted")
    return redirect(url_for("editor.rules"))


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
