"""Topic trends (``curator.trends``): ``curator trends``."""

from __future__ import annotations

import re

import click

from .common import CliState, echo_json, pass_state, shorten, table, when

_PERIOD = re.compile(r"^\s*(\d+)\s*([dw]?)\s*$")


def period_days(text: str) -> int:
    """``30d``, ``4w`` or ``30`` (days) as days; click's BadParameter for anything else."""
    match = _PERIOD.match(text.lower())
    if not match or int(match[1]) < 1:
        raise click.BadParameter(f"{text!r} is not a period: write days or weeks, e.g. 30d or 4w")
    return int(match[1]) * (7 if match[2] == "w" else 1)


@click.command("trends")
@click.option("--period", default="30d", show_default=True, metavar="PERIOD",
              help="Length of the current period (compared with the same length before it): 30d, 4w...")
@click.option("--lang", type=click.Choice(["en", "de"]), default="en", show_default=True,
              help="Language of the labels and of --block.")
@click.option("--refresh", is_flag=True, help="Compute now (as the worker's job compute_topic_trends does) "
                                              "instead of reading the newest stored computation.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON list of topics (label, label_en, label_de, areas, items, previous, change, "
                   "rising, falling, p_value, examples, engagement).")
@click.option("--block", type=click.Choice(["text", "html"]),
              help="Print the \"topics\" block for a digest or an event idea instead.")
@pass_state
def trends(state: CliState, period: str, lang: str, refresh: bool, as_json: bool, block: str | None) -> None:
    """Topics of recent items in German and English: which rise or fall against the previous
    period (only past a significance threshold) and which segments engage with them. Reads the
    worker's newest computation; computes one when there is none yet (or with --refresh).

    \b
    Example:
      curator trends --period 30d --json
      curator trends --lang de --block html
    """
    days = period_days(period)
    cur = state.curator()
    if block:
        out = cur.trends.topics_block(lang, period_days=days)
        click.echo(out.html if block == "html" else out.text, nl=block == "html")
        return
    report = cur.trends.report(days, refresh=refresh)
    if as_json:
        echo_json(cur.trends.summaries(report, lang))
        return
    click.echo(f"{len(report.topics)} topics in {report.items_current} items of the last {days} days "
               f"({report.items_previous} in the {days} days before), computed {when(report.computed_at)}")
    table([[("↑ rising" if t.rising else "↓ falling" if t.falling else ""), str(t.items), str(t.previous),
            f"{t.change * 100:+.0f}%", ",".join(t.main_areas()) or "-", shorten(t.label(lang), 60)]
           for t in report.topics], ["trend", "now", "before", "change", "areas", "topic"])

