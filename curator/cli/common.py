"""Shared CLI plumbing: settings from flags, a lazily built Curator, output helpers."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from ..config import Settings
    from ..core import Curator


@dataclass
class CliState:
    """What the top-level options chose. ``overrides`` are settings given as flags; a command may
    add to them before its first call of :meth:`curator` (``digest send --outbox``)."""

    config_file: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    _curator: Curator | None = None

    def settings(self) -> Settings:
        from ..config import load_settings

        return load_settings(self.config_file, **self.overrides)

    def curator(self) -> Curator:
        """The Curator of this invocation, built on first use and closed when the command ends."""
        if self._curator is None:
            from ..core import make_curator

            self._curator = make_curator(self.settings())
            click.get_current_context().call_on_close(self._curator.close)
        return self._curator


pass_state = click.make_pass_decorator(CliState, ensure=True)


def fail(message: str) -> NoReturn:
    """End the command with a one-line red message on stderr and exit code 1 (no traceback)."""
    click.secho(f"Error: {message}", fg="red", err=True)
    sys.exit(1)


def when(dt: datetime | None) -> str:
    return dt.strftime("%Y-%m-%d %H:%M") if dt else "-"


def echo_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def table(rows: list[list[str]], headers: list[str]) -> None:
    """Print a plain aligned table (no colours: it is often piped)."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    click.echo("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def shorten(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
