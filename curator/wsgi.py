"""The WSGI entry point for any server: ``application`` is the web app of :mod:`curator.web` over
a Curator built from the settings (defaults < the ``CURATOR_CONFIG`` file or ``curator.yaml`` <
``CURATOR_*`` environment variables, as for the ``curator`` command).

    gunicorn --workers 4 --worker-class gthread --threads 8 curator.wsgi
    waitress-serve --port 8000 curator.wsgi:application
    uwsgi --http :8000 --lazy-apps --module curator.wsgi:application

``curator serve`` uses the same :class:`WebApplication`. Each process builds its own Curator on
first use, after the server forked it: no database connection, connection pool, lock or thread
is ever shared between processes, whether the server imports this module before forking
(gunicorn ``--preload``, uwsgi without ``--lazy-apps``) or after. Nothing a request needs is kept
in a process (ranked feeds, sessions and throttles are in the database), so any number of
processes may serve the same database.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .config import Settings, load_settings

if TYPE_CHECKING:
    from flask import Flask

    from .core import Curator

StartResponse = Callable[..., Any]


def settings_from_environment() -> Settings:
    """Settings as the ``curator`` command reads them: the file named by ``CURATOR_CONFIG`` (else
    ``curator.yaml`` in the working directory, if present) and the ``CURATOR_*`` variables.
    ConfigError names every bad value."""
    return load_settings(os.environ.get("CURATOR_CONFIG") or None)


class WebApplication:
    """A WSGI callable that builds, once per process, a Curator and the Flask app over it.

    ``settings`` is called in the process that serves (so a server may import this module before
    its settings are complete); ``proxy_hops`` > 0 trusts that many reverse proxies'
    X-Forwarded-For/-Proto (sign-in throttling is per client address). ``migrate`` brings the
    schema up to date when the process builds its Curator (see ``make_curator``).
    """

    def __init__(self, settings: Callable[[], Settings], *, proxy_hops: int = 0, migrate: bool = True) -> None:
        self._settings = settings
        self._proxy_hops = proxy_hops
        self._migrate = migrate
        self._lock = threading.Lock()
        self._built: tuple[int, Curator, Flask] | None = None

    def app(self) -> Flask:
        """This process's Flask app, built on the first call in the process. A Curator inherited
        from a parent process is left alone (its connections belong to the parent), never used."""
        built = self._built
        if built is None or built[0] != os.getpid():
            with self._lock:
                built = self._built
                if built is None or built[0] != os.getpid():
                    built = self._built = (os.getpid(), *self._build())
        return built[2]

    def warm(self) -> Flask:
        """This process's app, with every page template compiled: a server calls it before the
        process accepts requests, so the first visitors after a start do not wait for Jinja2
        (about half of a first page's time)."""
        app = self.app()
        for name in app.jinja_env.list_templates(extensions=("html",)):
            app.jinja_env.get_template(name)
        return app

    def prepare(self) -> None:
        """Build the app once in this process and close it again, before a server forks: the
        schema is migrated here, once, and a bad setting (ConfigError) stops start-up with one
        message rather than in every process. Processes that build afterwards skip migrating."""
        self.app()
        self.close()
        self._migrate = False

    def close(self) -> None:
        """Close this process's Curator (its database connections), if it built one."""
        with self._lock:
            built, self._built = self._built, None
        if built is not None and built[0] == os.getpid():
            built[1].close()

    def _build(self) -> tuple[Curator, Flask]:
        from .core import make_curator
        from .web import create_app

        cur = make_curator(self._settings(), migrate=self._migrate)
        try:
            app = create_app(cur)
        except BaseException:
            cur.close()
            raise
        if self._proxy_hops > 0:
            from werkzeug.middleware.proxy_fix import ProxyFix

            hops = self._proxy_hops
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
        return cur, app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        return self.app()(environ, start_response)


application = WebApplication(settings_from_environment)
"""The app for WSGI servers (``curator.wsgi:application``; gunicorn finds it by this name)."""
