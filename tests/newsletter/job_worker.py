"""A worker process for scheduler concurrency tests (RELIABILITY 4.4).

    python -m tests.newsletter.job_worker DB_URL COUNT_FILE FIRST_SLOT_ISO SLOTS GO_FILE TAG

Runs ``SLOTS`` consecutive 5-minute slots of a counting job through ``run_job_slot`` after
GO_FILE appears, on its own Curator (as ``curator worker`` does) whose clock stands one second
after each slot. The job body appends one line per execution to COUNT_FILE (no unique
constraint anywhere), so the test can count executions per slot.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator, make_curator
from curator.scheduler import JobSpec, run_job_slot


def count_run(cur: Curator, path: str) -> dict[str, str]:
    """A job: one line per execution in ``path``."""
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()}\n")
    time.sleep(0.005)
    return {"ok": "yes"}


def main(argv: list[str]) -> int:
    db_url, count_file, first, slots, go, tag = argv[0], argv[1], datetime.fromisoformat(argv[2]), int(argv[3]), Path(argv[4]), argv[5]
    clock = FixedClock(first)
    cur = make_curator(Settings(database_url=db_url, encoder="fake"), clock=clock, migrate=False)
    Path(f"{go}.ready.{tag}").touch()
    while not go.exists():
        time.sleep(0.002)
    for n in range(slots):
        slot = first + timedelta(minutes=5 * n)
        clock.set(slot + timedelta(seconds=1))
        spec = JobSpec(id="count", function="tests.newsletter.job_worker:count_run", cron={"minute": "*/5"},
                       args={"path": f"{count_file}.{n}"}, lease_seconds=60)
        run_job_slot(spec, slot, cur=cur, owner=f"worker-{tag}")
    cur.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
