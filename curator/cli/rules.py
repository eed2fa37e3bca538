"""Editor rules (``curator.rules``): ``curator rules list|preview|add|disable|enable|delete``."""

from __future__ import annotations

from dataclasses import asdict

import click

from ..types import EditorRule, RulePreview
from .common import CliState, echo_json, pass_state, shorten, table, when

ACTIONS = click.Choice(["block", "boost"])
MATCHES = click.Choice(["source", "keyword", "author", "area"])
SEGMENT_HELP = ("Who the rule is for: everyone, club:<id>, persona:<id>, area:<id>, language:<de|en> "
                "or filter:<name>?languages=..&clubs_any=..")


@click.group()
def rules() -> None:
    """Editor rules: block or boost items in feeds and digests, for everyone or a segment.

    A rule matches a source id, keywords or phrases (alternatives separated by |, whole words,
    any case, on title and text; a trailing * matches a word's start), an author's name or a
    subject area. Test it with `preview` (the last 30 days) before you `add` it.
    """


def _describe(rule: EditorRule) -> str:
    what = f"{rule.action} {rule.match} {rule.pattern!r}"
    strength = f" by {rule.strength:g}" if rule.action == "boost" else ""
    return f"{what}{strength} for {rule.segment}"


def _print_preview(p: RulePreview) -> None:
    verb = "hide" if p.rule.action == "block" else "lift"
    langs = ", ".join(f"{lang} {n}" for lang, n in p.by_language.items()) or "-"
    click.echo(f"{_describe(p.rule)}: would {verb} {p.matched} of {p.considered} items of the last {p.days} days "
               f"({langs}) for {p.members_in_segment} of {p.members_total} members.")
    for e in p.examples:
        click.echo(f"  {e.item_id:>6}  {when(e.published)}  {e.lang or '?'}  {shorten(e.title, 70)}")


@rules.command("list")
@click.option("--enabled", "enabled_only", is_flag=True, help="Only the rules that act now.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def rules_list(state: CliState, enabled_only: bool, as_json: bool) -> None:
    """List the rules, oldest first.

    \b
    Example:
      curator rules list --json
    """
    found = state.curator().rules.list(enabled_only=enabled_only)
    if as_json:
        echo_json([asdict(r) for r in found])
        return
    table([[str(r.id), "on" if r.enabled else "off", r.action, r.match, shorten(r.pattern, 40),
            f"{r.strength:g}" if r.action == "boost" else "", r.segment, shorten(r.note, 30), r.created_by]
           for r in found], ["id", "state", "action", "match", "pattern", "strength", "segment", "note", "by"])


@rules.command("preview")
@click.argument("action", type=ACTIONS)
@click.argument("match", type=MATCHES)
@click.argument("pattern")
@click.option("--segment", default="everyone", show_default=True, help=SEGMENT_HELP)
@click.option("--strength", type=float, help="A boost's strength (default 1, at most 5).")
@click.option("--days", type=int, default=30, show_default=True, help="How far back to test.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def rules_preview(state: CliState, action: str, match: str, pattern: str, segment: str, strength: float | None,
                  days: int, as_json: bool) -> None:
    """What a rule would hide or lift, tested on the items of the last 30 days; nothing is saved.

    \b
    Examples:
      curator rules preview block keyword "KI|künstliche Intelligenz|artificial intelligence"
      curator rules preview boost area work --segment club:agile-hr --strength 2
    """
    found = state.curator().rules.preview(action, match, pattern, segment=segment, strength=strength, days=days)
    if as_json:
        echo_json(asdict(found))
        return
    _print_preview(found)


@rules.command("add")
@click.argument("action", type=ACTIONS)
@click.argument("match", type=MATCHES)
@click.argument("pattern")
@click.option("--editor", required=True, envvar="CURATOR_EDITOR", help="Who makes the rule (recorded).")
@click.option("--segment", default="everyone", show_default=True, help=SEGMENT_HELP)
@click.option("--strength", type=float, help="A boost's strength (default 1, at most 5).")
@click.option("--note", default="", help="Why; members see a boost's note in \"why you see this\".")
@pass_state
def rules_add(state: CliState, action: str, match: str, pattern: str, editor: str, segment: str,
              strength: float | None, note: str) -> None:
    """Save a rule (after printing its preview); feeds follow after the worker's next ranking run
    (blocked items leave members' pages at once).

    \b
    Examples:
      curator rules add block source vendor-news --editor community@cluster.example --note "advertising"
      curator rules add boost keyword "Fachkräfte|skills shortage" --segment language:de --strength 2 \\
          --note "Fachkräftewoche" --editor community@cluster.example
    """
    cur = state.curator()
    _print_preview(cur.rules.preview(action, match, pattern, segment=segment, strength=strength, note=note))
    rule = cur.rules.add(action, match, pattern, editor=editor, segment=segment, strength=strength, note=note)
    click.echo(f"Rule {rule.id} saved: {_describe(rule)}.")


@rules.command("disable")
@click.argument("rule_id", type=int)
@pass_state
def rules_disable(state: CliState, rule_id: int) -> None:
    """Switch a rule off (it is kept; `enable` switches it on again).

    \b
    Example:
      curator rules disable 3
    """
    _switch(state, rule_id, on=False)


@rules.command("enable")
@click.argument("rule_id", type=int)
@pass_state
def rules_enable(state: CliState, rule_id: int) -> None:
    """Switch a rule on again.

    \b
    Example:
      curator rules enable 3
    """
    _switch(state, rule_id, on=True)


def _switch(state: CliState, rule_id: int, *, on: bool) -> None:
    rules = state.curator().rules
    rule = rules.enable(rule_id) if on else rules.disable(rule_id)
    click.echo(f"Rule {rule.id} switched {'on' if on else 'off'}: {_describe(rule)}.")


@rules.command("delete")
@click.argument("rule_id", type=int)
@pass_state
def rules_delete(state: CliState, rule_id: int) -> None:
    """Delete a rule.

    \b
    Example:
      curator rules delete 3
    """
    if state.curator().rules.delete(rule_id):
        click.echo(f"Rule {rule_id} deleted.")
    else:
        click.echo(f"There was no rule {rule_id}.")
