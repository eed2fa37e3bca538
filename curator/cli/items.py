"""Items (``curator.items``): ``curator items list|show`` and ``curator import-items``."""

from __future__ import annotations

from dataclasses import asdict
from typing import TextIO

import click

from ..types import AREA_IDS, ItemQuery
from .common import CliState, echo_json, pass_state, shorten, table


@click.group()
def items() -> None:
    """List and show stored items."""


@items.command("list")
@click.option("--limit", default=20, show_default=True)
@click.option("--source", "source_id", help="Only items of this source id.")
@click.option("--lang", type=click.Choice(["de", "en"]))
@click.option("--area", type=click.Choice(AREA_IDS))
@click.option("--search", help="Words in title or text.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def items_list(state: CliState, limit: int, source_id: str | None, lang: str | None, area: str | None,
               search: str | None, as_json: bool) -> None:
    """List items, newest first.

    \b
    Example:
      curator items list --lang de --area work --limit 10
    """
    found = state.curator().items.list(ItemQuery(limit=limit, source_id=source_id, lang=lang, area=area, search=search))
    if as_json:
        echo_json([asdict(i) for i in found])
        return
    table([[str(i.id), i.published.strftime("%Y-%m-%d"), i.lang or "?", i.source_id, ",".join(i.areas) or "-",
            shorten(i.title, 60)] for i in found], ["id", "published", "lang", "source", "areas", "title"])


@items.command("show")
@click.argument("item_id", type=int)
@click.option("--json", "as_json", is_flag=True)
@pass_state
def items_show(state: CliState, item_id: int, as_json: bool) -> None:
    """Show one item in full.

    \b
    Example:
      curator items show 42
    """
    item = state.curator().items.get(item_id)
    if as_json:
        echo_json(asdict(item))
        return
    click.secho(item.title, bold=True)
    click.echo(f"{item.source_id} · {item.published:%Y-%m-%d %H:%M} UTC · {item.lang or '?'} · "
               f"{item.visibility} · areas: {', '.join(item.areas) or 'none'}")
    if item.url:
        click.echo(item.url)
    click.echo("")
    click.echo(item.text)


@click.command("import-items")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--source", "source_id", default="import", show_default=True,
              help="Source id for the imported items (a line's \"source\" field is appended).")
@click.option("--visibility", default="public", show_default=True)
@pass_state
def import_items(state: CliState, file: TextIO, source_id: str, visibility: str) -> None:
    """Import an article archive from JSONL: one {"id","title","text","url"?,"lang"?,"published"?,"source"?}
    per line. Bad lines are reported and skipped; re-importing never duplicates.

    \b
    Example:
      curator import-items archive.jsonl --source archive
    """
    res = state.curator().items.import_jsonl(file, source_id=source_id, visibility=visibility)
    for _, message in res.errors[:50]:
        click.secho(message, fg="yellow", err=True)
    if len(res.errors) > 50:
        click.secho(f"... and {len(res.errors) - 50} more bad lines", fg="yellow", err=True)
    click.echo(f"Imported: {res.new} new, {res.updated} updated, {res.unchanged} unchanged, "
               f"{len(res.errors)} bad lines skipped.")
