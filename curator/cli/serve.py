"""The long-running processes: ``curator serve`` (the web app of :mod:`curator.web`) and
``curator worker`` (the scheduled jobs of :mod:`curator.scheduler`). Both are surfaces over the
facade; these commands only start them."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import click

from .common import CliState, fail, pass_state

if TYPE_CHECKING:
    from ..wsgi import WebApplication


SERVERS = ("gunicorn", "waitress", "dev")
"""gunicorn: N processes (needs fork); waitress: one process of threads, on any platform; dev:
Werkzeug's development server."""


def default_workers() -> int:
    """The cores this process may run on (its CPU affinity where the platform tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS and Windows have no affinity call
        return max(1, os.cpu_count() or 1)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--server", type=click.Choice(SERVERS),
              help="gunicorn (default where the platform can fork), waitress (one process; the default "
                   "elsewhere) or dev (Werkzeug's development server).")
@click.option("--workers", type=click.IntRange(min=1),
              help="Processes (gunicorn).  [default: the machine's cores]")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(min=1),
              help="Threads per process.")
@click.option("--access-log", metavar="FILE",
              help="gunicorn: one line per request (with the answering process id) to FILE, '-' for stdout.")
@click.option("--proxy-hops", default=0, show_default=True, type=int,
              help="Behind N reverse proxies: trust their X-Forwarded-For/-Proto (sign-in throttling is per "
                   "client address, so it must see the real one).")
@pass_state
def serve(state: CliState, host: str, port: int, server: str | None, workers: int | None, threads: int,
          access_log: str | None, proxy_hops: int) -> None:
    """Run the member area, editor console and API.

    Set base_url (CURATOR_BASE_URL) to the address people use: links in emails point there, and
    cookies are marked Secure unless it is http://127.0.0.1 or http://localhost. The scheduler
    runs in its own process (`curator worker`), never inside the web server. Every process reads
    ranked feeds, sessions and throttles from the database, so processes need nothing from each
    other. Other WSGI servers can serve curator.wsgi:application (docs/operations.md).

    \b
    Examples:
      CURATOR_SECRET_KEY=$(openssl rand -hex 32) curator serve --port 8000
      curator serve --workers 4 --access-log -
      curator serve --server waitress --threads 16
    """
    from ..wsgi import WebApplication

    settings = state.settings()
    server = server or ("gunicorn" if hasattr(os, "fork") else "waitress")
    if server != "gunicorn" and workers not in (None, 1):
        fail(f"--workers {workers} needs --server gunicorn: {server} runs one process")
    if server != "gunicorn" and access_log:
        fail("--access-log needs --server gunicorn")
    web = WebApplication(lambda: settings, proxy_hops=proxy_hops)
    banner = f"curator web on http://{host}:{port}/ (base_url {settings.base_url}, {server})"
    if server == "gunicorn":
        # Built here once, then closed: the schema is migrated and a bad setting stops start-up
        # with one message, before gunicorn forks (each process builds its own Curator afterwards).
        web.prepare()
        click.echo(banner)
        _run_gunicorn(web, host=host, port=port, workers=workers or default_workers(), threads=threads,
                      access_log=access_log)
        return
    app = web.warm()
    click.echo(banner)
    if server == "waitress":
        from waitress import serve as waitress_serve

        waitress_serve(app, host=host, port=port, threads=threads, ident="curator")
    else:
        app.run(host=host, port=port, threaded=True, use_reloader=False)


KEEPALIVE_SECONDS = 65
"""How long gunicorn keeps an idle HTTP connection open (longer than a 60 s proxy idle timeout)."""

ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms pid=%(p)s'
"""gunicorn's access log line: client, time, request line, status, bytes, milliseconds, process."""


def _run_gunicorn(web: WebApplication, *, host: str, port: int, workers: int, threads: int,
                  access_log: str | None) -> None:
    """Serve ``web`` with gunicorn: a master process and ``workers`` forked processes of
    ``threads`` threads each, until SIGTERM or Ctrl-C. Each process builds its Curator after the
    fork (``load`` runs in the worker) and closes it when it exits."""
    from gunicorn.app.base import BaseApplication
    from gunicorn.glogging import Logger

    from ..logs import redact

    class RedactingLogger(Logger):  # type: ignore[misc]
        """gunicorn's logger with the tokens of unsubscribe, sign-in, preference and RSS links
        redacted in the access log, as in curator's own request log."""

        def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
            atoms = super().atoms(resp, req, environ, request_time)
            for key in ("r", "U"):
                if isinstance(atoms.get(key), str):
                    atoms[key] = redact(atoms[key])
            return dict(atoms)

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # An idle kept-alive connection stays open longer than a reader's pause or a reverse
        # proxy's idle timeout (60 s on common load balancers): with gunicorn's 2 s default, a
        # request sent on a connection the server is just closing failed with "connection reset".
        "keepalive": KEEPALIVE_SECONDS,
        "proc_name": "curator-web",
        # Forwarded headers are trusted through --proxy-hops only (as with waitress), never
        # because a request comes from loopback.
        "forwarded_allow_ips": "",
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": RedactingLogger,
        "worker_exit": lambda _arbiter, _worker: web.close(),
        # gunicorn's control socket sits in $HOME by default, shared by every server of the user;
        # curator has no use for it.
        "control_socket_disable": True,
    }

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> WebApplication:
            web.warm()  # in the forked process, before it accepts a request
            return web

    Gunicorn().run()


@click.command("worker")
@click.option("--schedule", "schedule_file", type=click.Path(dir_okay=False, exists=True),
              help="Schedule file (default: the schedule_file setting, itself by default the one shipped with curator).")
@click.option("--list", "list_only", is_flag=True, help="Print the jobs and their next run times, then exit.")
@pass_state
def worker(state: CliState, schedule_file: str | None, list_only: bool) -> None:
    """Run the scheduled jobs (collect, tag, profiles, weekly drafts, sending) until stopped.

    Run one worker per machine; more are harmless: a database lease makes sure each job's run
    happens once (SQLite file or PostgreSQL shared by all workers).

    The worker lowers its own CPU priority (setting worker_nice, default 10; 0 leaves it), so on a
    machine it shares with `curator serve` its tag and rank runs take the CPU the pages leave.

    \b
    Examples:
      curator worker
      curator worker --list
    """
    from ..scheduler import build_scheduler, load_schedule, run_worker

    settings = state.settings()
    path = schedule_file or settings.schedule_file
    if list_only:
        sched = build_scheduler(load_schedule(path), blocking=False)
        sched.start(paused=True)
        for job in sched.get_jobs():
            click.echo(f"{job.id:24} next {job.next_run_time:%Y-%m-%d %H:%M %Z}  {job.trigger}")
        sched.shutdown(wait=False)
        return
    click.echo(f"curator worker: jobs from {path}; stop with Ctrl-C or SIGTERM", err=True)
    run_worker(state.config_file, path, settings=settings)
