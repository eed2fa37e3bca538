"""Digests (``curator.digests``): ``curator digest draft|list|show|edit|review|approve|schedule|
send|send-due|deliveries|report|resend|pause|resume|cancel``. Each wraps one facade method."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..i18n import translate
from .common import CliState, echo_json, pass_state, shorten, table, when

if TYPE_CHECKING:
    from ..types import DigestIssue, DraftWarning, ReportLine


def _segment_name(issue: DigestIssue) -> str:
    """The issue's segment as people read it (``IT Executive Club``, not ``club:it-executive``)."""
    return click.get_current_context().ensure_object(CliState).curator().digests.segment_name(issue.segment)


def _issue_dict(issue: DigestIssue) -> dict[str, object]:
    d = asdict(issue)
    d["segment"] = issue.segment.key
    d["segment_name"] = _segment_name(issue)
    d["approved"] = issue.is_approved
    return d


def _print_warnings(warnings: Sequence[DraftWarning]) -> None:
    for w in warnings:
        click.echo("  WARNING:   " + translate(f"draft_{w.key}", "en").format(count=w.count, minimum=w.minimum,
                                                                           days=w.days))


def _print_issue(issue: DigestIssue, counts: dict[str, int] | None = None) -> None:
    click.echo(f"Digest issue {issue.id} ({issue.kind}) for {_segment_name(issue)} ({issue.segment.key}), "
               f"period {issue.period or '-'}")
    click.echo(f"  state:     {issue.state.replace('_', ' ')} (revision {issue.revision})")
    if issue.approved_by:
        ok = "" if issue.is_approved else "  [edited since: needs approval again]"
        click.echo(f"  approved:  by {issue.approved_by} at {when(issue.approved_at)} (revision "
                   f"{issue.approved_revision}){ok}")
    if issue.scheduled_for:
        click.echo(f"  scheduled: {when(issue.scheduled_for)} UTC")
    if issue.hold_reason:
        click.echo(f"  HELD:      {issue.hold_reason}")
    for lang, t in sorted(issue.texts.items()):
        click.echo(f"  subject {lang}: {t.get('subject', '')}")
    pins = [e.item_id for e in issue.entries if e.status == "pinned"]
    removed = [e.item_id for e in issue.entries if e.status == "removed"]
    click.echo(f"  editor's picks (item ids, in order): {', '.join(map(str, pins)) or '-'}")
    if removed:
        click.echo(f"  removed items: {', '.join(map(str, removed))}")
    if counts:
        click.echo("  deliveries: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


@click.group("digest")
def digest() -> None:
    """Digests and newsletters: draft, review, approve, schedule and send.

    \b
    The usual week:
      curator digest draft --segment everyone      # or let `curator worker` draft on Monday
      curator digest show 7 --as anna@example.org  # preview as a member
      curator digest approve 7 --editor "Eva Editor"
      curator digest send 7                        # or: curator digest schedule 7 --at 2026-11-24T08:00+01:00
    """


@digest.command("draft")
@click.option("--segment", default="everyone", show_default=True,
              help="everyone, club:<id>, persona:<id>, area:<id> or filter:<name>?languages=de&areas_any=work")
@click.option("--kind", type=click.Choice(["digest", "special", "invitation"]), default="digest", show_default=True)
@click.option("--period", help="Period label (default: this ISO week for digests). Same period = same issue.")
@click.option("--pin", "pins", help="Comma-separated item ids for the editor's picks (default: newest tagged items).")
@click.option("--editor", default="curator", show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def draft(state: CliState, segment: str, kind: str, period: str | None, pins: str | None, editor: str,
          as_json: bool) -> None:
    """Draft an issue for a segment (drafting the same week again shows the existing draft).

    \b
    Examples:
      curator digest draft
      curator digest draft --segment club:it-exec
      curator digest draft --kind invitation --period summer-party --pin 1234
    """
    pin_ids = [int(p) for p in pins.split(",") if p.strip()] if pins else None
    cur = state.curator()
    issue = cur.digests.draft(segment, kind=kind, period=period, pins=pin_ids, editor=editor)
    warnings = cur.digests.warnings(issue)
    if as_json:
        echo_json({**_issue_dict(issue), "warnings": [asdict(w) for w in warnings]})
    else:
        _print_issue(issue)
        _print_warnings(warnings)


@digest.command("list")
@click.option("--state", "states", multiple=True, help="Only issues in this state (repeatable).")
@pass_state
def list_issues(state: CliState, states: tuple[str, ...]) -> None:
    """List issues, newest first.

    \b
    Example:
      curator digest list --state in_review --state approved
    """
    digests = state.curator().digests
    names = digests.segment_names()
    rows = [[str(i.id), i.kind, digests.segment_name(i.segment, "en", names), i.period or "-", i.state,
             "yes" if i.is_approved else "no", when(i.scheduled_for), shorten(i.texts.get("en", {}).get("subject", ""), 40)]
            for i in digests.list(states or None)]
    table(rows, ["id", "kind", "segment", "period", "state", "approved", "scheduled", "subject"])


@digest.command("show")
@click.argument("issue_id", type=int)
@click.option("--as", "as_email", metavar="EMAIL", help="Preview the email this member would get (plain text).")
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="With --as: also write the HTML here.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def show(state: CliState, issue_id: int, as_email: str | None, html_file: str | None, as_json: bool) -> None:
    """Show an issue (with its warnings before sending, e.g. too few articles), or preview it as a member.

    \b
    Examples:
      curator digest show 7
      curator digest show 7 --as anna@example.org --html /tmp/anna.html
    """
    cur = state.curator()
    issue = cur.digests.get(issue_id)
    if as_email:
        rendered = cur.digests.render_for(issue, cur.members.get(as_email))
        if html_file:
            Path(html_file).write_text(rendered.html, encoding="utf-8")
            click.echo(f"HTML written to {html_file} ({len(rendered.html.encode()):,} bytes"
                       f"{', over the clipping budget' if rendered.over_budget else ''})", err=True)
        click.echo(rendered.text)
        return
    warnings = cur.digests.warnings(issue) if issue.state in ("draft", "in_review", "approved", "scheduled") else ()
    if as_json:
        echo_json({**_issue_dict(issue), "deliveries": cur.digests.delivery_counts(issue_id),
                   "warnings": [asdict(w) for w in warnings]})
    else:
        _print_issue(issue, cur.digests.delivery_counts(issue_id))
        _print_warnings(warnings)


@digest.command("edit")
@click.argument("issue_id", type=int)
@click.option("--lang", type=click.Choice(["de", "en"]), help="Language of the texts given (default: both).")
@click.option("--subject")
@click.option("--preheader")
@click.option("--intro")
@click.option("--pin", "pins", help="Comma-separated item ids: the editor's picks, in this order.")
@click.option("--remove", "remove", help="Comma-separated item ids never to show in this issue.")
@pass_state
def edit(state: CliState, issue_id: int, lang: str | None, subject: str | None, preheader: str | None,
         intro: str | None, pins: str | None, remove: str | None) -> None:
    """Edit texts and picks. An approved or scheduled issue goes back to review.

    \b
    Example:
      curator digest edit 7 --lang de --intro "Diese Woche: KI im Mittelstand" --pin 12,40,7
    """
    issue = state.curator().digests.edit(
        issue_id, lang=lang, subject=subject, preheader=preheader, intro=intro,
        pins=[int(p) for p in pins.split(",") if p.strip()] if pins is not None else None,
        remove=[int(p) for p in remove.split(",") if p.strip()] if remove else ())
    _print_issue(issue)


@digest.command("review")
@click.argument("issue_id", type=int)
@pass_state
def review(state: CliState, issue_id: int) -> None:
    """Put a draft in review.  Example: curator digest review 7"""
    _print_issue(state.curator().digests.submit(issue_id))


@digest.command("approve")
@click.argument("issue_id", type=int)
@click.option("--editor", required=True, help="Who approves (recorded with the time).")
@click.option("--revision", type=int, help="Approve only if the issue is still at this revision.")
@pass_state
def approve(state: CliState, issue_id: int, editor: str, revision: int | None) -> None:
    """Approve an issue as it is now.  Example: curator digest approve 7 --editor "Eva Editor" """
    _print_issue(state.curator().digests.approve(issue_id, editor=editor, revision=revision))


@digest.command("schedule")
@click.argument("issue_id", type=int)
@click.option("--at", "at", required=True, help="ISO 8601 time with offset, e.g. 2026-11-24T08:00+01:00.")
@pass_state
def schedule(state: CliState, issue_id: int, at: str) -> None:
    """Send an approved issue at a time (by `curator worker`).

    \b
    Example:
      curator digest schedule 7 --at 2026-11-24T08:00+01:00
    """
    try:
        when_at = datetime.fromisoformat(at)
    except ValueError as exc:
        raise click.BadParameter(f"{at!r} is not an ISO 8601 time such as 2026-11-24T08:00+01:00") from exc
    _print_issue(state.curator().digests.schedule(issue_id, when_at))


@digest.command("send")
@click.argument("issue_id", type=int)
@click.option("--confirm-late", is_flag=True, help="Send a scheduled issue although its time is long past.")
@click.option("--outbox", type=click.Path(file_okay=False), help="Write .eml files here instead of using SMTP.")
@pass_state
def send(state: CliState, issue_id: int, confirm_late: bool, outbox: str | None) -> None:
    """Send an approved issue now (SMTP if smtp_host is set, else .eml files in outbox_dir).

    Safe to repeat: members who got it are never sent it again; interrupted sends resume.

    \b
    Examples:
      curator digest send 7
      curator digest send 7 --outbox /tmp/outbox
    """
    import signal
    import threading

    if outbox:
        # The outbox is a setting like any other: the factory builds the outbox sender from it.
        state.overrides.update(outbox_dir=outbox, smtp_host="")
    cur = state.curator()
    stop = threading.Event()

    def on_term(signum: int, _frame: object) -> None:  # finish the message in flight, claim no more (S15)
        click.echo("Stopping after the message in flight; run the command again to continue.", err=True)
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        report = cur.digests.send(issue_id, confirm_late=confirm_late, should_stop=stop.is_set)
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo(f"Issue {issue_id}: {report.sent} sent, {report.failed} failed, {report.uncertain} uncertain, "
               f"{report.skipped} skipped, {report.deferred} deferred -> {report.state.replace('_', ' ')}")
    if report.message:
        click.echo(f"  {report.message}")
    if report.uncertain:
        click.echo(f"  Check the uncertain ones: curator digest deliveries {issue_id} --state uncertain")


@digest.command("send-due")
@pass_state
def send_due(state: CliState) -> None:
    """Send every scheduled issue whose time has come (what the worker does every 5 minutes).

    \b
    Example:
      curator digest send-due
    """
    for r in state.curator().digests.send_due():
        click.echo(f"Issue {r.issue_id}: {r.sent} sent, {r.failed} failed, {r.uncertain} uncertain -> {r.state}"
                   + (f" ({r.message})" if r.message else ""))


@digest.command("deliveries")
@click.argument("issue_id", type=int)
@click.option("--state", "states", multiple=True, help="e.g. uncertain, failed, pending (repeatable).")
@pass_state
def deliveries(state: CliState, issue_id: int, states: tuple[str, ...]) -> None:
    """Delivery records of an issue; `--state uncertain` lists the ones an editor must reconcile.

    \b
    Example:
      curator digest deliveries 7 --state uncertain --state failed
    """
    rows = [[str(d.member_id), d.email or "-", d.state, str(d.attempts), when(d.sent_at),
             shorten(d.last_error or "", 60)] for d in state.curator().digests.deliveries(issue_id, states or None)]
    table(rows, ["member", "email", "state", "attempts", "sent", "last error"])


@digest.command("report")
@click.argument("issue_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--lang", type=click.Choice(["en", "de"]), default="en", show_default=True,
              help="Language of the labels and segment names.")
@pass_state
def report(state: CliState, issue_id: int, as_json: bool, lang: str) -> None:
    """What an issue did: recipients, sent, failed, uncertain, unique opens (a lower bound: only
    clients that load images, only members with tracking consent), unique clicks and unsubscribes
    since the send, by language and by segment (the clubs its recipients are in, and those in no
    club), and the most clicked articles and areas.

    \b
    Examples:
      curator digest report 7 --json
      curator digest report 7 --lang de
    """
    r = state.curator().digests.report(issue_id, lang)

    def t(key: str, **fields: object) -> str:
        return translate(key, lang).format(**fields) if fields else translate(key, lang)

    if as_json:
        echo_json(r.as_json())
        return
    click.echo(t("report_heading", issue=r.issue_id, kind=r.kind, segment=r.segment, state=r.state.replace("_", " "),
                 first_sent=when(r.first_sent_at)))
    cols = ("recipients", "sent", "failed", "uncertain", "opened", "clicked", "unsubscribed")

    def lines(heading: str, rows: Sequence[ReportLine]) -> None:
        click.echo(heading)
        table([[t("report_all") if ln.key == "all" else ln.label, *(str(getattr(ln, c)) for c in cols)]
               for ln in rows], ["", *(t(f"report_{c}") for c in cols)])

    lines(t("report_by_language"), [r.total, *(replace(ln, label=t(f"report_lang_{ln.key}"))
                                               if ln.key in ("de", "en") else ln for ln in r.by_language)])
    lines(t("report_by_segment"), r.by_segment)
    click.echo(t("report_lower_bound", tracked=r.tracked, opens=r.low_confidence_opens, clicks=r.low_confidence_clicks))
    if r.top_items:
        click.echo(t("report_most_clicked") + ":")
        table([[str(c.clicks), str(c.item_id), shorten(c.title, 70), ", ".join(c.areas)] for c in r.top_items],
              [t("report_clicks"), t("report_item"), t("report_title_col"), t("report_areas")])
    if r.top_areas:
        click.echo(t("report_areas") + ": " + ", ".join(f"{a} {n}" for a, n in r.top_areas))


@digest.command("resend")
@click.argument("issue_id", type=int)
@click.argument("member_id", type=int)
@pass_state
def resend(state: CliState, issue_id: int, member_id: int) -> None:
    """Resend an uncertain or failed delivery (same Message-ID) on the next send.

    \b
    Example:
      curator digest resend 7 42 && curator digest send 7
    """
    d = state.curator().digests.resend(issue_id, member_id)
    click.echo(f"Delivery to member {d.member_id} is {d.state} again; run `curator digest send {issue_id}`")


@digest.command("pause")
@click.argument("issue_id", type=int)
@pass_state
def pause(state: CliState, issue_id: int) -> None:
    """Pause a send between batches; members who got it keep it.  Example: curator digest pause 7"""
    _print_issue(state.curator().digests.pause(issue_id))


@digest.command("resume")
@click.argument("issue_id", type=int)
@pass_state
def resume(state: CliState, issue_id: int) -> None:
    """Resume a paused send (the worker continues it; or run `curator digest send`).

    \b
    Example:
      curator digest resume 7 && curator digest send 7
    """
    _print_issue(state.curator().digests.resume(issue_id))


@digest.command("cancel")
@click.argument("issue_id", type=int)
@pass_state
def cancel(state: CliState, issue_id: int) -> None:
    """Cancel an issue that has not started sending.  Example: curator digest cancel 7"""
    _print_issue(state.curator().digests.cancel(issue_id))

