"""``curator demo``: every stage on bundled content. It calls :mod:`curator.demo`, the surface
that drives the facade from start to end (a surface calling a surface, as ``serve`` calls the
web app)."""

from __future__ import annotations

import click


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
