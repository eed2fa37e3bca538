"""Commands for the web app (issue 6): ``curator serve`` and ``curator users``."""

from __future__ import annotations

import click

from .common import CliState, pass_state


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int, help="Worker threads (waitress).")
@click.option("--dev", is_flag=True, help="Use Werkzeug's development server instead of waitress.")
@click.option("--proxy-hops", default=0, show_default=True, type=int,
              help="Behind N reverse proxies: trust their X-Forwarded-For/-Proto (sign-in throttling is per "
                   "client address, so it must see the real one).")
@pass_state
def serve(state: CliState, host: str, port: int, threads: int, dev: bool, proxy_hops: int) -> None:
    """Run the member area, editor console and API.

    Set base_url (CURATOR_BASE_URL) to the address people use: links in emails point there, and
    cookies are marked Secure unless it is http://127.0.0.1 or http://localhost. The scheduler
    runs in its own process (`curator scheduler`), never inside the web server.

    \b
    Example:
      CURATOR_SECRET_KEY=$(openssl rand -hex 32) curator serve --port 8000
    """
    from ..web import create_app

    app = create_app(state.curator())
    if proxy_hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops)  # type: ignore[method-assign]
    click.echo(f"curator web on http://{host}:{port}/ (base_url {state.curator().settings.base_url})")
    if dev:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
        return
    try:
        from waitress import serve as waitress_serve
    except ImportError:  # pragma: no cover - waitress is a dependency, but keep serving without it
        click.echo("waitress is not installed; using the development server", err=True)
        app.run(host=host, port=port, threaded=True, use_reloader=False)
        return
    waitress_serve(app, host=host, port=port, threads=threads, ident="curator")


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


def register(main: click.Group) -> None:
    main.add_command(serve)
    main.add_command(users)
