"""Web accounts (``curator.accounts``): ``curator users create|reset|list|purge``."""

from __future__ import annotations

import click

from .common import CliState, pass_state


@click.group("users")
def users() -> None:
    """Web accounts: create editors and admins, reset passwords, list accounts.

    Members need no account to be created: they sign in with an emailed link and get a member
    account on first sign-in.
    """


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["member", "editor", "admin"]), default="editor", show_default=True)
@click.option("--password", help="Optional; at least 10 characters. Without it, sign-in is by emailed link.")
@pass_state
def users_create(state: CliState, email: str, role: str, password: str | None) -> None:
    """Create an account (or change the role of an existing one).

    \b
    Example:
      curator users create anna@cluster.example --role editor
    """
    user = state.curator().accounts.create(email, role=role, password=password)
    click.echo(f"{user.email}: {user.role}" + (" (linked to the member record)" if user.member_id else ""))


@users.command("reset")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@pass_state
def users_reset(state: CliState, email: str, password: str) -> None:
    """Set a new password; every session of the account is signed out.

    \b
    Example:
      curator users reset anna@cluster.example
    """
    state.curator().accounts.set_password(email, password)
    click.echo(f"{email}: password set, all sessions signed out")


@users.command("list")
@pass_state
def users_list(state: CliState) -> None:
    """All accounts with their role.

    \b
    Example:
      curator users list
    """
    for u in state.curator().accounts.users():
        how = "password" if u.has_password else "link only"
        linked = "" if u.member_id else "\tno member record"
        click.echo(f"{u.email}\t{u.role}\t{how}{linked}")


@users.command("purge")
@pass_state
def users_purge(state: CliState) -> None:
    """Delete expired sessions and sign-in links (run it daily, e.g. from cron).

    \b
    Example:
      curator users purge
    """
    n = state.curator().accounts.purge_expired()
    click.echo(f"{n} expired sessions and sign-in links deleted")

