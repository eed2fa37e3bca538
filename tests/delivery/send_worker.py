"""A sender process for crash and concurrency tests (RELIABILITY 4.3, 4.4).

    python -m tests.delivery.send_worker DB_URL ISSUE_ID SMTP_PORT NOW_ISO [GO_FILE]

Sends the issue through the SMTP sink at 127.0.0.1:SMTP_PORT with a clock fixed at NOW_ISO,
after GO_FILE exists if given (a start line for two processes). ``CURATOR_FAULT_AT`` may make
it kill itself at a fault point. Prints the SendReport as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import make_curator
from curator.delivery import SmtpSender
from curator.delivery.loop import DeliveryPolicy
from tests.newsletter.world import SECRET


def main(argv: list[str]) -> int:
    db_url, issue_id, port, now = argv[0], int(argv[1]), int(argv[2]), datetime.fromisoformat(argv[3])
    settings = Settings(database_url=db_url, secret_key=SECRET, base_url="https://curator.example",
                        mail_from="DigitalCluster Digest <digest@cluster.example>", encoder="fake")
    cur = make_curator(settings, clock=FixedClock(now), migrate=False, delivery_policy=DeliveryPolicy(batch_size=2))
    if len(argv) > 4:
        go = Path(argv[4])
        Path(f"{go}.ready.{argv[5] if len(argv) > 5 else 'x'}").touch()
        while not go.exists():
            time.sleep(0.005)
    report = cur.digests.send(issue_id, sender=SmtpSender("127.0.0.1", port, security="none", timeout=10),
                            sleep=lambda s: None)
    print(json.dumps(asdict(report)))
    cur.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
