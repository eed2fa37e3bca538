"""Killing the sender mid-send and two senders at once (RELIABILITY S03, S04, L05).

The sender runs in a subprocess so it can really be SIGKILLed at a fault point in production
code (``curator.delivery.faults``)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from curator.clock import FixedClock
from curator.core import Curator
from curator.delivery import SmtpSender
from curator.types import MemberRecord
from tests.delivery.sink import SmtpSink
from tests.newsletter.world import EDITOR, MEMBERS, World, build_world, check_send_invariants

REPO = Path(__file__).resolve().parents[2]
EXTRA = [MemberRecord(email=f"member{n:02d}@example.net", name=f"Member {n:02d}", organisation="Acme",
                      language="de" if n % 2 else "en", declared_areas=("work",)) for n in range(8)]


def run_worker(db_url: str, issue_id: int, port: int, now: str, *, fault: str | None = None,
               go: Path | None = None, tag: str = "x") -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k != "CURATOR_FAULT_AT"}
    if fault:
        env["CURATOR_FAULT_AT"] = fault
    args = [sys.executable, "-m", "tests.delivery.send_worker", db_url, str(issue_id), str(port), now]
    if go is not None:
        args += [str(go), tag]
    return subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture
def big_world(cur: Curator) -> World:
    return build_world(cur, MEMBERS + EXTRA)


def approved(cur: Curator) -> int:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    return issue.id


@pytest.mark.timeout(120)
@pytest.mark.parametrize("point", ["after_250_before_commit", "after_commit"])
def test_sigkill_mid_send_then_restart_delivers_the_rest_once(cur: Curator, big_world: World, sink: SmtpSink,
                                                              clock: FixedClock, db_url: str, point: str) -> None:
    issue_id = approved(cur)
    n = len(big_world.members)
    proc = run_worker(db_url, issue_id, sink.port, clock.now().isoformat(), fault=f"{point}:3")
    proc.communicate(timeout=90)
    assert proc.returncode == -signal.SIGKILL
    assert len(sink.received) == 3
    counts = cur.digests.delivery_counts(issue_id)
    assert counts.get("sent") == (2 if point == "after_250_before_commit" else 3)
    assert counts.get("sending", 0) == (1 if point == "after_250_before_commit" else 0)
    # restart after the dead sender's claims ran out
    later = clock.now() + timedelta(minutes=11)
    out, err = run_worker(db_url, issue_id, sink.port, later.isoformat()).communicate(timeout=90)
    report = json.loads(out.strip().splitlines()[-1])
    assert report["sent"] == n - 3, err
    states = check_send_invariants(cur, sink, issue_id, set(big_world.members), big_world.club_member_emails)
    assert sink.count_by_recipient() == {e: 1 for e in big_world.members}  # no duplicates at all
    uncertain = [e for e, s in states.items() if s == "uncertain"]
    if point == "after_250_before_commit":
        assert len(uncertain) == 1  # the in-flight one is flagged for an editor, not resent
        assert report["state"] == "partially_sent"
    else:
        assert uncertain == [] and report["state"] == "sent"


@pytest.mark.timeout(120)
def test_two_sender_processes_at_once_send_each_message_once(cur: Curator, big_world: World, sink: SmtpSink,
                                                            clock: FixedClock, db_url: str, tmp_path: Path) -> None:
    issue_id = approved(cur)
    go = tmp_path / "go"
    procs = [run_worker(db_url, issue_id, sink.port, clock.now().isoformat(), go=go, tag=t) for t in "ab"]
    deadline = time.monotonic() + 60  # hang guard only
    while not all(Path(f"{go}.ready.{t}").exists() for t in "ab") and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=90)
        assert p.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["sent"] for r in reports) == len(big_world.members)
    check_send_invariants(cur, sink, issue_id, set(big_world.members), big_world.club_member_emails)
    assert sink.count_by_recipient() == {e: 1 for e in big_world.members}
    assert cur.digests.get(issue_id).state == "sent"


@pytest.mark.timeout(120)
def test_sigterm_finishes_the_message_in_flight_and_exits_cleanly(cur: Curator, big_world: World, sink: SmtpSink,
                                                                  nl_settings, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    """S15: `curator digest send` gets SIGTERM mid-run: no new claims, states saved, exit code 0."""
    issue_id = approved(cur)
    env = {**os.environ, "CURATOR_FAULT_AT": "after_commit:2:sleep:5", "CURATOR_SECRET_KEY": nl_settings.secret_key,
           "CURATOR_BASE_URL": nl_settings.base_url, "CURATOR_MAIL_FROM": nl_settings.mail_from,
           "CURATOR_SMTP_HOST": "127.0.0.1", "CURATOR_SMTP_PORT": str(sink.port), "CURATOR_SMTP_SECURITY": "none",
           "CURATOR_ENCODER": "fake"}
    exe = str(Path(sys.executable).parent / "curator")
    proc = subprocess.Popen([exe, "--database", nl_settings.database_url, "digest", "send", str(issue_id)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60  # hang guard
    while len(sink.received) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert len(sink.received) == 2 and "Stopping after the message in flight" in err
    counts = cur.digests.delivery_counts(issue_id)
    assert counts == {"sent": 2, "pending": len(big_world.members) - 2}  # nothing left in flight
    report = cur.digests.send(issue_id, sender=SmtpSender("127.0.0.1", sink.port, security="none"))
    assert report.sent == len(big_world.members) - 2  # claims were released: no waiting for them to expire
    check_send_invariants(cur, sink, issue_id, set(big_world.members), big_world.club_member_emails)
