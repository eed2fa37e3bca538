"""The ``curator`` command. Each command is a thin wrapper over one facade method of the same
name; heavy libraries are imported only inside the commands that need them."""

from __future__ import annotations

import sys
from typing import Any

import click

from ..errors import CuratorError
from .common import CliState, pass_state


class CuratorGroup(click.Group):
    """Turns CuratorError into a one-line message and exit code 1 instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CuratorError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)


@click.group(cls=CuratorGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="CURATOR_CONFIG",
              help="Settings file (YAML). Default: curator.yaml in the working directory, if present.")
@click.option("--database", "database_url", metavar="URL",
              help="Database URL, e.g. sqlite:///curator.db or postgresql://user@host/db.")
@click.option("--feeds", "feeds_file", type=click.Path(dir_okay=False), help="Sources file (default feeds.yaml).")
@click.option("-v", "--verbose", is_flag=True, help="Show debug logging.")
@click.version_option(package_name="curator")
@click.pass_context
def main(ctx: click.Context, config_file: str | None, database_url: str | None, feeds_file: str | None,
         verbose: bool) -> None:
    """curator: collects articles and member posts, tags them with the five subject areas,
    ranks them for each member and renders feeds and newsletters.

    \b
    Start here:
      curator demo                 # everything on bundled demo content, no network
      curator init                 # create/migrate the database, load feeds.yaml
      curator collect              # fetch the sources that are due
      curator sources              # their health
    """
    import logging

    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = CliState(config_file=config_file, overrides={"database_url": database_url, "feeds_file": feeds_file})


@main.group("eval")
def eval_group() -> None:
    """Measure quality on labelled data: tagging, ranking."""


from . import ingest_commands  # noqa: E402  (registers commands on main)

ingest_commands.register(main)

import importlib  # noqa: E402

for _name in ("tag_commands", "tagging_commands", "members_commands", "newsletter_commands", "web_commands"):
    try:  # each capability registers its commands; absent while it is being built
        _module = importlib.import_module(f"{__name__}.{_name}")
    except ModuleNotFoundError as _exc:  # pragma: no cover
        if _exc.name != f"{__name__}.{_name}":
            raise
        continue
    if hasattr(_module, "register"):
        _module.register(main)
    if _name == "tagging_commands" and hasattr(_module, "eval_tagging"):
        eval_group.add_command(_module.eval_tagging, "tagging")

__all__ = ["eval_group", "main", "pass_state"]
