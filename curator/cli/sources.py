"""Sources (``curator.sources``): ``curator init``, ``curator collect``, ``curator sources``
(list, ``export``, ``import``, ``export-opml``, ``import-opml``)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

import click

from ..errors import StorageBusy, StorageError
from ..types import SourceOrigin
from .common import CliState, echo_json, fail, pass_state, shorten, table, when

if TYPE_CHECKING:
    from ..types import CollectResult


@click.command()
@click.option("--allow-empty-feeds", is_flag=True,
              help="Load a feeds file that lists no sources, retiring every source it defined.")
@pass_state
def init(state: CliState, allow_empty_feeds: bool) -> None:
    """Create or migrate the database and load the sources from feeds.yaml.

    Safe to run again at any time: it only applies what is missing. Loading the file adds,
    changes and retires the sources it defines; sources added in the console or imported with
    `curator sources import` are never touched by it.

    \b
    Example:
      curator --database sqlite:///curator.db init
    """
    from ..core import make_curator

    # init reports the migration it applies, so the factory must not apply it first.
    with make_curator(state.settings(), migrate=False) as cur:
        result = cur.init(allow_empty_feeds=allow_empty_feeds)
    click.echo(f"Database {result['database']}: schema {result['schema_from'] or 'new'} -> {result['schema_to']}")
    if "sources_added" in result:
        click.echo(f"Sources: {result['sources_added']} added, {result['sources_changed']} changed, "
                   f"{result['sources_retired']} retired (no longer in the feeds file)")
    else:
        click.echo("No feeds file found; sources unchanged.")


@click.command()
@click.argument("source_ids", nargs=-1)
@click.option("--force", is_flag=True, help="Ignore poll intervals and back-off: collect now.")
@click.option("--sync/--no-sync", default=True, show_default=True, help="Load feeds.yaml before collecting.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per source instead of a table.")
@pass_state
def collect(state: CliState, source_ids: tuple[str, ...], force: bool, sync: bool, as_json: bool) -> None:
    """Fetch the sources that are due (or SOURCE_IDS) and store new and changed items.

    A broken source never stops the others; its error is recorded and shown by `curator sources`.
    The exit code is 1 when nothing could be collected: every source failed, or the database
    could not be written (read-only, full, unreachable).

    \b
    Examples:
      curator collect                  # everything that is due
      curator collect heise-online     # one source, now
      curator collect --force --json   # all sources, machine-readable summary
    """
    from tqdm import tqdm

    bar: list[tqdm] = []

    def start(total: int) -> None:
        bar.append(tqdm(total=total, unit="source", desc="Collecting", file=sys.stderr,
                        disable=as_json or total == 0 or not sys.stderr.isatty() and total < 2))

    results: list[CollectResult] = []
    try:
        cur = state.curator()
        if sync and Path(cur.settings.feeds_file).exists():
            cur.sources.sync()
        for res in cur.sources.collect(list(source_ids) or None, force=force, on_start=start):
            results.append(res)
            if bar:
                bar[0].update(1)
                bar[0].set_postfix_str(res.source_id)
    except StorageBusy as exc:
        fail(f"collecting stopped: {exc}")
    except StorageError as exc:
        # Not a source's fault: every source would fail the same way, so stop and say what to check.
        fail(f"collecting stopped because the database failed: {exc}. Check that it can be reached and "
             "written (not a read-only file, mount or replica) and that its disk is not full, then run "
             "`curator collect` again; what was stored before is kept.")
    finally:
        if bar:
            bar[0].close()
    if as_json:
        for r in results:
            click.echo(json.dumps(asdict(r), ensure_ascii=False))
    elif not results:
        click.echo("Nothing is due. Use --force to collect anyway.")
        return
    else:
        _print_collect_table(results)
    if results and not any(r.ok for r in results):
        fail(_nothing_collected(results))


def _print_collect_table(results: list[CollectResult]) -> None:
    rows = []
    for r in sorted(results, key=lambda r: r.source_id):
        status = "error" if r.error else ("not modified" if r.not_modified else "ok")
        rows.append([r.source_id, status, str(r.new), str(r.updated), str(r.unchanged),
                     shorten(r.error or "; ".join(r.warnings), 70)])
    table(rows, ["source", "status", "new", "updated", "unchanged", "message"])
    failed = sum(1 for r in results if r.error)
    click.echo(f"\n{len(results)} sources: {sum(r.new for r in results)} new items, "
               f"{sum(r.updated for r in results)} updated, {failed} failed.")


def _nothing_collected(results: list[CollectResult]) -> str:
    """Why the run collected nothing; the shared error in full when every source had the same one
    (a database that cannot be written fails every source alike; the table cuts messages short)."""
    errors = {r.error for r in results}
    reason = f": {errors.pop()}" if len(errors) == 1 else ""
    which = "the only source" if len(results) == 1 else f"all {len(results)} sources"
    return (f"nothing was collected, {which} failed{reason}. Fix what the messages say and run "
            "`curator collect` again (`curator sources` shows each source's last error).")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def sources(ctx: click.Context, as_json: bool) -> None:
    """List the sources with their origin and health: status, item count, last success, last error.

    A status of "ok" means enabled, collected and the last fetch worked; "new" not collected
    yet; "failing" and "broken" count errors in a row; "disabled", "retired" (no longer in the
    feeds file) and "internal" (member posts, imported items) are not collected.

    \b
    Examples:
      curator sources
      curator sources export -o sources.yaml
      curator sources import sources.yaml
    """
    if ctx.invoked_subcommand is not None:
        return
    health = ctx.ensure_object(CliState).curator().sources.health()
    if as_json:
        echo_json([{**asdict(h.source), "status": h.status, "last_attempt": h.last_attempt,
                    "last_success": h.last_success, "last_error": h.last_error, "error_count": h.error_count,
                    "item_count": h.item_count, "next_attempt": h.next_attempt, "broken": h.broken,
                    "moved_to": h.moved_to, "retired_at": h.retired_at} for h in health])
        return
    rows = []
    for h in health:
        where = "feeds.yaml" if h.source.origin == "file" else "the source's URL in the console"
        note = h.last_error or (f"moved permanently to {h.moved_to}: update {where}" if h.moved_to else "")
        rows.append([h.source.id, h.source.origin, h.status, str(h.item_count), when(h.last_success),
                     str(h.error_count), shorten(note, 70)])
    table(rows, ["source", "origin", "status", "items", "last success (UTC)", "errors", "last error"])


@sources.command("export")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", atomic=True), default="-",
              help="File to write (default: standard output).")
@click.option("--origin", type=click.Choice(["file", "console"]),
              help="Only the sources of the feeds file, or only those added in the console or imported.")
@pass_state
def sources_export(state: CliState, output: TextIO, origin: SourceOrigin | None) -> None:
    """Write the current sources as a feeds file (YAML): all that are collected or switched off,
    not the retired or internal ones. `curator sources import` reads it back.

    \b
    Examples:
      curator sources export -o sources-backup.yaml
      curator sources export --origin console -o console.yaml   # entries to move into feeds.yaml
    """
    output.write(state.curator().sources.export_yaml(origin))


@sources.command("import")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@pass_state
def sources_import(state: CliState, file: TextIO) -> None:
    """Add or update the sources of a feeds file (YAML) as sources of the console.

    The file is checked like feeds.yaml, and its URLs like the collector's, before anything is
    stored. Sources the feeds file defines, and URLs that are already another source, are
    skipped and listed with the reason. Imported sources are never retired by feeds.yaml.

    \b
    Example:
      curator sources import sources-backup.yaml
    """
    results = state.curator().sources.import_yaml(file.read(), where=file.name)
    table([[r.source_id, r.outcome, r.reason or ""] for r in results], ["source", "outcome", "reason"])
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("added", "updated", "unchanged", "skipped")}
    click.echo("\n" + ", ".join(f"{n} {o}" for o, n in counts.items()) + ".")


@sources.command("export-opml")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8", atomic=True), default="-",
              help="File to write (default: standard output).")
@click.option("--lang", type=click.Choice(["en", "de"]), default="en", show_default=True,
              help="Language of the folder names (one folder per subject area).")
@pass_state
def sources_export_opml(state: CliState, output: TextIO, lang: str) -> None:
    """Write the current sources as OPML for feed readers: every source of the feeds file and
    the console that is collected or switched off, in a folder per subject area (its first).
    `curator sources import-opml` reads it back with ids, areas, visibility and switches.

    \b
    Examples:
      curator sources export-opml -o sources.opml
      curator sources export-opml --lang de -o quellen.opml
    """
    output.write(state.curator().sources.export_opml(lang=lang))


@sources.command("import-opml")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Only show what would be added; store nothing.")
@pass_state
def sources_import_opml(state: CliState, file: BinaryIO, dry_run: bool) -> None:
    """Add the feeds of an OPML file (from a feed reader) as sources of the console.

    Each feed is checked like a source added in the console (address rules, no private
    addresses, title, language); a feed whose address is already a source is left alone, a
    refused one is listed with the reason, and neither stops the others. Feeds in a folder named
    like a subject area ("Technology 4.0", "Arbeitswelt 4.0", "Company"...) get that area.
    Exit code 1 when the file cannot be read as OPML at all.

    \b
    Examples:
      curator sources import-opml feedly.opml --dry-run   # what would be added
      curator sources import-opml feedly.opml
    """
    results = state.curator().sources.import_opml(file, where=file.name, dry_run=dry_run)
    added = "would add" if dry_run else "added"
    table([[str(r.line), shorten(r.title or "-", 40), added if r.outcome == "added" else r.outcome,
            (r.source_id or "") if r.outcome == "added" else shorten(r.reason or "", 90)] for r in results],
          ["line", "title", "outcome", "source id or reason"])
    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("added", "exists", "rejected")}
    click.echo(f"\n{counts['added']} {added}, {counts['exists']} already there, {counts['rejected']} refused"
               + (" (dry run: nothing stored)." if dry_run else "."))
