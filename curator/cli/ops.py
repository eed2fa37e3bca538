"""Operating curator: ``curator doctor`` (over ``curator.stats.doctor``)."""

from __future__ import annotations

import json
import sys

import click

from ..errors import ConfigError
from ..types import Check
from .common import CliState, pass_state


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON object.")
@pass_state
def doctor(state: CliState, as_json: bool) -> None:
    """Check that this installation can run: the settings, the database (reachable, migrated),
    the mail server (connect, EHLO, STARTTLS and login as configured; nothing is sent), the feeds
    file, the schedule, the secret key's strength and base_url (https unless loopback). Each
    problem comes with what to fix; exits 1 if any check failed (a warning does not fail).
    Changes nothing: it does not even migrate the database.

    \b
    Examples:
      curator doctor
      CURATOR_CONFIG=/etc/curator/curator.yaml curator doctor --json
    """
    from ..core import make_curator

    try:
        settings = state.settings()
    except ConfigError as exc:
        checks = [Check("settings", "fail", str(exc), "correct the setting named above (settings file or "
                                                      "CURATOR_* variable); nothing else was checked")]
    else:
        with make_curator(settings, migrate=False) as cur:
            checks = [Check("settings", "ok", "every setting is valid"), *cur.stats.doctor()]
    failed = [c for c in checks if c.status == "fail"]
    if as_json:
        click.echo(json.dumps({"ok": not failed, "checks": [vars(c) for c in checks]}, ensure_ascii=False, indent=2))
    else:
        _print(checks, failed)
    if failed:
        sys.exit(1)


def _print(checks: list[Check], failed: list[Check]) -> None:
    width = max(len(c.name) for c in checks)
    for c in checks:
        label = {"ok": "ok", "warn": "warn", "fail": "FAIL"}[c.status]
        colour = {"ok": "green", "warn": "yellow", "fail": "red"}[c.status]
        click.echo(f"{click.style(label.ljust(4), fg=colour)}  {c.name.ljust(width)}  {c.detail}")
        if c.fix:
            click.echo(f"{'':4}  {'':{width}}  fix: {c.fix}")
    warned = sum(c.status == "warn" for c in checks)
    click.echo(f"\n{len(failed)} failed, {warned} warning(s), {len(checks) - len(failed) - warned} ok")
