"""Commands that tag what is stored: tag, tags set, duplicates."""

from __future__ import annotations

import click

from ..types import AREA_IDS
from .common import CliState, pass_state, shorten, table


@click.command()
@click.option("--all", "retag_all", is_flag=True, help="Re-tag every item, not only new or changed ones.")
@pass_state
def tag(state: CliState, retag_all: bool) -> None:
    """Tag stored items with the five subject areas and fold cross-source duplicates.

    Only new or changed items, and items tagged by an older area model or before new editor
    corrections, are tagged again; embeddings are cached by content.

    \b
    Example:
      curator tag
    """
    run = state.curator().tagging.tag(retag_all=retag_all, progress=True)
    click.echo(f"Tagged {run.tagged} items (tagger {run.version}).")
    click.echo("Items per area: " + ", ".join(f"{a} {n}" for a, n in run.by_area.items())
               + f"; no area: {run.untagged}")
    click.echo(f"Duplicates folded: {run.duplicates} items are copies of a story shown once.")


@click.group()
def tags() -> None:
    """Editor corrections of an item's subject areas."""


@tags.command("set")
@click.argument("item_id", type=int)
@click.argument("areas", nargs=-1, type=click.Choice([*AREA_IDS, "none"]))
@click.option("--editor", required=True, envvar="CURATOR_EDITOR", help="Who corrects (recorded).")
@pass_state
def tags_set(state: CliState, item_id: int, areas: tuple[str, ...], editor: str) -> None:
    """Set the areas of ITEM_ID (primary first); `none` marks it off-topic. The correction is
    kept as a labelled example and improves the tagger on the next `curator tag`.

    \b
    Examples:
      curator tags set 42 work society --editor community@cluster.example
      curator tags set 43 none --editor community@cluster.example
    """
    chosen = [a for a in areas if a != "none"]
    item = state.curator().tagging.correct(item_id, chosen, editor=editor)
    click.echo(f"Item {item.id} '{shorten(item.title, 60)}': areas {', '.join(item.areas) or 'none'}.")


@click.command()
@click.argument("item_id", type=int)
@pass_state
def duplicates(state: CliState, item_id: int) -> None:
    """Show the other copies of the same story that are folded under ITEM_ID.

    \b
    Example:
      curator duplicates 17
    """
    copies = state.curator().tagging.duplicates_of(item_id)
    if not copies:
        click.echo("No other copies.")
        return
    table([[str(i.id), i.source_id, i.lang or "?", shorten(i.title, 70)] for i in copies],
          ["id", "source", "lang", "title"])


def register(group: click.Group) -> None:
    for cmd in (tag, tags, duplicates):
        group.add_command(cmd)
