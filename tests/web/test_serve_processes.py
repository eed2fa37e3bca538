"""``curator serve --workers 2`` for real: a gunicorn master and two forked processes on loopback
over one SQLite file or PostgreSQL schema. A change made through one process (a feedback post)
is what the other process shows on its next page, because nothing a page needs is kept in a
process. Which process answers is made certain, not left to the kernel: the other one is
paused (SIGSTOP) while a request is sent, and gunicorn's access log names the answering pid.

``curator.wsgi``'s per-process build is checked without a server.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from curator.cli import main
from curator.config import Settings
from curator.core import make_curator
from curator.wsgi import WebApplication

from .conftest import BOB, SECRET, RecordingSender, build_world

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="gunicorn needs fork")


@dataclass
class Served:
    base: str
    cookie: str
    workers: tuple[int, int]
    hidden_item: int
    access_log: Path
    stop: Callable[[], None]
    """Stop the server gracefully and wait for it: its access log is complete afterwards."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(settings: Settings, tmp_path: Path) -> Iterator[Served]:
    """The web world of the other web tests, Bob signed in through the facade, and the server
    started as an operator does, with its two worker pids read from gunicorn's log."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web_settings = settings.replace(secret_key=SECRET, base_url=base)
    # The server runs on the real clock, so the session is made on it too.
    cur = make_curator(web_settings, account_sender=RecordingSender())
    try:
        world = build_world(cur, RecordingSender())
        bob = cur.accounts.create(BOB, role="member")
        sid = cur.accounts.start_session(bob.id, bob.role, {}, lifetime=timedelta(hours=1))
        hidden_item = world.items["pub-0"]
    finally:
        cur.close()
    log = tmp_path / "access.log"
    env = {**os.environ, "CURATOR_DATABASE_URL": web_settings.database_url, "CURATOR_SECRET_KEY": SECRET,
           "CURATOR_BASE_URL": base, "CURATOR_ENCODER": "fake", "CURATOR_FEEDS_FILE": web_settings.feeds_file}
    server = subprocess.Popen(
        [sys.executable, "-m", "curator", "serve", "--port", str(port), "--workers", "2", "--threads", "2",
         "--access-log", str(log)], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def stop() -> None:
        if server.poll() is None:
            server.terminate()
        server.wait()

    try:
        assert server.stderr is not None
        pids: list[int] = []
        seen: list[str] = []
        while len(pids) < 2:  # gunicorn logs each worker it forks; EOF means the server died
            line = server.stderr.readline()
            assert line, "curator serve stopped before its workers started:\n" + "".join(seen)
            seen.append(line)
            if m := re.search(r"Booting worker with pid: (\d+)", line):
                pids.append(int(m.group(1)))
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(server.pid)], capture_output=True,
                                  text=True, check=True).stdout.split()
        assert sorted(pids) == sorted(int(p) for p in children), "the workers are the server's own children"
        yield Served(base, sid, (pids[0], pids[1]), hidden_item, log, stop)
    finally:
        stop()
        assert server.stderr is not None
        server.stderr.close()


def _request(served: Served, method: str, path: str, **kw: object) -> httpx.Response:
    # A new connection per request: a kept-alive one would stay with the process that accepted it.
    with httpx.Client(base_url=served.base, cookies={"curator_session": served.cookie}, timeout=None) as client:
        return client.request(method, path, **kw)  # type: ignore[arg-type]


def _answered_by(served: Served, pid: int, method: str, path: str, **kw: object) -> httpx.Response:
    """Send the request while every other worker is paused, so ``pid`` must accept it."""
    others = [p for p in served.workers if p != pid]
    for p in others:
        os.kill(p, signal.SIGSTOP)
    try:
        return _request(served, method, path, **kw)
    finally:
        for p in others:
            os.kill(p, signal.SIGCONT)


def test_two_processes_serve_and_agree_on_feedback(served: Served) -> None:
    first, second = served.workers
    item = f'id="item-{served.hidden_item}"'

    assert _answered_by(served, first, "GET", "/auth/login?probe=login-1").status_code == 200
    assert _answered_by(served, second, "GET", "/auth/login?probe=login-2").status_code == 200
    page = _answered_by(served, second, "GET", "/?probe=feed-before")
    assert page.status_code == 200 and 'class="why"' in page.text, "Bob's personal feed"
    assert item in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the feed page carries the session's CSRF token"

    # The session (and its CSRF token) was stored by the second process; the first one takes the post.
    hidden = _answered_by(served, first, "POST", f"/items/{served.hidden_item}/feedback?probe=hide",
                          data={"csrf_token": token.group(1), "action": "hide", "next": "/"})
    assert hidden.status_code == 302, hidden.text
    after = _answered_by(served, second, "GET", "/?probe=feed-after")
    assert after.status_code == 200 and 'class="why"' in after.text
    assert item not in after.text, "the other process shows the feed without the item hidden through the first"
    saved = _answered_by(served, second, "POST", f"/items/{served.hidden_item}/feedback?probe=save",
                         data={"csrf_token": token.group(1), "action": "save", "next": "/saved"})
    assert saved.status_code == 302
    on_first = _answered_by(served, first, "GET", "/saved?probe=saved")
    assert item in on_first.text, "and the other way round: saved through the second, listed by the first"

    token = "Zm9vYmFyLXNpZ25lZC11bnN1YnNjcmliZS10b2tlbg"
    assert _answered_by(served, first, "GET", f"/u/{token}?probe=unsubscribe").status_code in (200, 400, 404)
    served.stop()
    log_text = served.access_log.read_text()
    assert token not in log_text and "/u/[redacted]?probe=unsubscribe" in log_text, "tokens never reach the log"
    lines = [line for line in log_text.splitlines() if "probe=unsubscribe" not in line]
    by_probe = {m.group(1): int(m.group(2)) for line in lines
                if (m := re.search(r"probe=([\w-]+).* pid=<(\d+)>", line))}
    assert by_probe == {"login-1": first, "login-2": second, "feed-before": second, "hide": first,
                        "feed-after": second, "save": second, "saved": first}, lines


def test_an_idle_connection_stays_open_for_the_next_request(served: Served) -> None:
    """A reader pauses between pages; the kept-alive connection must still be there afterwards
    (with gunicorn's 2 s default, the server closed it and a request racing the close failed)."""
    host, port = served.base.removeprefix("http://").split(":")
    request = f"GET /auth/login HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()

    def answer(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            assert chunk, "the server closed the connection"
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
        while len(body) < length:
            body += conn.recv(65536)
        return head

    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(request)
        assert answer(conn).startswith(b"HTTP/1.1 200")
        time.sleep(3)
        conn.sendall(request)
        assert answer(conn).startswith(b"HTTP/1.1 200")


def test_wsgi_application_builds_once_per_process(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    web = WebApplication(lambda: settings.replace(secret_key=SECRET))
    app = web.app()
    assert web.app() is app, "one app per process"
    parent_pid = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: parent_pid + 1)  # as seen from a forked process
    child_app = web.app()
    assert child_app is not app, "a forked process builds its own Curator and app"
    assert app.extensions["curator"] is not child_app.extensions["curator"]
    web.close()
    monkeypatch.undo()
    app.extensions["curator"].close()


def test_a_warmed_process_has_its_page_templates_compiled(settings: Settings) -> None:
    web = WebApplication(lambda: settings.replace(secret_key=SECRET))
    try:
        app = web.app()
        assert app.jinja_env.cache is not None
        cached = lambda: {key[1] for key in app.jinja_env.cache}  # noqa: E731 - (loader, name) keys
        assert "feed.html" not in cached()
        assert web.warm() is app
        assert {"feed.html", "base.html", "item.html"} <= cached()
    finally:
        web.close()


def test_serve_refuses_workers_without_gunicorn() -> None:
    result = CliRunner().invoke(main, ["serve", "--server", "waitress", "--workers", "2"])
    assert result.exit_code == 1
    assert "--workers 2 needs --server gunicorn" in result.output
