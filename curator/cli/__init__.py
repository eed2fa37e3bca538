"""The ``curator`` command. Each command is a thin wrapper over one facade method of the same
name; heavy libraries are imported only inside the commands that need them.

One module per capability, as the facade's namespaces: ``sources`` (init, collect, sources),
``items`` (items, import-items), ``posts``, ``tagging`` (tag, tags, duplicates, classify, eval
tagging), ``members`` (import-members, clubs, personas, import-feedback, recommend, eval ranking),
``search`` (search, eval search), ``rules`` (editor rules), ``trends`` (topic trends), ``digests`` (digest), ``accounts`` (users), ``serve`` (serve, worker), ``ops`` (doctor) and
``demo``. Every command is registered below, by name.
"""

from __future__ import annotations

from typing import Any

import click

from .. import logs
from ..errors import CuratorError
from . import (
    accounts,
    demo,
    digests,
    items,
    members,
    ops,
    posts,
    rules,
    search,
    serve,
    sources,
    tagging,
    trends,
)
from .common import CliState, fail, pass_state


class CuratorGroup(click.Group):
    """Turns CuratorError into a one-line message and exit code 1 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CuratorError as exc:
            fail(str(exc))


@click.group(cls=CuratorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="CURATOR_CONFIG",
              help="Settings file (YAML). Default: curator.yaml in the working directory, if present.")
@click.option("--database", "database_url", metavar="URL",
              help="Database URL, e.g. sqlite:///curator.db or postgresql://user@host/db.")
@click.option("--feeds", "feeds_file", type=click.Path(dir_okay=False), help="Sources file (default feeds.yaml).")
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging (and tracebacks of logged errors).")
@click.option("--log-format", type=click.Choice(logs.LOG_FORMATS), envvar=logs.FORMAT_VARIABLE, default="text",
              show_default=True, help="Log lines as plain text or one JSON object per line (CURATOR_LOG_FORMAT).")
@click.version_option(package_name="cluster-curator")  # the distribution name (curator.resources)
@click.pass_context
def main(ctx: click.Context, config_file: str | None, database_url: str | None, feeds_file: str | None,
         verbose: bool, log_format: str) -> None:
    """curator: collects articles and member posts, tags them with the five subject areas,
    ranks them for each member and renders feeds and newsletters.

    \b
    Start here:
      curator demo                 # everything on bundled demo content, no network
      curator init                 # create/migrate the database, load feeds.yaml
      curator collect              # fetch the sources that are due
      curator sources              # their health
    """
    logs.configure(log_format, verbose=verbose)
    ctx.obj = CliState(config_file=config_file, overrides={"database_url": database_url, "feeds_file": feeds_file})


@main.group("eval")
def eval_group() -> None:
    """Measure quality on labelled data: tagging, ranking, search."""


main.add_command(sources.init)
main.add_command(sources.collect)
main.add_command(sources.sources)
main.add_command(items.items)
main.add_command(items.import_items)
main.add_command(search.search)
main.add_command(posts.posts)
main.add_command(rules.rules)
main.add_command(tagging.tag)
main.add_command(tagging.tags)
main.add_command(tagging.duplicates)
main.add_command(tagging.classify)
main.add_command(members.import_members)
main.add_command(members.members)
main.add_command(members.clubs)
main.add_command(members.personas)
main.add_command(members.import_feedback)
main.add_command(members.recommend)
main.add_command(digests.digest)
main.add_command(accounts.users)
main.add_command(serve.serve)
main.add_command(serve.worker)
main.add_command(demo.demo)
main.add_command(ops.doctor)
main.add_command(trends.trends)
eval_group.add_command(tagging.eval_tagging)
eval_group.add_command(members.eval_ranking)
eval_group.add_command(search.eval_search)

__all__ = ["eval_group", "main", "pass_state"]
