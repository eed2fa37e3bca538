"""A long SMTP outage (issue 10 #4, RELIABILITY 3E S08): not reaching the mail server is the
server's fault, never a recipient's. The whole send backs off, every recipient stays pending, the
editor sees that the issue waits for the mail server and when it tries next, and once the server
is back everyone gets the issue exactly once.

The worker's send job (``digests.send_due()``) runs every 5 minutes on a FixedClock against a
port with nothing listening, through the sender the settings configure, as in production."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner

from curator.cli import main
from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator, make_curator
from curator.types import MemberRecord, SendReport
from tests.delivery.sink import SmtpSink, _free_port
from tests.newsletter.world import EDITOR, MEMBERS, SECRET, World, build_world, check_send_invariants

TICK = timedelta(minutes=5)
"""How often the worker runs the send job (jobs/schedule.yaml)."""
AREAS = ("technology", "company", "work", "society", "government")
RECIPIENTS = 42
OUTAGE_MEMBERS = [*MEMBERS, *(
    MemberRecord(email=f"member{n:02d}@example.org", name=f"Member {n:02d}", organisation=None,
                 language=("en", "de")[n % 2], declared_areas=(AREAS[n % len(AREAS)],))
    for n in range(RECIPIENTS - len(MEMBERS)))]


@pytest.fixture
def smtp_port() -> int:
    """Where the mail server should be; nothing listens there until a test starts a sink."""
    return _free_port()


@pytest.fixture
def outage_cur(nl_settings: Settings, clock: FixedClock, smtp_port: int) -> Iterator[Curator]:
    c = make_curator(nl_settings.replace(smtp_host="127.0.0.1", smtp_port=smtp_port, smtp_security="none"),
                     clock=clock)
    try:
        yield c
    finally:
        c.close()


def scheduled_issue(cur: Curator, clock: FixedClock) -> int:
    issue = cur.digests.draft("everyone")
    cur.digests.approve(issue.id, editor=EDITOR)
    cur.digests.schedule(issue.id, clock.now())
    return issue.id


def run_worker(cur: Curator, clock: FixedClock, duration: timedelta) -> list[tuple[datetime, SendReport]]:
    """The send job every TICK for ``duration``: (time, report) of every issue it looked at."""
    reports = []
    end = clock.now() + duration
    while clock.now() < end:
        reports += [(clock.now(), r) for r in cur.digests.send_due()]
        clock.advance(seconds=TICK.total_seconds())
    return reports


def tries(reports: list[tuple[datetime, SendReport]]) -> list[datetime]:
    """When a run tried the mail server and found it unreachable (the others only waited)."""
    return [at for at, r in reports if r.message.startswith(f"waiting for the mail server, unreachable at {at:%Y-%m-%d %H:%M}")]


@pytest.mark.parametrize("hours", [4, 12])
def test_long_outage_fails_nobody_and_everyone_gets_it_once_afterwards(
        outage_cur: Curator, clock: FixedClock, smtp_port: int, nl_settings: Settings, hours: int) -> None:
    cur = outage_cur
    world: World = build_world(cur, OUTAGE_MEMBERS)
    assert len(world.members) == RECIPIENTS
    issue_id = scheduled_issue(cur, clock)
    start = clock.now()

    reports = run_worker(cur, clock, timedelta(hours=hours))
    counts = cur.digests.delivery_counts(issue_id)
    tried = tries(reports)
    print(f"\nSMTP outage of {hours} h ({len(reports)} send runs, {len(tried)} of them tried the server): "
          f"{counts.get('pending', 0)} of {RECIPIENTS} recipients pending, {counts.get('failed', 0)} failed")
    assert counts == {"pending": RECIPIENTS}
    assert all(d.attempts == 0 for d in cur.digests.deliveries(issue_id))  # nobody was charged
    # The whole send backs off: waits that double (quantised by the 5-minute job), at most an hour.
    assert tried[0] == start
    gaps = [int((b - a).total_seconds() // 60) for a, b in zip(tried, tried[1:], strict=False)]
    assert gaps[:5] == [5, 5, 10, 20, 40] and set(gaps[5:]) == {60}, gaps
    # The editor sees why and until when: the issue, every report of the send job, the CLI.
    issue = cur.digests.get(issue_id)
    assert issue.state == "sending" and issue.hold_reason is not None
    last_try = tried[-1]
    assert issue.hold_reason.startswith(f"waiting for the mail server, unreachable at {last_try:%Y-%m-%d %H:%M} UTC")
    assert f"127.0.0.1:{smtp_port}" in issue.hold_reason and "42 recipient(s) stay pending" in issue.hold_reason
    next_try = min(last_try + timedelta(minutes=60), last_try + (last_try - start))
    assert issue.hold_reason.endswith(f"next try at {next_try:%Y-%m-%d %H:%M} UTC")
    assert all(r.state == "sending" and r.message.startswith("waiting for the mail server") for _, r in reports)
    shown = CliRunner().invoke(main, ["--database", nl_settings.database_url, "digest", "show", str(issue_id)],
                               env={"CURATOR_SECRET_KEY": SECRET, "CURATOR_ENCODER": "fake"})
    assert shown.exit_code == 0 and issue.hold_reason in " ".join(shown.output.split()), shown.output

    with SmtpSink(port=smtp_port) as sink:
        after = run_worker(cur, clock, timedelta(hours=1, minutes=5))  # the longest wait is an hour
        states = check_send_invariants(cur, sink, issue_id, set(world.members), world.club_member_emails)
    assert set(states.values()) == {"sent"}
    assert sink.count_by_recipient() == {email.lower(): 1 for email in world.members}
    assert [r.sent for _, r in after if r.sent] == [RECIPIENTS]
    issue = cur.digests.get(issue_id)
    assert issue.state == "sent" and issue.hold_reason is None
