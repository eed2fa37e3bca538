"""Commands for the collect pipeline: init, collect, sources, items, posts, import-items, demo."""

from __future__ import annotations

import sys
from dataclasses import asdict

import click

from ..types import AREA_IDS, ItemQuery
from .common import CliState, echo_json, pass_state, shorten, table, when


@click.command()
@pass_state
def init(state: CliState) -> None:
    """Create or migrate the database and load the sources from feeds.yaml.

    Safe to run again at any time: it only applies what is missing.

    \b
    Example:
      curator --database sqlite:///curator.db init
    """
    from ..core import make_curator

    with make_curator(state.settings(), migrate=False) as cur:
        result = cur.init()
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

    \b
    Examples:
      curator collect                  # everything that is due
      curator collect heise-online     # one source, now
      curator collect --force --json   # all sources, machine-readable summary
    """
    from pathlib import Path

    from tqdm import tqdm

    cur = state.curator()
    if sync and Path(cur.settings.feeds_file).exists():
        cur.sources.sync()
    bar: list[tqdm] = []

    def start(total: int) -> None:
        bar.append(tqdm(total=total, unit="source", desc="Collecting", file=sys.stderr,
                        disable=as_json or total == 0 or not sys.stderr.isatty() and total < 2))

    results = []
    for res in cur.sources.collect(list(source_ids) or None, force=force, on_start=start):
        results.append(res)
        if bar:
            bar[0].update(1)
            bar[0].set_postfix_str(res.source_id)
    if bar:
        bar[0].close()
    if as_json:
        for r in results:
            click.echo(__import__("json").dumps(asdict(r), ensure_ascii=False))
        return
    if not results:
        click.echo("Nothing is due. Use --force to collect anyway.")
        return
    rows = []
    for r in sorted(results, key=lambda r: r.source_id):
        status = "error" if r.error else ("not modified" if r.not_modified else "ok")
        rows.append([r.source_id, status, str(r.new), str(r.updated), str(r.unchanged),
                     shorten(r.error or "; ".join(r.warnings), 70)])
    table(rows, ["source", "status", "new", "updated", "unchanged", "message"])
    failed = sum(1 for r in results if r.error)
    click.echo(f"\n{len(results)} sources: {sum(r.new for r in results)} new items, "
               f"{sum(r.updated for r in results)} updated, {failed} failed.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_state
def sources(state: CliState, as_json: bool) -> None:
    """List the sources with their health: last success, last error, item count.

    \b
    Example:
      curator sources
    """
    health = state.curator().sources.health()
    if as_json:
        echo_json([{**asdict(h.source), "last_attempt": h.last_attempt, "last_success": h.last_success,
                    "last_error": h.last_error, "error_count": h.error_count, "item_count": h.item_count,
                    "next_attempt": h.next_attempt, "broken": h.broken, "moved_to": h.moved_to} for h in health])
        return
    rows = []
    for h in health:
        status = "BROKEN" if h.broken else ("disabled" if not h.source.enabled else
                                            ("failing" if h.error_count else "ok"))
        note = h.last_error or (f"moved permanently to {h.moved_to}: update feeds.yaml" if h.moved_to else "")
        rows.append([h.source.id, status, str(h.item_count), when(h.last_success), str(h.error_count),
                     shorten(note, 70)])
    table(rows, ["source", "status", "items", "last success (UTC)", "errors", "last error"])


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


@click.group()
def posts() -> None:
    """Member posts: submit, list, approve, reject."""


@posts.command("submit")
@click.option("--title", required=True)
@click.option("--text", help="The post; use --file for longer texts.")
@click.option("--file", "text_file", type=click.File("r", encoding="utf-8"), help="Read the text from a file ('-': stdin).")
@click.option("--author", required=True, help="Author's name.")
@click.option("--email", help="Author's email.")
@click.option("--organisation", help="Member organisation.")
@click.option("--link", help="Optional web link.")
@click.option("--lang", type=click.Choice(["de", "en"]), help="Language (detected if omitted).")
@click.option("--visibility", default="members", show_default=True, help="public, members or club:<id>.")
@pass_state
def posts_submit(state: CliState, title: str, text: str | None, text_file: click.utils.LazyFile | None,
                 author: str, email: str | None, organisation: str | None, link: str | None,
                 lang: str | None, visibility: str) -> None:
    """Submit a member post; it waits for an editor's approval.

    \b
    Example:
      curator posts submit --title "KI im Mittelstand" --file post.txt --author "Jana Frey" \\
          --organisation "Hafenlogistik Nord GmbH"
    """
    body = text if text is not None else (text_file.read() if text_file else "")
    post = state.curator().posts.submit(title=title, text=body, author_name=author, author_email=email,
                                       organisation=organisation, link=link, lang=lang, visibility=visibility)
    click.echo(f"Post {post.id} submitted; it is pending until an editor approves it.")


@posts.command("list")
@click.option("--status", type=click.Choice(["pending", "approved", "rejected"]))
@click.option("--json", "as_json", is_flag=True)
@pass_state
def posts_list(state: CliState, status: str | None, as_json: bool) -> None:
    """List member posts, newest first.

    \b
    Example:
      curator posts list --status pending
    """
    found = state.curator().posts.list(status)
    if as_json:
        echo_json([asdict(p) for p in found])
        return
    table([[str(p.id), p.status, when(p.submitted_at), shorten(p.author_name, 20), shorten(p.title, 50),
            shorten(p.reason or "", 30)] for p in found], ["id", "status", "submitted", "author", "title", "reason"])


@posts.command("approve")
@click.argument("post_id", type=int)
@click.option("--editor", required=True, envvar="CURATOR_EDITOR", help="Who approves (recorded).")
@pass_state
def posts_approve(state: CliState, post_id: int, editor: str) -> None:
    """Approve a pending post: it becomes an item of the "member posts" source.

    \b
    Example:
      curator posts approve 3 --editor community@cluster.example
    """
    post = state.curator().posts.approve(post_id, editor=editor)
    click.echo(f"Post {post.id} approved by {post.decided_by}; published as item {post.item_id}.")


@posts.command("reject")
@click.argument("post_id", type=int)
@click.option("--editor", required=True, envvar="CURATOR_EDITOR", help="Who rejects (recorded).")
@click.option("--reason", required=True, help="Why; the author can read it.")
@pass_state
def posts_reject(state: CliState, post_id: int, editor: str, reason: str) -> None:
    """Reject a pending post with a reason.

    \b
    Example:
      curator posts reject 4 --editor community@cluster.example --reason "Advertising, not thought leadership"
    """
    post = state.curator().posts.reject(post_id, editor=editor, reason=reason)
    click.echo(f"Post {post.id} rejected: {post.reason}")


@click.command("import-items")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--source", "source_id", default="import", show_default=True,
              help="Source id for the imported items (a line's \"source\" field is appended).")
@click.option("--visibility", default="public", show_default=True)
@pass_state
def import_items(state: CliState, file: click.utils.LazyFile, source_id: str, visibility: str) -> None:
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


@click.command()
@click.option("--dir", "directory", default="curator-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo database, outbox and reports.")
@click.option("--fresh/--keep", default=True, show_default=True, help="Start from an empty database.")
def demo(directory: str, fresh: bool) -> None:
    """Run every pipeline stage on bundled demo content (no network needed).

    It serves the bundled feeds from a local web server, collects them into a SQLite database in
    DIR, loads member posts, and prints what it did and where the results are.

    \b
    Example:
      curator demo --dir /tmp/curator-demo
    """
    from ..demo.run import run_demo

    run_demo(directory, fresh=fresh, echo=click.echo)


def register(group: click.Group) -> None:
    for cmd in (init, collect, sources, items, posts, import_items, demo):
        group.add_command(cmd)
