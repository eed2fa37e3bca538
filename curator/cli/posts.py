"""Member posts (``curator.posts``): ``curator posts submit|list|approve|reject``."""

from __future__ import annotations

from dataclasses import asdict
from typing import TextIO

import click

from .common import CliState, echo_json, pass_state, shorten, table, when


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
def posts_submit(state: CliState, title: str, text: str | None, text_file: TextIO | None,
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
