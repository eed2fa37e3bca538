"""``curator demo``: every stage on bundled content. It calls :mod:`curator.demo`, the surface
that drives the facade from start to end (a surface calling a surface, as ``serve`` calls the
web app)."""

from __future__ import annotations

import click


@click.command()
@click.option("--dir", "directory", default="curator-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the demo database, outbox and reports.")
@click.option("--fresh/--keep", default=True, show_default=True, help="Start from an empty database.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port of the `curator serve` that the demo's email links point at (http://127.0.0.1:PORT).")
def demo(directory: str, fresh: bool, port: int) -> None:
    """Run every pipeline stage on bundled demo content (no network needed).

    It serves the bundled feeds from a local web server, collects them into a SQLite database in
    DIR, loads member posts, sends this week's digests to .eml files, and prints what it did,
    where the results are, and how to start the web app on them: DIR/curator.yaml holds the
    settings (with the secret key that signed the emails' links) for `curator --config
    DIR/curator.yaml serve`, and the sign-in of a demo editor and member.

    \b
    Examples:
      curator demo --dir /tmp/curator-demo
      curator demo --dir /tmp/curator-demo --port 8080 && curator --config /tmp/curator-demo/curator.yaml serve --port 8080
    """
    from ..demo.run import run_demo

    run_demo(directory, fresh=fresh, echo=click.echo, port=port)
