"""Fault points for crash tests (RELIABILITY 4.3). A no-op unless ``CURATOR_FAULT_AT`` is set.

``CURATOR_FAULT_AT="after_250_before_commit:3"`` kills the process (SIGKILL, no clean-up) the
third time that point is reached; ``...:3:sleep`` sleeps instead, so a test can send SIGTERM.
Names used by the delivery loop: ``after_claim``, ``after_250_before_commit``, ``after_commit``,
``between_batches``.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

ENV = "CURATOR_FAULT_AT"
_hits: Counter[str] = Counter()


def fault_point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    parts = spec.split(":")
    if parts[0] != name:
        return
    _hits[name] += 1
    at = int(parts[1]) if len(parts) > 1 and parts[1] else 1
    if _hits[name] != at:
        return
    action = parts[2] if len(parts) > 2 else "kill"
    if action == "sleep":
        time.sleep(float(parts[3]) if len(parts) > 3 else 30.0)
    else:
        os.kill(os.getpid(), signal.SIGKILL)
