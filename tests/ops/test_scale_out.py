"""The scale-out path of docs/deployment.md, for real: two ``curator worker`` processes and two
``curator serve`` servers (one of two gunicorn processes, in prometheus-client's multiprocess mode,
one of one) on one PostgreSQL database, all on loopback, logging JSON.

- One digest, approved and due, goes out through the workers' send job to an SMTP sink: each
  recipient gets exactly one copy although both workers fire the job at the same moments.
- Both servers show the member the same stored feed (ranked by a worker), and the same change
  after a feedback posted through one of them.
- Both report the same health and the same database figures; the multiprocess server counts the
  requests of all its processes.

Nothing is timed: every wait polls the database or the servers until a generous deadline, which
only guards against a hang.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from curator.config import Settings
from curator.core import Curator, make_curator
from tests.conftest import private_postgresql_schema
from tests.delivery.sink import SmtpSink, _free_port
from tests.web.conftest import BOB, EDITOR, SECRET, RecordingSender, build_world

pytestmark = [pytest.mark.skipif(not hasattr(os, "fork"), reason="gunicorn needs fork"), pytest.mark.slow]

T = TypeVar("T")
DEADLINE = 300.0
"""Seconds before a wait gives up: a guard against a hang, far above what any step needs."""

SCHEDULE = """\
timezone: UTC
defaults: {misfire_grace_seconds: 120, lease_seconds: 300}
jobs:
  - id: send_due_issues
    function: send_due_issues
    cron: {second: "*/2"}
  - id: rank_feeds
    function: rank_feeds
    cron: {second: "*/2"}
"""
"""Every two seconds; a slot is a minute (``curator.schedule.slot_key``), so each job runs at most
once a minute, and both workers race for the first slot as soon as they start."""


@dataclass
class Deployment:
    cur: Curator
    servers: tuple[str, str]
    session: str
    issue_id: int
    sink: SmtpSink
    logs: Path
    processes: list[tuple[str, subprocess.Popen[bytes]]]

    def alive(self) -> None:
        for name, proc in self.processes:
            if proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}:\n{(self.logs / f'{name}.log').read_text()[-3000:]}")

    def until(self, what: str, check: Callable[[], T | None]) -> T:
        end = time.monotonic() + DEADLINE
        while True:
            self.alive()
            got = check()
            if got:
                return got
            if time.monotonic() > end:
                pytest.fail(f"gave up waiting for {what}")
            time.sleep(0.5)

    def get(self, server: int, path: str, **kw: object) -> httpx.Response:
        with httpx.Client(base_url=self.servers[server], cookies={"curator_session": self.session},
                          timeout=60) as client:
            return client.get(path, **kw)  # type: ignore[arg-type]


def _settings(url: str, tmp_path: Path, sink: SmtpSink, base: str) -> Settings:
    schedule = tmp_path / "schedule.yaml"
    schedule.write_text(SCHEDULE, encoding="utf-8")
    return Settings(database_url=url, feeds_file=str(tmp_path / "feeds.yaml"), schedule_file=str(schedule),
                    outbox_dir=str(tmp_path / "outbox"), encoder="fake", secret_key=SECRET, base_url=base,
                    smtp_host="127.0.0.1", smtp_port=sink.port, smtp_security="none",
                    mail_from="DigitalCluster <news@cluster.example>")


def _environment(settings: Settings) -> dict[str, str]:
    names = ("database_url", "feeds_file", "schedule_file", "outbox_dir", "encoder", "secret_key", "base_url",
             "smtp_host", "smtp_port", "smtp_security", "mail_from")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURATOR_", "PROMETHEUS_"))}
    env.update({f"CURATOR_{n.upper()}": str(getattr(settings, n)) for n in names})
    env["CURATOR_LOG_FORMAT"] = "json"
    return env


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    with private_postgresql_schema() as url, SmtpSink() as sink:
        ports = (_free_port(), _free_port())
        servers = (f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}")
        settings = _settings(url, tmp_path, sink, servers[0])
        cur = make_curator(settings, account_sender=RecordingSender())  # the real clock, as the processes'
        build_world(cur, RecordingSender())
        bob = cur.accounts.create(BOB, role="member")
        session = cur.accounts.start_session(bob.id, bob.role, {}, lifetime=timedelta(hours=1))
        issue = cur.digests.draft("everyone", editor=EDITOR)
        cur.digests.approve(issue.id, editor=EDITOR)
        cur.digests.schedule(issue.id, cur.clock.now())
        env = _environment(settings)
        logs = tmp_path / "logs"
        logs.mkdir()
        metrics_dir = tmp_path / "metrics-a"
        metrics_dir.mkdir()
        commands = {
            "worker-1": ["worker"], "worker-2": ["worker"],
            "web-a": ["serve", "--port", str(ports[0]), "--workers", "2", "--threads", "2"],
            "web-b": ["serve", "--port", str(ports[1]), "--workers", "1", "--threads", "2"],
        }
        processes = []
        try:
            for name, args in commands.items():
                extra = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)} if name == "web-a" else {}
                with open(logs / f"{name}.log", "wb") as log:
                    processes.append((name, subprocess.Popen([sys.executable, "-m", "curator", *args], cwd=tmp_path,
                                                             env={**env, **extra}, stdout=log, stderr=log)))
            deployment = Deployment(cur, servers, session, issue.id, sink, logs, processes)
            for n in (0, 1):
                deployment.until(f"server {n} to answer", lambda n=n: _answers(servers[n]))
            yield deployment
        finally:
            for _, proc in processes:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for _, proc in processes:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            cur.close()


def _answers(base: str) -> bool:
    try:
        httpx.get(f"{base}/healthz", timeout=10)
    except httpx.TransportError:
        return False
    return True


def _item_ids(page: str) -> list[str]:
    return re.findall(r'id="item-(\d+)"', page)


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def _json_lines(path: Path) -> list[dict[str, object]]:
    out = []
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def test_two_workers_and_two_web_processes_share_one_postgresql(deployment: Deployment) -> None:
    d, cur, sink = deployment, deployment.cur, deployment.sink

    # --- the digest: sent once, whichever worker took the slot
    d.until("the digest to be sent", lambda: cur.digests.get(d.issue_id).state == "sent")
    deliveries = cur.digests.deliveries(d.issue_id)
    assert deliveries and {x.state for x in deliveries} == {"sent"}, [(x.email, x.state) for x in deliveries]
    assert sink.count_by_recipient() == {x.email.lower(): 1 for x in deliveries if x.email}
    sends = [r for r in cur.jobs.runs("send_due_issues") if re.search(r'"sent": [1-9]', r.detail or "")]
    assert len({r.owner for r in sends}) == 1, "one worker sent; the other found the lease held or the slot run"

    # --- the member feed: the same on both servers, before and after a feedback through one
    d.until("a worker to rank the stored feeds",
            lambda: any(r.state == "done" for r in cur.jobs.runs("rank_feeds")) and 'class="why"' in d.get(0, "/").text)
    before = d.until("both servers to show the same feed",
                     lambda: (a := _item_ids(d.get(0, "/").text)) and a == _item_ids(d.get(1, "/").text) and a)
    page = d.get(1, "/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "the feed page carries the session's CSRF token"
    hidden = before[0]
    with httpx.Client(base_url=d.servers[0], cookies={"curator_session": d.session}, timeout=60) as client:
        posted = client.post(f"/items/{hidden}/feedback", data={"csrf_token": token.group(1), "action": "hide",
                                                               "next": "/"})
    assert posted.status_code == 302, posted.text
    after = d.until("both servers to show the feed without the hidden item",
                    lambda: (a := _item_ids(d.get(0, "/").text)) and a == _item_ids(d.get(1, "/").text) and a)
    assert hidden not in after

    # --- health and figures: the same from both servers, from the database
    health = [d.until(f"server {n} to report healthy", lambda n=n: (r := d.get(n, "/healthz")).status_code == 200
                      and r.json()) for n in (0, 1)]
    assert [{c["name"]: c["status"] for c in h["checks"]} for h in health] == [
        {"database": "ok", "migrations": "ok", "job send_due_issues": "ok", "job rank_feeds": "ok"}] * 2
    probes = 7
    for n in range(probes):
        assert d.get(0, "/auth/login", headers={"X-Request-ID": f"scale-probe-{n:04d}"}).status_code == 200
    figures = [_samples(d.get(n, "/metrics").text) for n in (0, 1)]
    sent = ("curator_deliveries", (("state", "sent"),))
    assert figures[0][sent] == figures[1][sent] == len(deliveries)
    assert figures[0][("curator_http_requests_total",
                       (("method", "GET"), ("route", "/auth/login"), ("status", "200")))] == probes, \
        "the multiprocess server counts the requests of both its processes"

    # --- the logs: JSON, one access line per request with its id, no session or token
    for _, proc in d.processes:
        proc.send_signal(signal.SIGTERM)
    for _, proc in d.processes:
        proc.wait(timeout=DEADLINE)
    access = [r for r in _json_lines(d.logs / "web-a.log") if r.get("logger") == "curator.access"]
    ids = sorted(str(r["request_id"]) for r in access if str(r["request_id"]).startswith("scale-probe-"))
    assert ids == [f"scale-probe-{n:04d}" for n in range(probes)]
    assert all(r["path"] == "/auth/login" and r["status"] == 200 for r in access
               if str(r["request_id"]).startswith("scale-probe-"))
    everything = "".join((d.logs / f"{name}.log").read_text(errors="replace") for name, _ in d.processes)
    assert d.session not in everything
    stopping = [r for r in _json_lines(d.logs / "worker-1.log") if "stopping the scheduler" in str(r.get("message"))]
    assert stopping and stopping[0]["level"] == "WARNING"
